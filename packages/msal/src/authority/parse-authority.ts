/**
 * Parsing authority URLs into {@link AuthorityDescriptor}s.
 *
 * @module
 */

import { invalidArgType, invalidArgValue, MsalError } from "../errors.js";
import type { AuthorityDescriptor, AuthorityKind } from "./authority-descriptor.js";
import { B2C_HOST_SUFFIXES, CIAM_HOST_SUFFIX, DEFAULT_AUTHORITY } from "./authority-hosts.js";

/** Options of {@link parseAuthority}. */
export interface ParseAuthorityOptions {
  /**
   * `false` marks the authority as known to the developer, which skips instance discovery
   * (MSAL Python's `validate_authority`). Default `true`.
   */
  validateAuthority?: boolean | undefined;
}

/** The authority settings of an application, as its constructor receives them. */
export interface AuthorityConfig {
  /** An Entra ID, AD FS, B2C or CIAM authority URL. Default {@link DEFAULT_AUTHORITY}. */
  authority?: string | undefined;
  /** A generic OpenID Connect authority (its issuer URL). Excludes `authority`. */
  oidcAuthority?: string | undefined;
  /** See {@link ParseAuthorityOptions.validateAuthority}. */
  validateAuthority?: boolean | undefined;
  /**
   * `false` skips instance discovery and alias lookups; a string is the https URL of the
   * instance discovery endpoint to use instead of the world-wide one. Default `true`.
   */
  instanceDiscovery?: boolean | string | undefined;
}

/**
 * Parses an Entra ID, AD FS, B2C or CIAM authority URL.
 *
 * Rules (MSAL Python's): the URL must be https and, except on a `*.ciamlogin.com` host, have a
 * first path segment, which is the tenant; further path, a query and a fragment are allowed. The
 * authority is AD FS when that segment is `adfs` (case-insensitive, not on a CIAM host), and B2C
 * when the host is a B2C or CIAM host or the path is exactly `/{tenant}/b2c_{policy}`.
 *
 * @param url - The authority URL, e.g. `https://login.microsoftonline.com/contoso.onmicrosoft.com`.
 * @param options - `validateAuthority`.
 * @returns A frozen descriptor; pass it to `discoverAuthority`.
 * @throws {@link MsalError} `ERR_AUTHORITY` when the URL is not such an authority.
 */
export function parseAuthority(url: string, options: ParseAuthorityOptions = {}): AuthorityDescriptor {
  const parsed = parseHttpsAuthority(url, "authority");
  const isCiam = parsed.host.endsWith(CIAM_HOST_SUFFIX);
  const isAdfs = !isCiam && parsed.tenant.toLowerCase() === "adfs";
  const segments = parsed.path.split("/");
  const isB2c =
    B2C_HOST_SUFFIXES.some((suffix) => parsed.host.endsWith(suffix)) ||
    (segments.length === 3 && segments[2]!.toLowerCase().startsWith("b2c_"));
  const kind: AuthorityKind = isCiam ? "ciam" : isAdfs ? "adfs" : isB2c ? "b2c" : "aad";
  return Object.freeze({
    kind,
    ...locationOf(parsed, url),
    isAdfs,
    isB2c,
    isKnownToDeveloper: isAdfs || isB2c || options.validateAuthority === false,
    // AD FS publishes its document without the /v2.0 of Entra's v2 endpoint; B2C keeps its
    // /tenant/policy path in front of it.
    openIdConfigurationUrl: `https://${parsed.instance}${parsed.path}${isAdfs ? "" : "/v2.0"}/.well-known/openid-configuration${parsed.query}`,
  });
}

/**
 * Parses a generic OpenID Connect authority (MSAL Python's `oidc_authority`): any https issuer
 * URL, whose document is at the URL plus `/.well-known/openid-configuration`. Such an authority
 * is known to the developer: no instance discovery, no aliases, no broker.
 *
 * @param url - The issuer URL, e.g. `https://contoso.com/tenant`.
 * @returns A frozen descriptor of kind `oidc`.
 * @throws {@link MsalError} `ERR_AUTHORITY` when the URL is not https or has no path.
 */
export function parseOidcAuthority(url: string): AuthorityDescriptor {
  const parsed = parseHttpsAuthority(url, "oidcAuthority");
  return Object.freeze({
    kind: "oidc",
    ...locationOf(parsed, url),
    isAdfs: parsed.tenant.toLowerCase() === "adfs",
    isB2c: true,
    isKnownToDeveloper: true,
    openIdConfigurationUrl: `https://${parsed.instance}${parsed.path}/.well-known/openid-configuration${parsed.query}`,
  });
}

