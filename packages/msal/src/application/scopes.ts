/**
 * Checks of the scopes a caller passes, and their decoration with the OpenID Connect scopes.
 *
 * @module
 */
import { invalidArgType, invalidArgValue } from "../errors.js";

/**
 * The scopes MSAL adds to every user sign-in itself: `openid` (an ID token), `profile` (the user's
 * name in it) and `offline_access` (a refresh token). Callers may not pass them.
 */
export const RESERVED_SCOPES = ["openid", "profile", "offline_access"] as const;

const RESERVED: ReadonlySet<string> = new Set(RESERVED_SCOPES);

/** Throws unless `scopes` is a non-empty array of non-empty strings. */
export function assertScopes(scopes: unknown, name = "scopes"): asserts scopes is readonly string[] {
  if (!Array.isArray(scopes)) {
    throw invalidArgType(`${name} must be an array of strings, e.g. ["https://graph.microsoft.com/.default"]`);
  }
  if (scopes.length === 0) throw invalidArgValue(`${name} must contain at least one scope`);
  assertEachScope(scopes, name);
}

function assertEachScope(scopes: readonly unknown[], name: string): void {
  for (const s of scopes) {
    if (typeof s !== "string" || !s.trim() || /\s/.test(s)) {
      throw invalidArgValue(`${name} must hold single scopes without spaces; got ${JSON.stringify(s)}`);
    }
  }
}

/**
 * Throws unless `excludeScopes` is absent or an array of scopes without `openid` (which every user
 * sign-in needs). Meant for the application's options, where MSAL Python checks it.
 */
export function assertExcludeScopes(excludeScopes: unknown): asserts excludeScopes is readonly string[] | undefined {
  if (excludeScopes === undefined) return;
  if (!Array.isArray(excludeScopes)) throw invalidArgType('excludeScopes must be an array of strings, e.g. ["offline_access"]');
  assertEachScope(excludeScopes, "excludeScopes");
  if (excludeScopes.includes("openid")) {
    throw invalidArgValue('excludeScopes may not contain "openid": every user sign-in requests it');
  }
}

/**
 * Decorates the caller's scopes for a user flow (auth code, interactive, device code, username and
 * password, on-behalf-of, refresh): the caller's scopes plus `openid`, `profile` and
 * `offline_access`, minus `excludeScopes`. The comparison is case-sensitive, as MSAL Python's.
 * Not for client credentials, brokers or cache look-ups, which use the caller's scopes as they are.
 *
 * @param scopes The caller's scopes; may be empty (a device flow for sign-in alone). The app's own
 *   client id is a fine scope (B2C uses it).
 * @param excludeScopes Scopes to leave out, e.g. `["offline_access"]` for an app that wants no
 *   refresh token.
 * @returns The caller's scopes without duplicates, in their order, then the reserved ones not
 *   excluded.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) when `scopes` holds `openid`, `profile` or
 *   `offline_access`: they are added automatically. `ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`
 *   for arrays of the wrong shape.
 */
export function decorateScopes(scopes: readonly string[], excludeScopes?: readonly string[]): string[] {
  if (!Array.isArray(scopes)) {
    throw invalidArgType('scopes must be an array of strings, e.g. ["https://graph.microsoft.com/.default"]');
  }
  assertEachScope(scopes, "scopes");
  assertExcludeScopes(excludeScopes);
  const reserved = scopes.filter((s) => RESERVED.has(s));
  if (reserved.length > 0) {
    throw invalidArgValue(
      `scopes may not include ${[...new Set(reserved)].join(", ")}: msal-ts adds openid, profile and offline_access ` +
        "to every user sign-in itself, so that an ID token and a refresh token come back. Remove them from scopes " +
        "(to receive no refresh token, list offline_access in the excludeScopes option).",
    );
  }
  const excluded = new Set(excludeScopes ?? []);
  return [...new Set([...scopes, ...RESERVED_SCOPES])].filter((s) => !excluded.has(s));
}
