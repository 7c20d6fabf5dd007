/**
 * Wire shapes of the token endpoint, typed with the protocol's own names.
 *
 * @module
 */

/** A successful token endpoint response (RFC 6749 §5.1 plus Entra's extensions). */
export interface TokenEndpointResponse {
  /** The access token, opaque to the client. */
  readonly access_token: string;
  /** How to present the access token: usually `Bearer` (ADFS may send `bearer`); `Bearer` when absent. */
  readonly token_type?: string;
  /** Lifetime of the access token in seconds from the response (Entra may send it as a string). */
  readonly expires_in?: number | string;
  /**
   * Entra's extended lifetime in seconds: how long the access token stays acceptable to resources
   * while the authority is unreachable. Usually equal to `expires_in`.
   */
  readonly ext_expires_in?: number | string;
  /** Entra's hint, in seconds, of when to refresh proactively. */
  readonly refresh_in?: number | string;
  /** The scopes granted, space-separated; may differ from those requested. */
  readonly scope?: string;
  /** A refresh token, sent when the request asked for `offline_access`; opaque to the client. */
  readonly refresh_token?: string;
  /** The OpenID Connect id token (a JWT), sent when the request asked for `openid`. */
  readonly id_token?: string;
  /** base64url JSON `{ uid, utid }`, sent when the request carried `client_info=1`. */
  readonly client_info?: string;
  /** `"1"` for apps in the family of client ids. */
  readonly foci?: string;
  readonly [extension: string]: unknown;
}

/** An error response of the token endpoint (RFC 6749 §5.2 plus Entra's extensions). */
export interface ErrorResponse {
  /** The OAuth error code, e.g. `invalid_grant`, `invalid_client`, `interaction_required`, `authorization_pending`. */
  readonly error: string;
  /** A human-readable explanation; Entra's begins with an `AADSTS` code. Not meant for parsing. */
  readonly error_description?: string;
  /** Entra's numeric `AADSTS` error codes (e.g. `[50076]` when multi-factor authentication is required). */
  readonly error_codes?: readonly number[];
  /** A link to a page about the error. */
  readonly error_uri?: string;
  /**
   * Entra's refinement of `error`, e.g. `basic_action`, `consent_required`, `bad_token`; silent
   * calls turn it into the result's `classification`.
   */
  readonly suberror?: string;
  /** A claims challenge, as a JSON string. */
  readonly claims?: string;
  /** The authority's id of the request, for its own diagnostics. */
  readonly trace_id?: string;
  /** The correlation id of the request, to quote when reporting a problem to the authority's operators. */
  readonly correlation_id?: string;
  /** When the error happened, as the authority formats it (e.g. `2024-01-31 12:00:00Z`). */
  readonly timestamp?: string;
  readonly [extension: string]: unknown;
}

/** Where a token result's access token came from. */
export const TokenSource = {
  /** Freshly issued by the authority's token endpoint (or a managed identity endpoint). */
  IDENTITY_PROVIDER: "identity_provider",
  /** Served from the token cache without a network call. */
  CACHE: "cache",
  /** Obtained through a broker; here, Azure Cloud Shell's local token service. */
  BROKER: "broker",
} as const;
export type TokenSource = (typeof TokenSource)[keyof typeof TokenSource];

/** A token result: the authority's response with `token_source`, or a cache hit. */
export interface TokenResult {
  /** The access token to send to the resource. */
  readonly access_token: string;
  /** How to present the access token, e.g. `Bearer` (the default when the authority sent none) or `pop`. */
  readonly token_type: string;
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  /** Whether the token came from the authority, the cache or a broker. */
  readonly token_source: TokenSource;
  /** Epoch seconds after which a refresh is recommended. */
  readonly refresh_on?: number;
  /** The scopes granted, space-separated, as the authority sent them (absent on a cache hit). */
  readonly scope?: string;
  /** The refresh token the authority sent; the cache keeps it too, so most apps can ignore it. */
  readonly refresh_token?: string;
  /** The raw id token (a JWT), when the authority sent one. */
  readonly id_token?: string;
  /**
   * The id token's claims, when the authority sent an id token (already checked: issuer, audience,
   * lifetime, nonce); for Cloud Shell, claims made up from its access token.
   */
  readonly id_token_claims?: Readonly<Record<string, unknown>>;
  /** The authority's `client_info` (base64url JSON `{ uid, utid }`), as sent. */
  readonly client_info?: string;
  /** The authority's extended lifetime in seconds, as sent (see {@link TokenEndpointResponse.ext_expires_in}). */
  readonly ext_expires_in?: number | string;
  /** `"1"` when the app is a member of the family of client ids, as sent. */
  readonly foci?: string;
}

/**
 * An error result: the authority's error response as it was sent, plus a `correlation_id`
 * (the server's, or the `client-request-id` of the request when the server sent none) and, for
 * silent calls, a `classification`.
 */
export interface ErrorResult extends ErrorResponse {
  /**
   * Set by silent calls when the error had a `suberror`, as MSAL Python's `classification`: `""`
   * when the user simply has to sign in again (`bad_token`, `token_expired`, …), otherwise the
   * suberror itself (`consent_required`, `basic_action`, …) to tell the user what to do.
   */
  readonly classification?: string;
}

/** What every token-acquiring method resolves to; narrow with `"error" in result`. */
export type AuthenticationResult = TokenResult | ErrorResult;
