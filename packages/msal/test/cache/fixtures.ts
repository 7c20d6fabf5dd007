/**
 * Builders shared by the cache tests: an ID token and a token response shaped as Entra ID sends
 * them, after the helpers of MSAL Python's tests/test_token_cache.py.
 */

import { Buffer } from "node:buffer";
import type { CacheableTokenResponse, TokenCacheEvent } from "../../src/cache/index.js";

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** An unsigned JWT whose payload holds the given claims (plus iss/sub/aud/exp/iat defaults). */
export function buildIdToken(claims: Record<string, unknown> = {}): string {
  const payload = { iss: "issuer", sub: "subject", aud: "my_client_id", exp: 2_000_000_000, iat: 1000, ...claims };
  return `${b64url({ alg: "none" })}.${b64url(payload)}.signature`;
}

/** client_info as Entra ID returns it for `client_info=1`. */
export function clientInfo(uid: string, utid: string): string {
  return b64url({ uid, utid });
}

/** A token response; `uid` + `utid` add client_info, `access_token` adds expires_in/token_type. */
export function buildResponse(
  opts: { uid?: string; utid?: string; access_token?: string; expires_in?: number | string; token_type?: string } & Record<string, unknown> = {},
): CacheableTokenResponse {
  const { uid, utid, access_token, expires_in = 3600, token_type = "some type", ...rest } = opts;
  const response: Record<string, unknown> = {};
  if (uid && utid) response["client_info"] = clientInfo(uid, utid);
  if (access_token) Object.assign(response, { access_token, expires_in, token_type });
  return { ...response, ...rest };
}

/** The AAD endpoint used by most tests: host login.example.com, tenant contoso. */
export const AAD_TOKEN_ENDPOINT = "https://login.example.com/contoso/v2/token";

/** An event for `my_client_id` against {@link AAD_TOKEN_ENDPOINT}, overridable field by field. */
export function aadEvent(response: CacheableTokenResponse, extra: Partial<TokenCacheEvent> = {}): TokenCacheEvent {
  return {
    client_id: "my_client_id",
    scope: ["s2", "s1", "s3"],
    token_endpoint: AAD_TOKEN_ENDPOINT,
    response,
    ...extra,
  };
}
