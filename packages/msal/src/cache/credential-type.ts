/**
 * The section names of the unified token cache.
 *
 * @module
 */

/**
 * The five sections of the unified token cache, spelled as every MSAL spells them. Each is both
 * a top-level key of the serialized cache and, for the three credentials, the `credential_type`
 * written into their entries. `Account` and `AppMetadata` are not credentials, but they are
 * addressed the same way, as MSAL Python does.
 */
export const CredentialType = {
  /** Access tokens, one entry per account, authority host, client, tenant and set of scopes. */
  ACCESS_TOKEN: "AccessToken",
  /** Refresh tokens, one per account, authority host and client (or family); tenant-independent. */
  REFRESH_TOKEN: "RefreshToken",
  /** Raw id tokens, one per account, authority host, client and tenant. */
  ID_TOKEN: "IdToken",
  /** Accounts, one per user, authority host and tenant; not a credential. */
  ACCOUNT: "Account",
  /** What is known of each client, notably its membership in the family of client ids; not a credential. */
  APP_METADATA: "AppMetadata",
} as const;

/** One of the {@link CredentialType} section names. */
export type CredentialType = (typeof CredentialType)[keyof typeof CredentialType];

/** The section names in the order MSAL Python first writes them; used to recognise known sections. */
export const CREDENTIAL_TYPES: readonly CredentialType[] = Object.freeze([
  CredentialType.ACCESS_TOKEN,
  CredentialType.REFRESH_TOKEN,
  CredentialType.ID_TOKEN,
  CredentialType.ACCOUNT,
  CredentialType.APP_METADATA,
]);

/**
 * Tells whether a top-level key of a serialized cache is one of the five known sections.
 *
 * @param name A top-level key.
 * @returns `true` for a {@link CredentialType}, `false` for a section another MSAL added.
 */
export function isCredentialType(name: string): name is CredentialType {
  return (CREDENTIAL_TYPES as readonly string[]).includes(name);
}
