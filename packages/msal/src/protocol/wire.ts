/**
 * Wire shapes of the token endpoint, typed with the protocol's own names.
 *
 * @module
 */

/** A successful token endpoint response (RFC 6749 §5.1 plus Entra's extensions). */
export interface TokenEndpointResponse {
  readonly access_token: string;
  readonly token_type?: string;
  readonly expires_in?: number | string;
  readonly ext_expires_in?: number | string;
  /** Entra's hint, in seconds, of when to refresh proactively. */
  readonly refresh_in?: number | string;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  /** base64url JSON `{ uid, utid }`, sent when the request carried `client_info=1`. */
  readonly client_info?: string;
  /** `"1"` for apps in the family of client ids. */
  readonly foci?: string;
  readonly [extension: string]: unknown;
}

/** An error response of the token endpoint (RFC 6749 §5.2 plus Entra's extensions). */
export interface ErrorResponse {
  readonly error: string;
  readonly error_description?: string;
  readonly error_codes?: readonly number[];
  readonly error_uri?: string;
  readonly suberror?: string;
  /** A claims challenge, as a JSON string. */
  readonly claims?: string;
  readonly trace_id?: string;
  readonly correlation_id?: string;
  readonly timestamp?: string;
  readonly [extension: string]: unknown;
}

/** Where a token result's access token came from. */
export const TokenSource = {
  IDENTITY_PROVIDER: "identity_provider",
  CACHE: "cache",
  BROKER: "broker",
} as const;
export type TokenSource = (typeof TokenSource)[keyof typeof TokenSource];

/** A token result: the authority's response with `token_source`, or a cache hit. */
export interface TokenResult {
  readonly access_token: string;
  readonly token_type: string;
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  readonly token_source: TokenSource;
  /** Epoch seconds after which a refresh is recommended. */
  readonly refresh_on?: number;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly id_token_claims?: Readonly<Record<string, unknown>>;
  readonly client_info?: string;
  readonly ext_expires_in?: number | string;
  readonly foci?: string;
}

/**
 * An error result: the authority's error response as it was sent, plus a `correlation_id`
 * (the server's, or the `client-request-id` of the request when the server sent none) and, for
 * silent calls, a `classification`.
 */
export interface ErrorResult extends ErrorResponse {
  readonly classification?: string;
}

/** What every token-acquiring method resolves to; narrow with `"error" in result`. */
export type AuthenticationResult = TokenResult | ErrorResult;
