/**
 * What an authority URL says about the authority, before any request is made.
 *
 * @module
 */

/**
 * The kinds of authority.
 *
 * - `aad`: Microsoft Entra ID, `https://{host}/{tenant}` (`common`, `organizations`,
 *   `consumers`, a tenant GUID or a domain).
 * - `adfs`: AD FS, whose first path segment is `adfs`.
 * - `b2c`: Azure AD B2C, on a `*.b2clogin.*` host or with a `/{tenant}/b2c_{policy}` path.
 * - `ciam`: Microsoft Entra External ID, on a `*.ciamlogin.com` host; the path may be empty.
 * - `oidc`: any OpenID Connect provider, configured as `oidcAuthority`.
 */
export type AuthorityKind = "aad" | "adfs" | "b2c" | "ciam" | "oidc";

/** A parsed, frozen authority. Build one with `parseAuthority` or `resolveAuthorityConfig`. */
export interface AuthorityDescriptor {
  readonly kind: AuthorityKind;
  /**
   * The canonical authority URL: `https://{instance}{path}`, without a trailing slash, query or
   * fragment. For a path-less CIAM authority the path is the derived tenant.
   */
  readonly url: string;
  /** The URL as the application configured it. */
  readonly configuredUrl: string;
  /** The host name, lower-cased, without a port. */
  readonly host: string;
  /** The host with its port when the port is not 443 (`localhost:8443`), lower-cased. */
  readonly instance: string;
  /** The URL path without trailing slashes, e.g. `/common` or `/contoso.onmicrosoft.com/b2c_1_signin`. */
  readonly path: string;
  /** The configured query (`?x=y`) or the empty string; kept on the OpenID configuration URL. */
  readonly query: string;
  /**
   * The tenant as configured: the first path segment, or `{subdomain}.onmicrosoft.com` for a
   * path-less CIAM authority. Discovery re-derives the tenant from the token endpoint.
   */
  readonly tenant: string;
  /** An AD FS authority (also an OIDC authority whose first segment is `adfs`). */
  readonly isAdfs: boolean;
  /**
   * True for B2C, CIAM and generic OIDC authorities, as MSAL Python's flag: the ones a broker
   * cannot serve.
   */
  readonly isB2c: boolean;
  /**
   * The developer vouches for the authority: AD FS, B2C, CIAM, OIDC, or `validateAuthority: false`.
   * Such authorities skip instance discovery and alias lookups.
   */
  readonly isKnownToDeveloper: boolean;
  /** The OpenID configuration URL used when instance discovery does not provide one. */
  readonly openIdConfigurationUrl: string;
}
