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
