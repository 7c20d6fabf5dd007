/**
 * The `authority_type` values of Account entries.
 *
 * @module
 */

/**
 * What kind of authority an Account entry came from. `MSSTS` is Entra ID (work, school and
 * personal accounts alike), `ADFS` an AD FS server, `CLOUDSHELL` an Azure Cloud Shell session
 * (written by MSAL Python only).
 */
export const AuthorityType = {
  /** Entra ID (the Microsoft identity platform's security token service). */
  MSSTS: "MSSTS",
  /** An Active Directory Federation Services server. */
  ADFS: "ADFS",
  /** An account Azure Cloud Shell's tokens were cached with. */
  CLOUDSHELL: "CLOUDSHELL",
} as const;

/** One of the {@link AuthorityType} values; other MSALs may write further values. */
export type AuthorityType = (typeof AuthorityType)[keyof typeof AuthorityType];
