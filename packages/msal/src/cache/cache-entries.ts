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
  readonly credential_type: "AccessToken";
  /** The access token itself (or an SSH certificate, or a PoP token). */
  readonly secret: string;
  readonly home_account_id: string | null;
  /** The authority host, lowercase, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  readonly client_id: string;
  /** The tenant: the first path segment of the token endpoint. */
  readonly realm: string;
  /** Granted scopes, sorted, separated by single spaces. */
  readonly target: string;
  /** `Bearer` unless the server said otherwise (`bearer`, `pop`, `ssh-cert`). */
  readonly token_type: string;
  readonly cached_at: string;
  readonly expires_on: string;
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
  readonly credential_type: "RefreshToken";
  readonly secret: string;
  readonly home_account_id: string | null;
  readonly environment: string;
  readonly client_id: string;
  /** Optional in the schema; MSAL Python writes the granted scopes. */
  readonly target?: string;
  readonly last_modification_time?: string;
  /** `"1"` for a family refresh token (FOCI). */
  readonly family_id?: string;
  readonly [field: string]: unknown;
}

/** A raw ID token, kept for the account it describes. */
export interface IdTokenEntry {
  readonly credential_type: "IdToken";
  /** The ID token JWT. */
  readonly secret: string;
  readonly home_account_id: string | null;
  readonly environment: string;
  readonly realm: string;
  readonly client_id: string;
  readonly [field: string]: unknown;
}

/** An account in one tenant. It has no `credential_type`. */
export interface AccountEntry {
  readonly home_account_id: string;
  readonly environment: string;
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
  readonly client_id: string;
  readonly environment: string;
  readonly family_id?: string;
  readonly [field: string]: unknown;
}

/** The entry type stored in each section. */
export interface CacheEntryBySection {
  readonly AccessToken: AccessTokenEntry;
  readonly RefreshToken: RefreshTokenEntry;
  readonly IdToken: IdTokenEntry;
  readonly Account: AccountEntry;
  readonly AppMetadata: AppMetadataEntry;
}

/** Any entry of the five known sections. */
export type CacheEntry = CacheEntryBySection[CredentialType];
