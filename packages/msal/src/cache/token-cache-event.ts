/**
 * What the application layer hands to {@link TokenCache.add} after a successful token response.
 *
 * @module
 */

import type { IdTokenClaims } from "../protocol/id-token.js";

export type { IdTokenClaims };

/**
 * The parts of a successful token response the cache reads. Numeric fields may arrive as strings
 * (AAD v1-style endpoints and some managed identity sources send them so).
 */
export interface CacheableTokenResponse {
  /** The access token; an AccessToken entry is written only when there is one. */
  readonly access_token?: string;
  /** The token's type, stored on the access token entry; `Bearer` when absent. */
  readonly token_type?: string;
  /** Seconds the access token lives; with neither this nor `expires_on`, 600 is assumed. */
  readonly expires_in?: number | string;
  /** Entra's extended lifetime in seconds; becomes `extended_expires_on` (default: `expires_in`). */
  readonly ext_expires_in?: number | string;
  /** Absolute expiry in epoch seconds, sent by managed identity sources instead of `expires_in`. */
  readonly expires_on?: number | string;
  /** Seconds after which a proactive refresh is due; becomes the entry's `refresh_on`. */
  readonly refresh_in?: number | string;
  /** The refresh token; a RefreshToken entry is written only when there is one. */
  readonly refresh_token?: string;
  /** The raw id token; it gives the account its identity and is stored as an IdToken entry. */
  readonly id_token?: string;
  /** Already-decoded claims (a broker supplies them); preferred over decoding `id_token`. */
  readonly id_token_claims?: IdTokenClaims;
  /** base64url JSON with `uid` and `utid`. */
  readonly client_info?: string;
  /** Granted scopes, space-separated. */
  readonly scope?: string;
  /** `"1"` when the app is in the family of client ids. */
  readonly foci?: string;
  readonly [field: string]: unknown;
}

/**
 * A token-obtaining event, shaped as MSAL Python's `TokenCache.add()` event so the same facts
 * produce the same entries.
 */
export interface TokenCacheEvent {
  /** The app the tokens were issued to; written as every entry's `client_id`. */
  readonly client_id: string;
  /** The requested scopes; the response's `scope`, when present, wins. */
  readonly scope: readonly string[];
  /** The token endpoint the response came from; its first path segment becomes `realm`. */
  readonly token_endpoint: string;
  /** The authority's successful response, as received. */
  readonly response: CacheableTokenResponse;
  /** The OAuth grant, or the pseudo grant `broker`; decides `account_source`. */
  readonly grant_type?: string;
  /** The request's extra form fields; only `key_id` and `username` are read. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** The configured authority's host; defaults to the token endpoint's host. */
  readonly environment?: string;
  /** The federated ROPC username, the last username fallback. */
  readonly username?: string;
  /** An account id supplied by a broker; wins over the ID token's `oid`. */
  readonly _account_id?: string | null;
  /** Overrides the derived `authority_type` (Cloud Shell uses it). */
  readonly authority_type?: string;
  /**
   * For on-behalf-of tokens: base64url SHA-256 of the incoming assertion, written on the access and
   * refresh tokens as `userAssertionHash` (MSAL Node's field) so a repeated call finds them.
   */
  readonly user_assertion_hash?: string;
  /** Set by silent refresh, which must not create or rewrite Account entries. */
  readonly skip_account_creation?: boolean;
}