/** The fields of a descriptor that say where the authority is, for every kind alike. */
function locationOf(parsed: ReturnType<typeof parseHttpsAuthority>, configuredUrl: string) {
  return {
    url: `https://${parsed.instance}${parsed.path}`,
    configuredUrl,
    host: parsed.host,
    instance: parsed.instance,
    path: parsed.path,
    query: parsed.query,
    tenant: parsed.tenant,
  };
}

/**
 * Checks an application's authority settings and parses its authority.
 *
 * @param config - `authority` or `oidcAuthority` (not both), `validateAuthority`, `instanceDiscovery`.
 * @returns The descriptor of `oidcAuthority`, else of `authority`, else of {@link DEFAULT_AUTHORITY}.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a setting of the wrong
 *   type, both authorities at once, or an `instanceDiscovery` string that is not an https URL;
 *   {@link MsalError} `ERR_AUTHORITY` for an authority URL that is not one.
 */
export function resolveAuthorityConfig(config: AuthorityConfig): AuthorityDescriptor {
  const { authority, oidcAuthority, validateAuthority, instanceDiscovery } = config;
  if (authority !== undefined && typeof authority !== "string") throw invalidArgType("authority must be a URL string.");
  if (oidcAuthority !== undefined && typeof oidcAuthority !== "string") {
    throw invalidArgType("oidcAuthority must be a URL string.");
  }
  if (validateAuthority !== undefined && typeof validateAuthority !== "boolean") {
    throw invalidArgType("validateAuthority must be a boolean.");
  }
  checkInstanceDiscovery(instanceDiscovery);
  if (authority && oidcAuthority) {
    throw invalidArgValue(
      "Pass either authority (an Entra ID, AD FS, B2C or CIAM authority) or oidcAuthority (any other " +
        "OpenID Connect provider), not both.",
    );
  }
  if (oidcAuthority) return parseOidcAuthority(oidcAuthority);
  return parseAuthority(authority || DEFAULT_AUTHORITY, { validateAuthority });
}

/**
 * Checks an `instanceDiscovery` setting: a boolean, or the https URL of an instance discovery
 * endpoint.
 *
 * @internal
 */
export function checkInstanceDiscovery(value: unknown): void {
  if (value === undefined || typeof value === "boolean") return;
  if (typeof value !== "string") throw invalidArgType("instanceDiscovery must be a boolean or an https URL.");
  if (value === "") return; // empty, like false: MSAL Python tests the setting for truth
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:") {
    throw invalidArgValue(`instanceDiscovery must be an https URL of an instance discovery endpoint; got ${value}.`);
  }
}

interface ParsedAuthority {
  host: string;
  instance: string;
  path: string;
  query: string;
  tenant: string;
}

/**
 * The shared part of parsing: https, a host, and a tenant (first path segment, or the CIAM
 * subdomain's `.onmicrosoft.com` domain when a CIAM authority has no path).
 *
 * @internal
 */
export function parseHttpsAuthority(url: string, name: string): ParsedAuthority {
  if (typeof url !== "string") throw invalidArgType(`${name} must be a URL string.`);
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (u?.protocol !== "https:" || !u.hostname) {
    throw new MsalError(
      "ERR_AUTHORITY",
      `${name} must be an https URL, such as https://login.microsoftonline.com/{tenant}, ` +
        `https://{name}.ciamlogin.com/{tenant} or https://{name}.b2clogin.com/{name}.onmicrosoft.com/{policy}; ` +
        `got ${url}. https is required: tokens must not travel in the clear.`,
    );
  }
  const host = u.hostname.toLowerCase();
  const path = u.pathname.replace(/\/+$/, "");
  // The tenant is the first segment itself: "https://host//tenant" has none, as in MSAL Python.
  const first = u.pathname.split("/")[1] ?? "";
  let tenant = first;
  let canonicalPath = path;
  if (!first) {
    if (host.endsWith(CIAM_HOST_SUFFIX) && path === "") {
      // A path-less CIAM authority stands for its own tenant; the path makes it explicit so that
      // every URL built from it (metadata, instance discovery) carries the tenant.
      tenant = `${host.slice(0, -CIAM_HOST_SUFFIX.length)}.onmicrosoft.com`;
      canonicalPath = `/${tenant}`;
    } else {
      throw new MsalError(
        "ERR_AUTHORITY",
        `${name} ${url} has no tenant: give at least one path segment, e.g. ` +
          `https://login.microsoftonline.com/{tenant} or https://{name}.b2clogin.com/{name}.onmicrosoft.com/{policy}.`,
      );
    }
  }
  return { host, instance: u.host.toLowerCase(), path: canonicalPath, query: u.search, tenant };
}
