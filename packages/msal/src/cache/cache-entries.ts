/**
 * The entries of the unified token cache, typed as they are stored: snake_case keys, string
 * timestamps (decimal epoch seconds), and room for fields written by other MSALs.
 *
 * @module
 */

import type { CredentialType } from "./credential-type.js";

/**
 * An access token. `home_account_id` is `null` for an app-only token (client credentials,
 * managed identity); MSAL JS writes `""` there instead, and lookups treat both alike.
 */
export interface AccessTokenEntry {
  /** Always `AccessToken`, whatever the token's type. */
  readonly credential_type: "AccessToken";
  /** The access token itself (or an SSH certificate, or a PoP token). */
  readonly secret: string;
  /** The account the token was issued for (`{uid}.{utid}`); `null` for an app-only token. */
  readonly home_account_id: string | null;
  /** The authority host, lowercase, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The app the token was issued to (for managed identity, the identity's id or `SYSTEM_ASSIGNED_MANAGED_IDENTITY`). */
  readonly client_id: string;
  /** The tenant: the first path segment of the token endpoint. */
  readonly realm: string;
  /** Granted scopes, sorted, separated by single spaces. */
  readonly target: string;
  /** `Bearer` unless the server said otherwise (`bearer`, `pop`, `ssh-cert`). */
  readonly token_type: string;
  /** When the entry was written, in epoch seconds. */
  readonly cached_at: string;
  /** When the access token expires, in epoch seconds (`cached_at` + `expires_in`). */
  readonly expires_on: string;
  /**
   * When the access token stops being usable even during an outage, in epoch seconds
   * (`cached_at` + `ext_expires_in`, else `expires_on`). Written for other MSALs; never consulted.
   */
  readonly extended_expires_on: string;
  /** When the app should refresh proactively; only when the server sent `refresh_in`. */
  readonly refresh_on?: string;
  /** The key an SSH certificate or PoP token is bound to, from the request's `data.key_id`. */
  readonly key_id?: string;
  /** Fields written by other MSALs, kept as they are. */
  readonly [field: string]: unknown;
}

/** A refresh token. It belongs to no tenant, so it has no `realm`. */
export interface RefreshTokenEntry {
  /** Always `RefreshToken`. */
  readonly credential_type: "RefreshToken";
  /** The refresh token itself. */
  readonly secret: string;
  /** The account the token was issued for (`{uid}.{utid}`, or the id token's `sub`). */
  readonly home_account_id: string | null;
  /** The authority host, lowercase, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The app the token was issued to; a family refresh token may be used by its siblings too. */
  readonly client_id: string;
  /** Optional in the schema; MSAL Python writes the granted scopes. */
  readonly target?: string;
  /** When the secret was last written, in epoch seconds; the newest refresh token is tried first. */
  readonly last_modification_time?: string;
  /** `"1"` for a family refresh token (FOCI). */
  readonly family_id?: string;
  readonly [field: string]: unknown;
}

/** A raw ID token, kept for the account it describes. */
export interface IdTokenEntry {
  /** Always `IdToken`. */
  readonly credential_type: "IdToken";
  /** The ID token JWT. */
  readonly secret: string;
  /** The account the token describes (`{uid}.{utid}`, or the id token's `sub`). */
  readonly home_account_id: string | null;
  /** The authority host, lowercase, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The tenant: the first path segment of the token endpoint. */
  readonly realm: string;
  /** The app the token was issued to. */
  readonly client_id: string;
  readonly [field: string]: unknown;
}

/** An account in one tenant. It has no `credential_type`. */
export interface AccountEntry {
  /** The user's id across tenants: `{uid}.{utid}` from `client_info`, or the id token's `sub`. */
  readonly home_account_id: string;
  /** The authority host, lowercase, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The tenant: the first path segment of the token endpoint (a tenant id, `organizations`, `adfs`, …). */
  readonly realm: string;
  /** The `oid` (or `sub`) of the ID token, or the broker's account id. */
  readonly local_account_id: string | null;
  /** Empty string, never `null`, when unknown. */
  readonly username: string;
  /** One of {@link AuthorityType}, or another MSAL's value. */
  readonly authority_type: string;
  /** The grant that established the account, when it was an interactive kind of grant. */
  readonly account_source?: string;
  readonly [field: string]: unknown;
}

/** What this app learned about itself in one environment: that it was used there, and its family. */
export interface AppMetadataEntry {
  /** The app's client id. */
  readonly client_id: string;
  /** The authority host, lowercase, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** `"1"` once the authority told the app it is in the family of client ids (FOCI). */
  readonly family_id?: string;
  readonly [field: string]: unknown;
}

/** The entry type stored in each section. */
export interface CacheEntryBySection {
  /** Access token entries. */
  readonly AccessToken: AccessTokenEntry;
  /** Refresh token entries. */
  readonly RefreshToken: RefreshTokenEntry;
  /** ID token entries. */
  readonly IdToken: IdTokenEntry;
  /** Account entries. */
  readonly Account: AccountEntry;
  /** App metadata entries. */
  readonly AppMetadata: AppMetadataEntry;
}

/** Any entry of the five known sections. */
export type CacheEntry = CacheEntryBySection[CredentialType];
