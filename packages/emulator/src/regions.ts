import { isIP } from "node:net";

// Regional endpoints (ESTS-R, authority-wire-format §5): the emulator also answers on
// `{region}.{host}` (and `{region}.login.microsoft.com` for the public cloud's central hosts), the
// names MSALs derive from the central host when an app has an Azure region. Issuers stay central.

/** The public cloud's central hosts, whose regional hosts are `{region}.login.microsoft.com`. */
const MICROSOFT_CENTRAL_HOSTS = new Set(["login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net"]);

/** An Azure region name: one DNS label (`westus2`, `centraluseuap`). */
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** True when `value` can be a region: lower-case letters, digits and inner hyphens, one DNS label. */
export function isRegionName(value: unknown): value is string {
  return typeof value === "string" && REGION.test(value);
}

/**
 * The regional name of a central host name (no port), as MSALs build it; `undefined` for an IP
 * address, which has none.
 */
export function regionalName(centralName: string, region: string): string | undefined {
  if (isIP(centralName) !== 0) return undefined;
  const name = centralName.toLowerCase();
  return MICROSOFT_CENTRAL_HOSTS.has(name) ? `${region}.login.microsoft.com` : `${region}.${name}`;
}

/** A regional host name the emulator answers on, and what it stands for. */
export interface RegionalHost {
  readonly region: string;
  /** The central host name (no port) it is the regional twin of. */
  readonly central: string;
}

/**
 * The regional host names of an emulator, keyed by name (no port): for each region, the regional
 * name of each of its DNS names. When two central names share a regional name (every Microsoft
 * host shares `{region}.login.microsoft.com`), the first one listed is the one it stands for.
 *
 * @param names - The emulator's host names, without port (IP addresses are skipped).
 * @param regions - Region names.
 */
export function regionalHosts(names: readonly string[], regions: readonly string[]): ReadonlyMap<string, RegionalHost> {
  const byName = new Map<string, RegionalHost>();
  for (const region of regions) {
    for (const name of names) {
      const regional = regionalName(name, region);
      if (regional !== undefined && !byName.has(regional)) byName.set(regional, { region, central: name.toLowerCase() });
    }
  }
  return byName;
}
