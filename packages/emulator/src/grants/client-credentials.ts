import { requestedCapabilities } from "../claims-request.js";
import { authenticateClient } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import { missingClientCredential, tenantRequired } from "../errors.js";
import { TOKEN_RESPONSE_HEADERS, json } from "../http.js";
import { resolveDefaultScope } from "../scopes.js";
import { issueAppAccessToken, refreshIn } from "../tokens.js";
import type { GrantHandler } from "../endpoints/token.js";

/**
 * `grant_type=client_credentials` (authority-wire-format §1.4, §2.2): a confidential app's own token for
 * `{resource}/.default`, carrying the application permissions granted to it on that resource.
 */
export function createClientCredentialsGrant(ctx: EmulatorContext): GrantHandler {
  return async (request, selection) => {
    if (selection.kind === "multi-tenant") throw tenantRequired();
    const tenant = selection.tenant;
    const client = await authenticateClient(ctx, request, tenant);
    if (client.method === "none") throw missingClientCredential();
    const api = resolveDefaultScope(request.form.get("scope"), tenant);
    const capabilities = requestedCapabilities(request.form.get("claims"));
    const token = await issueAppAccessToken(ctx, {
      tenant,
      app: client.app,
      api,
      acr: client.acr === "2" ? "2" : "1",
      capabilities,
      host: request.host,
      now: request.now,
    });
    const early = refreshIn(ctx);
    // The client-credentials shape: no scope, no refresh token, no id token.
    return json(
      200,
      {
        token_type: "Bearer",
        expires_in: token.expires_in,
        ext_expires_in: token.expires_in,
        ...(early === undefined ? {} : { refresh_in: early }),
        access_token: token.access_token,
      },
      TOKEN_RESPONSE_HEADERS,
    );
  };
}
