/**
 * The hosts of Microsoft's clouds that msal-ts knows without asking.
 *
 * @module
 */

/** The public (world-wide) cloud's sign-in host. */
export const AZURE_PUBLIC = "login.microsoftonline.com";
/** Azure operated by 21Vianet (China). */
export const AZURE_CHINA = "login.chinacloudapi.cn";
/** Azure US Government. */
export const AZURE_US_GOVERNMENT = "login.microsoftonline.us";

/**
 * The sovereign clouds' sign-in hosts by name, for building an authority URL such as
 * `https://${AzureCloudInstance.AZURE_CHINA}/contoso.onmicrosoft.com`.
 */
export const AzureCloudInstance = {
  AZURE_PUBLIC,
  AZURE_CHINA,
  AZURE_US_GOVERNMENT,
} as const;
/** One of the {@link AzureCloudInstance} hosts. */
export type AzureCloudInstance = (typeof AzureCloudInstance)[keyof typeof AzureCloudInstance];

/**
 * Hosts trusted without instance discovery, as in MSAL Python. Other Microsoft hosts
 * (`login.windows.net`, `login.microsoft.com`, `sts.windows.net`) are validated like any other.
 */
export const WELL_KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  AZURE_PUBLIC,
  AZURE_CHINA,
  "login-us.microsoftonline.com",
  AZURE_US_GOVERNMENT,
]);

/** The authority used when the application configures none. */
export const DEFAULT_AUTHORITY = `https://${AZURE_PUBLIC}/common`;

/** Where instance discovery asks by default; always the world-wide host, as in MSAL Python. */
export const DEFAULT_INSTANCE_DISCOVERY_ENDPOINT = `https://${AZURE_PUBLIC}/common/discovery/instance`;

/** Host suffixes of Azure AD B2C, and of External ID (CIAM), which MSAL Python treats as B2C. */
export const B2C_HOST_SUFFIXES: readonly string[] = [
  ".b2clogin.com",
  ".b2clogin.cn",
  ".b2clogin.us",
  ".b2clogin.de",
  ".ciamlogin.com",
];

/** The host suffix of Microsoft Entra External ID (CIAM). */
export const CIAM_HOST_SUFFIX = ".ciamlogin.com";

/**
 * Renders `https://{instance}/{tenant}` from a host and a tenant, trimming the slashes around
 * them, as MSAL Python's `AuthorityBuilder` does.
 *
 * @param instance - A host such as {@link AzureCloudInstance.AZURE_PUBLIC}.
 * @param tenant - A tenant GUID or domain, `common`, `organizations` or `consumers`.
 * @returns The authority URL.
 */
export function buildAuthorityUrl(instance: string, tenant: string): string {
  return `https://${instance.replace(/\/+$/, "")}/${tenant.replace(/^\/+|\/+$/g, "")}`;
}
