/**
 * Instance discovery: asking Entra whether it knows an authority's host, and where that
 * authority's OpenID configuration is.
 *
 * @module
 */

import { MsalError, NetworkError } from "../errors.js";
import type { HttpClient } from "../http/index.js";
import { readJson } from "../http/index.js";
import type { AuthorityDescriptor } from "./authority-descriptor.js";
import { DEFAULT_INSTANCE_DISCOVERY_ENDPOINT, WELL_KNOWN_AUTHORITY_HOSTS } from "./authority-hosts.js";
import type { DiscoveryAnswer } from "./discovery-http-cache.js";
import { discoveryGet } from "./discovery-request.js";

/**
 * The instance discovery endpoint an `instanceDiscovery` setting names, or `undefined` when it
 * turns instance discovery off (`false`, or an empty string as MSAL Python reads it).
 *
 * @internal
 */
export function instanceDiscoveryEndpoint(setting: boolean | string | undefined): string | undefined {
  if (setting === undefined || setting === true) return DEFAULT_INSTANCE_DISCOVERY_ENDPOINT;
  return setting === false || setting === "" ? undefined : setting;
}

/**
 * The instance discovery request for an authority, or `undefined` when none is made: when it
 * is turned off, the host is well known, or the developer vouches for the authority.
 *
 * @internal
 */
export function instanceDiscoveryUrl(
  authority: AuthorityDescriptor,
  setting: boolean | string | undefined,
  validateAuthority: boolean | undefined,
): string | undefined {
  const endpoint = instanceDiscoveryEndpoint(setting);
  if (endpoint === undefined || WELL_KNOWN_AUTHORITY_HOSTS.has(authority.instance)) return undefined;
  if (authority.isKnownToDeveloper || validateAuthority === false) return undefined;
  const url = new URL(endpoint);
  url.searchParams.set("api-version", "1.0");
  url.searchParams.set("authorization_endpoint", `https://${authority.instance}${authority.path}/oauth2/v2.0/authorize`);
  return url.href;
}

/**
 * Runs instance discovery (api-version 1.0): the request, and the answer unless it is a 5xx.
 *
 * @throws {@link NetworkError} for a transport failure, a 5xx status, or a body that is not JSON.
 * @internal
 */
export async function fetchInstanceDiscovery(httpClient: HttpClient, url: string): Promise<DiscoveryAnswer> {
  const response = await discoveryGet(httpClient, url);
  if (response.status >= 500) {
    throw new NetworkError("ERR_HTTP_STATUS", `Instance discovery at ${endpointOf(url)} failed with HTTP ${response.status}; try again later.`, {
      status: response.status,
    });
  }
  // The status is not checked otherwise: Entra answers an unknown host with a 400 whose JSON
  // `error` says invalid_instance, and MSAL Python reads the body whatever the status.
  return { status: response.status, body: await readJson(response, url) };
}

/**
 * Reads an instance discovery answer (api-version 1.0).
 *
 * @returns The `tenant_discovery_endpoint`: the URL of the authority's OpenID configuration.
 * @throws {@link MsalError} `ERR_AUTHORITY` when the host is unknown (`invalid_instance`);
 *   `ERR_DISCOVERY` when the answer names no https `tenant_discovery_endpoint`.
 * @internal
 */
export function tenantDiscoveryEndpointOf(answer: DiscoveryAnswer, url: string, authority: AuthorityDescriptor): string {
  const { body, status } = answer;
  const description = typeof body.error_description === "string" ? ` (${body.error_description})` : "";
  if (body.error === "invalid_instance") {
    throw new MsalError(
      "ERR_AUTHORITY",
      `The authority ${authority.configuredUrl} is not trusted: instance discovery at ${endpointOf(url)} ` +
        `does not know the host ${authority.instance}${description}. If it is your own domain or a private ` +
        "cloud, set validateAuthority: false or instanceDiscovery: false to skip this check.",
    );
  }
  const endpoint = body.tenant_discovery_endpoint;
  // A URL that parses, with an https scheme and a host: "https:// host/…" passes a prefix test only.
  const parsed = typeof endpoint === "string" && URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  if (typeof endpoint !== "string" || parsed?.protocol !== "https:" || !parsed.hostname || !/^https:\/\//i.test(endpoint)) {
    const error = typeof body.error === "string" ? ` ${body.error}${description}` : "";
    throw new MsalError(
      "ERR_DISCOVERY",
      `Instance discovery at ${endpointOf(url)} for ${authority.configuredUrl} answered HTTP ${status}${error} ` +
        "without an https tenant_discovery_endpoint.",
    );
  }
  return endpoint;
}

function endpointOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}
