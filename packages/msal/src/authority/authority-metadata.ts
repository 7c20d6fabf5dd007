/**
 * What discovery learns about an authority.
 *
 * @module
 */

/**
 * An authority's OpenID Connect configuration document (its wire field names), after msal-ts
 * checked the fields it relies on. Other fields of the document are kept as sent.
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export interface OpenIdConfiguration {
  /** Where the browser signs in. An https URL. */
  readonly authorization_endpoint: string;
  /** Where tokens are redeemed. An https URL. */
  readonly token_endpoint: string;
  /** Where a device flow starts (RFC 8628), when the authority has one. An https URL. */
  readonly device_authorization_endpoint?: string;
  readonly issuer?: string;
  readonly end_session_endpoint?: string;
  readonly jwks_uri?: string;
  readonly [field: string]: unknown;
}

/** The endpoints of an authority and what msal-ts derives from them. */
export interface AuthorityMetadata extends OpenIdConfiguration {
  /**
   * The tenant, re-derived from the first path segment of `token_endpoint` with its case kept, as
   * MSAL Python does: usually the tenant GUID, but `common`, `organizations` and `consumers` stay
   * as they are, AD FS gives `adfs`, B2C the tenant domain. This is the cache's `realm`.
   */
  readonly tenant: string;
  /** The configured authority's host name (lower-cased, no port). */
  readonly host: string;
  /** The configured authority's host with a non-default port, e.g. `localhost:8443`. */
  readonly instance: string;
}
