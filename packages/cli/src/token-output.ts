/**
 * How token results are shown: never their refresh or ID tokens, the access token only by `token`.
 *
 * @module
 */
import type { TokenResult } from "@msal-ts/msal";

/** The signed-in user's name from a token result's ID token claims, if it has them. */
export function usernameOf(result: TokenResult): string | undefined {
  const claims = result.id_token_claims;
  for (const claim of ["preferred_username", "upn", "email", "unique_name"]) {
    const value = claims?.[claim];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/** The JSON `token --json` prints: the access token and what to know about it, without other tokens. */
export function tokenJson(result: TokenResult, account: string | null, now: number = Date.now()): Record<string, unknown> {
  return {
    access_token: result.access_token,
    token_type: result.token_type,
    expires_in: result.expires_in,
    expires_on: new Date(now + result.expires_in * 1000).toISOString(),
    ...(result.refresh_on === undefined ? {} : { refresh_on: new Date(result.refresh_on * 1000).toISOString() }),
    ...(result.scope === undefined ? {} : { scope: result.scope }),
    token_source: result.token_source,
    account,
  };
}
