import type { SourceEndpoint, SourceResponse, SourceServices } from "./endpoint.js";
import { findResource, header, issueContext, sameSecret, selectIdentity, unknownResourceText } from "./endpoint.js";
import { issueIdentityToken } from "./tokens.js";

// App Service, Functions, Container Apps and Automation (authority-wire-format §4.3), and Azure Machine
// Learning, which answers in App Service's older (2017-09-01) shape (§4.6): a secret header, an absolute
// `expires_on` as a string, and errors as `{statusCode, message}`.

/** The path of the App Service endpoint on the emulator's managed identity listener. */
export const APP_SERVICE_PATH = "/app-service/msi/token";
/** The path of the Azure Machine Learning endpoint on the emulator's managed identity listener. */
export const AZURE_ML_PATH = "/azure-ml/msi/auth";

/** An App Service-style error answer. */
function statusError(status: number, message: string): SourceResponse {
  return { status, body: { statusCode: status, message } };
}

interface Flavor {
  readonly source: "app-service" | "azure-ml";
  readonly path: string;
  readonly apiVersion: string;
  /** The secret header and the variable that holds its value, for messages. */
  readonly secretHeader: string;
  readonly secretVariable: string;
  readonly params: Readonly<Record<string, "clientId" | "objectId" | "resourceId">>;
}

function createEndpoint(services: SourceServices, secret: string, flavor: Flavor): SourceEndpoint {
  return {
    source: flavor.source,
    method: "GET",
    path: flavor.path,
    failure: statusError,
    async handle(request) {
      if (!sameSecret(header(request, flavor.secretHeader), secret)) {
        return statusError(401, `The ${flavor.secretHeader} request header is missing or does not hold ${flavor.secretVariable}.`);
      }
      const version = request.query.get("api-version");
      if (version !== flavor.apiVersion) {
        return statusError(400, `The api-version '${version ?? ""}' is not supported; use ${flavor.apiVersion}.`);
      }
      const resource = request.query.get("resource");
      if (!resource) return statusError(400, "The resource parameter is required.");
      const selection = selectIdentity(services, request.query, flavor.params);
      if (selection.kind === "ambiguous") return statusError(400, `Only one of ${selection.names.join(", ")} may be given.`);
      if (selection.kind === "unknown") {
        return statusError(400, "No Managed Identity found for specified ClientId/ResourceId/PrincipalId.");
      }
      const api = findResource(services, resource);
      // The real service answers a wrong resource with a vague 500 (MSAL Python maps it to invalid_scope).
      if (!api) return statusError(500, `An unexpected error occurred while fetching the AAD token. ${unknownResourceText(services, resource)}`);
      const token = await issueIdentityToken(issueContext(services, request.now), selection.identity, api);
      return {
        status: 200,
        body: {
          access_token: token.access_token,
          expires_on: String(token.expires_on),
          not_before: String(token.not_before),
          resource,
          token_type: "Bearer",
          client_id: selection.identity.clientId,
        },
        clientId: selection.identity.clientId,
      };
    },
  };
}

/**
 * App Service: `X-IDENTITY-HEADER: {IDENTITY_HEADER}`, api-version 2019-08-01, user-assigned ids as
 * `client_id`, `principal_id` (or `object_id`) and `mi_res_id`.
 */
export function createAppServiceEndpoint(services: SourceServices, secret: string): SourceEndpoint {
  return createEndpoint(services, secret, {
    source: "app-service",
    path: APP_SERVICE_PATH,
    apiVersion: "2019-08-01",
    secretHeader: "X-IDENTITY-HEADER",
    secretVariable: "IDENTITY_HEADER",
    params: { client_id: "clientId", principal_id: "objectId", object_id: "objectId", mi_res_id: "resourceId" },
  });
}

/**
 * Azure Machine Learning: `secret: {MSI_SECRET}`, api-version 2017-09-01, the client id as `clientid`
 * (that API's spelling; `client_id` is taken too), `object_id` and `msi_res_id`.
 */
export function createAzureMlEndpoint(services: SourceServices, secret: string): SourceEndpoint {
  return createEndpoint(services, secret, {
    source: "azure-ml",
    path: AZURE_ML_PATH,
    apiVersion: "2017-09-01",
    secretHeader: "secret",
    secretVariable: "MSI_SECRET",
    params: { clientid: "clientId", client_id: "clientId", object_id: "objectId", msi_res_id: "resourceId" },
  });
}
