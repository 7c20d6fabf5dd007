/**
 * Tenant discovery: fetching and checking an authority's OpenID Connect configuration.
 *
 * @module
 */

import { MsalError, NetworkError } from "../errors.js";
import type { HttpClient } from "../http/index.js";
import { readJson } from "../http/index.js";
import type { AuthorityDescriptor } from "./authority-descriptor.js";
import type { OpenIdConfiguration } from "./authority-metadata.js";
import type { DiscoveryAnswer } from "./discovery-http-cache.js";
import { discoveryGet, errorDetail } from "./discovery-request.js";
import { parseHttpsAuthority } from "./parse-authority.js";

/** A checked OpenID configuration and the tenant its token endpoint names. @internal */
export interface DiscoveredConfiguration {
  readonly document: OpenIdConfiguration;
  readonly tenant: string;
}

// The endpoints msal-ts sends requests or users to; each must be https when present.
const ENDPOINTS = ["authorization_endpoint", "token_endpoint", "device_authorization_endpoint"] as const;
// Optional fields kept only when they are strings, so that their types hold.
const OPTIONAL_STRINGS = ["device_authorization_endpoint", "issuer", "end_session_endpoint", "jwks_uri"] as const;

/**
 * GETs an OpenID configuration document; {@link checkConfiguration} checks it.
 *
 * - 2xx: the body must be a JSON object, else {@link NetworkError} `ERR_INVALID_RESPONSE`.
 * - 4xx: {@link MsalError} `ERR_DISCOVERY`, typically an unknown tenant.
 * - anything else: {@link NetworkError} `ERR_HTTP_STATUS`, a transient failure.
 *
 * @internal
 */
export async function fetchOpenIdConfiguration(
  httpClient: HttpClient,
  url: string,
  authority: AuthorityDescriptor,
): Promise<DiscoveryAnswer> {
  const response = await discoveryGet(httpClient, url);
  const { status } = response;
  if (status >= 200 && status < 300) return { status, body: await readJson(response, url) };
  if (status >= 400 && status < 500) {
    // The authority's own error (e.g. invalid_tenant) rides along as the cause, so that an
    // acquire call can hand it to the caller as an error result.
    const { detail, serverError } = await errorDetail(response);
    throw new MsalError(
      "ERR_DISCOVERY",
      `OpenID Connect discovery of the authority ${authority.configuredUrl} failed: ${url} answered HTTP ${status}` +
        (detail ? ` (${detail})` : "") +
        ". " +
        (authority.kind === "oidc"
          ? "Check that the oidcAuthority is the issuer URL of an OpenID Connect provider."
          : "Check the tenant name or GUID. An authority looks like https://login.microsoftonline.com/{tenant}, " +
            "https://{name}.ciamlogin.com or https://{name}.b2clogin.com/{name}.onmicrosoft.com/{policy}."),
      serverError ? { cause: serverError } : undefined,
    );
  }
  throw new NetworkError("ERR_HTTP_STATUS", `OpenID Connect discovery at ${url} failed with HTTP ${status}; try again later.`, {
    status,
  });
}

/**
 * Checks an OpenID configuration document: https `authorization_endpoint` and `token_endpoint`
 * (and `device_authorization_endpoint` when present), a tenant in the token endpoint, and an
 * `issuer` that names no other tenant (when both name a tenant GUID).
 *
 * @throws {@link MsalError} `ERR_DISCOVERY` for a document that cannot be used.
 * @internal
 */
export function checkConfiguration(body: Readonly<Record<string, unknown>>, url: string): DiscoveredConfiguration {
  const fail = (why: string): MsalError =>
    new MsalError("ERR_DISCOVERY", `The OpenID configuration at ${url} cannot be used: ${why}.`);
  const document: Record<string, unknown> = { ...body };
  for (const field of OPTIONAL_STRINGS) {
    if (typeof document[field] !== "string") delete document[field];
  }
  for (const field of ENDPOINTS) {
    const value = document[field];
    if (value === undefined && field === "device_authorization_endpoint") continue;
    if (typeof value !== "string") throw fail(`it has no ${field}`);
    if (!isHttpsUrl(value)) throw fail(`its ${field} ${value} is not an https URL`);
  }
  let tenant: string;
  try {
    tenant = parseHttpsAuthority(document.token_endpoint as string, "token_endpoint").tenant;
  } catch {
    throw fail(`its token_endpoint ${String(document.token_endpoint)} names no tenant`);
  }
  // A tenant's document names the tenant in its issuer too. One whose issuer names another tenant
  // is not this authority's (a proxy's, or an impostor's); memoised, it would fail every ID token
  // for a day, so it is refused here. Multi-tenant documents ({tenantid}) and names are left alone.
  const issuerTenant = typeof document.issuer === "string" ? firstPathSegment(document.issuer) : undefined;
  if (issuerTenant !== undefined && GUID.test(issuerTenant) && GUID.test(tenant) && issuerTenant.toLowerCase() !== tenant.toLowerCase()) {
    throw fail(`its issuer ${String(document.issuer)} names another tenant than its token_endpoint (${tenant})`);
  }
  return Object.freeze({ document: Object.freeze(document) as OpenIdConfiguration, tenant });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function firstPathSegment(url: string): string | undefined {
  try {
    return new URL(url).pathname.split("/")[1] || undefined;
  } catch {
    return undefined;
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
