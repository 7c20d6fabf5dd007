import type { SourceEndpoint, SourceResponse, SourceServices } from "./endpoint.js";
import { findResource, header, issueContext, selectIdentity, unknownResourceText } from "./endpoint.js";
import { issueIdentityToken } from "./tokens.js";
import type { IssuedManagedIdentityToken } from "./tokens.js";

// The Instance Metadata Service of Azure VMs (authority-wire-format §4.2):
// GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…[&client_id|object_id|msi_res_id=…]
// with `Metadata: true`. Every value of its answer is a string; it sends both expires_in and
// expires_on (MSAL Python reads the first, msal-node the second).

/** The path IMDS serves tokens at (also Azure Arc's and Service Fabric's). */
export const IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token";

/** The oldest api-version IMDS's token endpoint takes. */
const OLDEST_API_VERSION = "2018-02-01";

/** IMDS's answer with a token, every value a string (shared by Arc and Cloud Shell, which answer alike). */
export function imdsTokenBody(token: IssuedManagedIdentityToken, resource: string, clientId: string): Record<string, string> {
  return {
    access_token: token.access_token,
    refresh_token: "",
    expires_in: String(token.expires_in),
    expires_on: String(token.expires_on),
    ext_expires_in: String(token.expires_in),
    not_before: String(token.not_before),
    resource,
    token_type: "Bearer",
    client_id: clientId,
  };
}

/** An IMDS-style (OAuth) error answer. */
export function imdsError(status: number, error: string, description: string, headers?: Readonly<Record<string, string>>): SourceResponse {
  return { status, body: { error, error_description: description }, ...(headers ? { headers } : {}) };
}

/**
 * IMDS: `Metadata: true` is required (400 `bad_request_102` otherwise, IMDS's guard against requests
 * forged through a server-side redirect); user-assigned identities are named by `client_id`,
 * `object_id` or `msi_res_id` (and `mi_res_id`, which msal-node sends).
 */
export function createImdsEndpoint(services: SourceServices): SourceEndpoint {
  return {
    source: "imds",
    method: "GET",
    path: IMDS_TOKEN_PATH,
    failure: (status, message) => imdsError(status, status === 429 ? "too_many_requests" : "unknown", message),
    async handle(request) {
      if (header(request, "metadata") !== "true") return imdsError(400, "bad_request_102", "Required metadata header not specified");
      const version = request.query.get("api-version");
      if (!version) return imdsError(400, "invalid_request", "Required query variable 'api-version' is missing");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(version) || version < OLDEST_API_VERSION) {
        return imdsError(400, "invalid_request", `Invalid api-version ${version}; the token endpoint takes ${OLDEST_API_VERSION} or later`);
      }
      const resource = request.query.get("resource");
      if (!resource) return imdsError(400, "invalid_request", "Required audience parameter not specified");
      const selection = selectIdentity(services, request.query, {
        client_id: "clientId",
        object_id: "objectId",
        msi_res_id: "resourceId",
        mi_res_id: "resourceId",
      });
      if (selection.kind === "ambiguous") {
        return imdsError(400, "invalid_request", `Only one of ${selection.names.join(", ")} may be given`);
      }
      if (selection.kind === "unknown") return imdsError(400, "invalid_request", "Identity not found");
      const api = findResource(services, resource);
      if (!api) return imdsError(400, "invalid_resource", unknownResourceText(services, resource));
      const token = await issueIdentityToken(issueContext(services, request.now), selection.identity, api);
      return { status: 200, body: imdsTokenBody(token, resource, selection.identity.clientId), clientId: selection.identity.clientId };
    },
  };
}
