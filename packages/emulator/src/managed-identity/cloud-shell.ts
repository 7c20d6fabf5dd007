import type { SourceEndpoint, SourceResponse, SourceServices } from "./endpoint.js";
import { findResource, header, issueContext, unknownResourceText } from "./endpoint.js";
import { imdsTokenBody } from "./imds.js";
import { CLOUD_SHELL_APP_ID, issueCloudShellToken } from "./tokens.js";

// Azure Cloud Shell's local token endpoint (authority-wire-format §4.7): POST with `Metadata: true` and a
// form `resource`; tokens are the signed-in user's; answers are IMDS-like, errors
// `{"error": {"code", "message"}}`.

/** The path of the Cloud Shell endpoint on the emulator's managed identity listener. */
export const CLOUD_SHELL_PATH = "/cloud-shell/oauth2/token";

function shellError(status: number, code: string, message: string): SourceResponse {
  return { status, body: { error: { code, message } } };
}

/** Cloud Shell: the configured user's delegated token for a resource. */
export function createCloudShellEndpoint(services: SourceServices): SourceEndpoint {
  return {
    source: "cloud-shell",
    method: "POST",
    path: CLOUD_SHELL_PATH,
    failure: (status, message) => shellError(status, status === 429 ? "TooManyRequests" : "InternalServerError", message),
    async handle(request) {
      if (header(request, "metadata") !== "true") return shellError(400, "BadRequest", "Required metadata header not specified");
      const resource = request.form.get("resource");
      if (!resource) return shellError(400, "BadRequest", "The form parameter resource is required.");
      const user = services.identities.cloudShellUser;
      if (!user) return shellError(401, "Unauthorized", "No user is signed in to Cloud Shell: the tenant has no users.");
      // Cloud Shell takes several resources separated by spaces; the token is for the first.
      const [first = resource] = resource.split(/\s+/).filter((r) => r !== "");
      const api = findResource(services, first);
      if (!api) return shellError(400, "InvalidResource", unknownResourceText(services, first));
      const token = await issueCloudShellToken(issueContext(services, request.now), user, api);
      return { status: 200, body: imdsTokenBody(token, first, CLOUD_SHELL_APP_ID) };
    },
  };
}
