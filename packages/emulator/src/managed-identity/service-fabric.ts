import { randomUUID } from "node:crypto";
import type { SourceEndpoint, SourceResponse, SourceServices } from "./endpoint.js";
import { findResource, header, issueContext, sameSecret, unknownResourceText } from "./endpoint.js";
import { IMDS_TOKEN_PATH } from "./imds.js";
import { issueIdentityToken } from "./tokens.js";

// Service Fabric's managed identity token service (authority-wire-format §4.5): HTTPS on its own port
// with a self-signed certificate (clients pin its thumbprint, IDENTITY_SERVER_THUMBPRINT), the secret in
// `Secret`, api-version 2019-07-01-preview, `expires_on` as a number, and errors as
// `{"error": {"correlationId", "code", "message"}}`.

/** The api-version Service Fabric's token service takes (`IDENTITY_API_VERSION`). */
export const SERVICE_FABRIC_API_VERSION = "2019-07-01-preview";

function fabricError(status: number, code: string, message: string): SourceResponse {
  return { status, body: { error: { correlationId: randomUUID(), code, message } } };
}

/**
 * Service Fabric. The identity is the one the application's manifest assigns, so a user-assigned id
 * in the query is ignored, as the service does; this emulated application has the host's
 * system-assigned identity.
 */
export function createServiceFabricEndpoint(services: SourceServices, secret: string): SourceEndpoint {
  return {
    source: "service-fabric",
    method: "GET",
    path: IMDS_TOKEN_PATH,
    failure: (status, message) => fabricError(status, status === 429 ? "TooManyRequests" : "InternalServerError", message),
    async handle(request) {
      const given = header(request, "secret");
      if (given === undefined) return fabricError(401, "SecretHeaderNotFound", "Secret is not found in the request headers.");
      if (!sameSecret(given, secret)) return fabricError(401, "SecretHeaderNotFound", "The Secret header does not hold this application's IDENTITY_HEADER.");
      const version = request.query.get("api-version");
      if (version !== SERVICE_FABRIC_API_VERSION) {
        return fabricError(400, "InvalidApiVersion", `The api-version '${version ?? ""}' is not supported; use ${SERVICE_FABRIC_API_VERSION}.`);
      }
      const resource = request.query.get("resource");
      if (!resource) return fabricError(400, "ArgumentNullOrEmpty", "Value cannot be null or empty. Parameter name: resource");
      const api = findResource(services, resource);
      if (!api) return fabricError(400, "InvalidResource", unknownResourceText(services, resource));
      const identity = services.identities.systemAssigned;
      const token = await issueIdentityToken(issueContext(services, request.now), identity, api);
      return {
        status: 200,
        body: { token_type: "Bearer", access_token: token.access_token, expires_on: token.expires_on, resource },
        clientId: identity.clientId,
      };
    },
  };
}
