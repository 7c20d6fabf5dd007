import { invalidParameter } from "./errors.js";

/**
 * Reads client capabilities from a request's `claims` parameter, where MSALs merge them as
 * `{"access_token":{"xms_cc":{"values":["cp1"]}}}`.
 *
 * @returns the capability values, or undefined when none were requested.
 * @throws EntraError invalid_request when `claims` is not a JSON object.
 */
export function requestedCapabilities(claims: string | null): readonly string[] | undefined {
  if (claims === null || claims.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    throw invalidParameter("claims");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalidParameter("claims");
  const values = pick(pick(parsed, "access_token"), "xms_cc");
  const list = pick(values, "values");
  if (!Array.isArray(list)) return undefined;
  const capabilities = list.filter((v): v is string => typeof v === "string" && v !== "");
  return capabilities.length > 0 ? capabilities : undefined;
}

function pick(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The claims challenge the emulator sends with errors that need the user (multi-factor or another
 * interactive step). Sent back as `claims` on an authorize request, it makes the sign-in page ask for
 * the second factor again.
 */
export const MFA_CLAIMS_CHALLENGE = JSON.stringify({
  access_token: { capolids: { essential: true, values: ["c0de0000-4d46-4100-8000-6d6661706f6c"] } },
});

/**
 * True when a `claims` parameter asks for more than client capabilities and voluntary claims: a
 * resource's claims challenge, which the sign-in page answers with a fresh second factor.
 * Unparsable values count as none (the token endpoint reports them; the sign-in page ignores them).
 */
export function isClaimsChallenge(claims: string | null): boolean {
  if (claims === null || claims.trim() === "") return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
  return Object.entries(parsed).some(
    ([target, members]) =>
      typeof members !== "object" ||
      members === null ||
      Object.entries(members).some(([name, request]) => !(target === "access_token" && name === "xms_cc") && !isVoluntary(request)),
  );
}

/**
 * A voluntary claim request (OpenID Connect Core §5.5.1): `null`, or an object that is not
 * `essential` and asks for no particular value. MSALs ask for some ID token claims this way on
 * every sign-in (msal-node: `signin_state`, `login_hint`); that is no challenge.
 */
function isVoluntary(request: unknown): boolean {
  if (request === null) return true;
  if (typeof request !== "object" || Array.isArray(request)) return false;
  const r = request as Record<string, unknown>;
  return r.essential !== true && r.value === undefined && r.values === undefined;
}
