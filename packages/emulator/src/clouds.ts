// Microsoft's public and sovereign cloud hosts, as instance discovery publishes them
// (authority-wire-format §1.2). MSAL Python's alias lookup asks any instance about
// login.microsoftonline.com, so the emulator must know these groups too.

/** One alias group of instance discovery. */
export interface CloudAliasGroup {
  readonly preferred_network: string;
  readonly preferred_cache: string;
  readonly aliases: readonly string[];
}

/** The Microsoft cloud alias groups. */
export const MICROSOFT_CLOUDS: readonly CloudAliasGroup[] = [
  {
    preferred_network: "login.microsoftonline.com",
    preferred_cache: "login.windows.net",
    aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
  },
  {
    preferred_network: "login.partner.microsoftonline.cn",
    preferred_cache: "login.partner.microsoftonline.cn",
    aliases: ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
  },
  { preferred_network: "login.microsoftonline.de", preferred_cache: "login.microsoftonline.de", aliases: ["login.microsoftonline.de"] },
  {
    preferred_network: "login.microsoftonline.us",
    preferred_cache: "login.microsoftonline.us",
    aliases: ["login.microsoftonline.us", "login.usgovcloudapi.net"],
  },
  { preferred_network: "login-us.microsoftonline.com", preferred_cache: "login-us.microsoftonline.com", aliases: ["login-us.microsoftonline.com"] },
];

/** True when `host` (lower-case, no port) is a Microsoft cloud authority host. */
export function isMicrosoftCloudHost(host: string): boolean {
  return MICROSOFT_CLOUDS.some((g) => g.aliases.includes(host));
}
