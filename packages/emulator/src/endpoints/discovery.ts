import { MICROSOFT_CLOUDS, isMicrosoftCloudHost } from "../clouds.js";
import { CONSUMERS_TENANT_ID } from "../directory.js";
import type { EmulatorContext } from "../context.js";
import { EntraError, invalidInstance } from "../errors.js";
import { DISCOVERY_HEADERS, json } from "../http.js";
import type { Handler } from "../http.js";
import { selectTenant } from "../tenant-selection.js";
import { issuerFor, tenantEndpoints } from "../urls.js";

// Tenant discovery (OpenID configuration) and instance discovery (authority-wire-format §1.1, §1.2).

const CLAIMS_SUPPORTED = [
  "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud",
  "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
];

/** `GET /{tenant}/v2.0/.well-known/openid-configuration` (and the path without `v2.0`). */
export function createOpenIdConfigurationEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    const selection = selectTenant(ctx.directory, request);
    // Tenant documents carry the GUID everywhere, even when asked by domain (MSALs read the tenant
    // back from the endpoints); multi-tenant documents keep the literal segment and a placeholder issuer.
    const urlTenant = selection.kind === "tenant" ? selection.tenant.id : selection.segment;
    const issuerTenant =
      selection.kind === "tenant"
        ? selection.tenant.id
        : selection.segment === "consumers"
          ? CONSUMERS_TENANT_ID
          : "{tenantid}";
    // Asked at a regional host (ESTS-R), the endpoints are regional; the issuer stays central.
    const urls = tenantEndpoints(request.regionalHost ?? request.host, urlTenant);
    return json(
      200,
      {
        token_endpoint: urls.token,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: urls.jwks,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: issuerFor(request.host, issuerTenant),
        request_uri_parameter_supported: false,
        userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
        authorization_endpoint: urls.authorization,
        device_authorization_endpoint: urls.deviceAuthorization,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: urls.endSession,
        claims_supported: CLAIMS_SUPPORTED,
        kerberos_endpoint: urls.kerberos,
        tenant_region_scope: selection.kind === "tenant" ? "WW" : null,
        cloud_instance_name: "microsoftonline.com",
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net",
      },
      DISCOVERY_HEADERS,
    );
  };
}

/**
 * `GET /common/discovery/instance?api-version=…&authorization_endpoint=…`. For the emulator's own hosts
 * the answer names the emulator as its own single-alias cloud; for a Microsoft cloud host (MSAL Python's
 * alias lookup always asks about login.microsoftonline.com) it also lists Microsoft's alias groups, as
 * the real service does; any other host is an unknown instance.
 */
export function createInstanceDiscoveryEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    const authorizationEndpoint = request.query.get("authorization_endpoint");
    if (!authorizationEndpoint) {
      throw new EntraError(400, "invalid_request", 50050, "The request is malformed: 'authorization_endpoint' is missing.");
    }
    let endpoint: URL;
    try {
      endpoint = new URL(authorizationEndpoint);
    } catch {
      throw invalidInstance();
    }
    const host = endpoint.host.toLowerCase();
    const own = ctx.knownHosts.has(host);
    if (endpoint.protocol !== "https:" || (!own && !isMicrosoftCloudHost(host))) throw invalidInstance();
    const tenant = endpoint.pathname.split("/")[1] || "common";
    const self = own ? host : request.host;
    return json(
      200,
      {
        tenant_discovery_endpoint: tenantEndpoints(host, tenant).openidConfiguration,
        "api-version": "1.1",
        metadata: [
          { preferred_network: self, preferred_cache: self, aliases: [self] },
          ...(own ? [] : MICROSOFT_CLOUDS),
        ],
      },
      DISCOVERY_HEADERS,
    );
  };
}
