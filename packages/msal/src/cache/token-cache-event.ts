/**
 * What the application layer hands to {@link TokenCache.add} after a successful token response.
 *
 * @module
 */

/** Claims of an ID token, as decoded (or as a broker supplied them). */
export interface IdTokenClaims {
  readonly sub?: string;
  readonly oid?: string;
  readonly tid?: string;
  readonly preferred_username?: string;
  readonly upn?: string;
  readonly [claim: string]: unknown;
}

/**
 * The parts of a successful token response the cache reads. Numeric fields may arrive as strings
 * (AAD v1-style endpoints and some managed identity sources send them so).
 */
export interface CacheableTokenResponse {
  readonly access_token?: string;
  readonly token_type?: string;
  readonly expires_in?: number | string;
  readonly ext_expires_in?: number | string;
  /** Absolute expiry in epoch seconds, sent by managed identity sources instead of `expires_in`. */
  readonly expires_on?: number | string;
  readonly refresh_in?: number | string;
  readonly refresh_token?: string;
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
  readonly client_id: string;
  /** The requested scopes; the response's `scope`, when present, wins. */
  readonly scope: readonly string[];
  /** The token endpoint the response came from; its first path segment becomes `realm`. */
  readonly token_endpoint: string;
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
