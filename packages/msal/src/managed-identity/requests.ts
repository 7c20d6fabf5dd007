/**
 * The token request each managed identity source expects: its api-version, its names for a
 * user-assigned id, its headers and its secret.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { ManagedIdentityError } from "../errors.js";
import { CLIENT_SKU, libraryHeaders } from "../http/index.js";
import type { ManagedIdentity, UserAssignedIdType } from "./managed-identity.js";
import type { ManagedIdentitySource, SourceLocation } from "./sources.js";

/** One request to a source. */
export interface SourceRequest {
  readonly method: "GET" | "POST";
  /** The endpoint with the query. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** A form body (Cloud Shell only). */
  readonly body?: string;
}

/** The api-version each source is called with. */
export const API_VERSIONS = {
  "service-fabric": "2019-07-01-preview",
  "app-service": "2019-08-01",
  "azure-ml": "2017-09-01",
  // MSAL Python's; msal-node sends 2019-11-01, and the agent takes both.
  "azure-arc": "2020-06-01",
  "imds": "2018-02-01",
} as const satisfies Partial<Record<ManagedIdentitySource, string>>;

type IdParameterNames = Readonly<Record<UserAssignedIdType, string>>;

/**
 * How each source names a user-assigned id. Sources missing here take no user-assigned identity:
 * Arc and Cloud Shell have none, and Service Fabric's identity is chosen in the cluster's
 * application manifest, not by the caller.
 */
export const ID_PARAMETERS: Readonly<Partial<Record<ManagedIdentitySource, IdParameterNames>>> = {
  "imds": { ClientId: "client_id", ObjectId: "object_id", ResourceId: "msi_res_id" },
  "app-service": { ClientId: "client_id", ObjectId: "object_id", ResourceId: "mi_res_id" },
  // The 2017-09-01 API spells the client id without its underscore.
  "azure-ml": { ClientId: "clientid", ObjectId: "object_id", ResourceId: "msi_res_id" },
};

const WHY_NOT_USER_ASSIGNED: Readonly<Partial<Record<ManagedIdentitySource, string>>> = {
  "service-fabric":
    "Service Fabric gives an application the identity its manifest assigns; it cannot be chosen at run time. " +
    "Use SystemAssignedManagedIdentity there.",
  "azure-arc": "Azure Arc-enabled servers have only a system-assigned identity. Use SystemAssignedManagedIdentity there.",
  "cloud-shell": "Cloud Shell issues tokens for its signed-in user only. Use SystemAssignedManagedIdentity there.",
};

/** The parameter that names a user-assigned identity on a source, or none for system-assigned. */
function idParameter(source: ManagedIdentitySource, identity: ManagedIdentity): [string, string] | undefined {
  if (identity.ManagedIdentityIdType === "SystemAssigned") return undefined;
  const names = ID_PARAMETERS[source];
  if (!names) {
    throw new ManagedIdentityError(
      `A user-assigned identity (${identity.ManagedIdentityIdType}) cannot be used with ${source}: ${WHY_NOT_USER_ASSIGNED[source] ?? ""}`.trim(),
    );
  }
  return [names[identity.ManagedIdentityIdType], identity.Id];
}

function withQuery(endpoint: URL, params: ReadonlyArray<readonly [string, string]>): string {
  const url = new URL(endpoint.href);
  for (const [name, value] of params) url.searchParams.set(name, value);
  return url.href;
}

function clientHeaders(): Record<string, string> {
  const lib = libraryHeaders();
  return { "x-client-sku": CLIENT_SKU, "x-client-ver": lib["x-client-ver"] ?? "" };
}

/**
 * Builds the token request for a source.
 *
 * @param location - The source and its endpoint, from the environment.
 * @param identity - The identity asked for.
 * @param resource - The resource (App ID URI) the token is for.
 * @throws {@link ManagedIdentityError} for a user-assigned identity on a source that has none.
 */
export function buildSourceRequest(location: SourceLocation, identity: ManagedIdentity, resource: string): SourceRequest {
  const id = idParameter(location.source, identity);
  const idParams: Array<readonly [string, string]> = id ? [id] : [];
  switch (location.source) {
    case "imds":
      return {
        method: "GET",
        url: withQuery(location.endpoint, [["api-version", API_VERSIONS.imds], ["resource", resource], ...idParams]),
        headers: { Metadata: "true", ...clientHeaders(), "x-ms-client-request-id": randomUUID() },
      };
    case "app-service":
      return {
        method: "GET",
        url: withQuery(location.endpoint, [["api-version", API_VERSIONS["app-service"]], ["resource", resource], ...idParams]),
        // Metadata is App Service's to ignore; Azure Automation, behind the same variables, needs it.
        headers: { "X-IDENTITY-HEADER": location.secret, Metadata: "true", ...clientHeaders() },
      };
    case "azure-ml":
      return {
        method: "GET",
        url: withQuery(location.endpoint, [["api-version", API_VERSIONS["azure-ml"]], ["resource", resource], ...idParams]),
        headers: { secret: location.secret, ...clientHeaders() },
      };
    case "service-fabric":
      return {
        method: "GET",
        url: withQuery(location.endpoint, [["api-version", API_VERSIONS["service-fabric"]], ["resource", resource]]),
        headers: { Secret: location.secret, ...clientHeaders() },
      };
    case "azure-arc":
      return {
        method: "GET",
        url: withQuery(location.endpoint, [["api-version", API_VERSIONS["azure-arc"]], ["resource", resource]]),
        headers: { Metadata: "true", ...clientHeaders() },
      };
    case "cloud-shell":
      return {
        method: "POST",
        url: location.endpoint.href,
        headers: { Metadata: "true", "content-type": "application/x-www-form-urlencoded", ...clientHeaders() },
        body: new URLSearchParams({ resource }).toString(),
      };
  }
}
