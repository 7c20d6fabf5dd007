/**
 * The `claims` request parameter (OpenID Connect Core §5.5), with client capabilities merged in.
 *
 * @module
 */
import { invalidArgValue } from "../errors.js";

/**
 * Merges client capabilities (e.g. `["CP1"]`) into a claims challenge as
 * `{"access_token": {"xms_cc": {"values": [...]}}}`, keeping the challenge's other members.
 * With no capabilities the challenge passes through unchanged; with neither, there is no `claims`.
 *
 * @throws TypeError when the challenge is not a JSON object.
 */
export function mergeClaims(
  claimsChallenge: string | undefined,
  clientCapabilities: readonly string[] | undefined,
): string | undefined {
  if (!clientCapabilities || clientCapabilities.length === 0) return claimsChallenge || undefined;
  let claims: Record<string, unknown> = {};
  if (claimsChallenge) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(claimsChallenge);
    } catch {
      throw invalidArgValue("claimsChallenge must be a JSON object, as the authority sent it in its claims challenge");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw invalidArgValue("claimsChallenge must be a JSON object, as the authority sent it in its claims challenge");
    }
    claims = parsed as Record<string, unknown>;
  }
  const at = claims.access_token;
  const accessToken = typeof at === "object" && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>) : {};
  return JSON.stringify({ ...claims, access_token: { ...accessToken, xms_cc: { values: [...clientCapabilities] } } });
}
