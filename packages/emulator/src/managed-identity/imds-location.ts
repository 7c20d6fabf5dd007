import type { SourceEndpoint, SourceResponse } from "./endpoint.js";
import { header } from "./endpoint.js";

// IMDS's instance metadata leaf that names the VM's region (authority-wire-format §5):
// GET /metadata/instance/compute/location?format=text&api-version=2021-01-01 with `Metadata: true`
// answers `westus2` as plain text (`format=json`: the JSON string "westus2"). Without an
// api-version IMDS answers 400 with the versions it takes, which msal-node retries with.

/** The path of the region leaf. */
export const IMDS_LOCATION_PATH = "/metadata/instance/compute/location";

/** The api-versions the emulated IMDS lists as newest, newest first. */
export const IMDS_INSTANCE_API_VERSIONS = ["2023-07-01", "2021-12-13", "2021-02-01", "2021-01-01", "2020-06-01"] as const;

/** The oldest api-version of the instance metadata API. */
const OLDEST_API_VERSION = "2017-03-01";

/** An instance-metadata error: IMDS puts the whole message in `error`. */
function metadataError(status: number, message: string, extra: Record<string, unknown> = {}): SourceResponse {
  return { status, body: { error: message, ...extra } };
}

/**
 * The region leaf of the instance metadata API, answering `region` (404 when the emulated host has
 * none configured).
 */
export function createImdsLocationEndpoint(region: string | undefined): SourceEndpoint {
  return {
    source: "imds",
    method: "GET",
    path: IMDS_LOCATION_PATH,
    failure: (status, message) => metadataError(status, message),
    async handle(request) {
      if (header(request, "metadata") !== "true") {
        return metadataError(400, "Bad request. Required metadata header not specified");
      }
      const version = request.query.get("api-version");
      if (!version || !/^\d{4}-\d{2}-\d{2}$/.test(version) || version < OLDEST_API_VERSION) {
        const why = version ? `api-version ${version} is not supported` : "api-version was not specified in the request";
        return metadataError(400, `Bad request. ${why}. For more information refer to aka.ms/azureimds`, {
          "newest-versions": IMDS_INSTANCE_API_VERSIONS.slice(0, 3),
        });
      }
      if (region === undefined) return metadataError(404, "Not found. The emulated host has no region configured");
      const format = request.query.get("format") ?? "json";
      if (format === "text") return { status: 200, body: region, rawContentType: "text/plain; charset=utf-8" };
      if (format === "json") return { status: 200, body: region };
      return metadataError(400, `Bad request. Unsupported format ${format}`);
    },
  };
}
