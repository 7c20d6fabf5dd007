import { EntraError } from "../errors.js";
import { applyTokenBinding, requestedTokenBinding } from "../token-binding.js";
import type { SourceEndpoint, SourceResponse, SourceServices } from "./endpoint.js";
import { findResource, header, issueContext, unknownResourceText } from "./endpoint.js";
import { imdsTokenBody } from "./imds.js";
import { CLOUD_SHELL_APP_ID, issueCloudShellToken } from "./tokens.js";

// Azure Cloud Shell's local token endpoint (authority-wire-format §4.7): POST with `Metadata: true` and a
// form `resource`; tokens are the signed-in user's (a JWT with `oid`, `tid`, `preferred_username`,
// `unique_name`); answers are IMDS-like (`access_token`, `expires_in`, `expires_on`, `token_type`,
// `resource`), errors `{"error": {"code", "message"}}`. Extra form fields pass through as on the token
// endpoint: `token_type=ssh-cert` with `req_cnf` and `key_id` answers with an SSH user certificate (as
// `az ssh` gets in Cloud Shell); any other token type is ignored, and a bearer token comes back.

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
      const issue = issueContext(services, request.now);
      try {
        const binding = request.form.get("token_type") === "ssh-cert" ? await requestedTokenBinding(request.form) : undefined;
        const token = await issueCloudShellToken(issue, user, api);
        const body = imdsTokenBody(token, first, CLOUD_SHELL_APP_ID);
        if (!binding) return { status: 200, body };
        const bound = await applyTokenBinding(issue.ctx, request, binding, { type: "json", status: 200, body });
        return { status: 200, body: bound.type === "json" ? bound.body : body };
      } catch (err) {
        if (err instanceof EntraError) return shellError(err.status, "BadRequest", err.message);
        throw err;
      }
    },
  };
}
