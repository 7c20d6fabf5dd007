import { requestedCapabilities } from "../claims-request.js";
import type { EmulatorContext } from "../context.js";
import type { App, Tenant } from "../directory.js";
import { missingParameter, unknownClient } from "../errors.js";
import { TOKEN_RESPONSE_HEADERS, json } from "../http.js";
import type { Handler } from "../http.js";
import { resolveUserScopes } from "../scopes.js";
import { DEVICE_LOGIN_PATH } from "../sign-in/device-pages.js";
import { selectTenant } from "../tenant-selection.js";

/** The device authorization response (authority-wire-format §1.5, Appendix A), in Entra's field order. */
export interface DeviceAuthorizationResponse {
  readonly user_code: string;
  readonly device_code: string;
  readonly verification_uri: string;
  readonly expires_in: number;
  readonly interval: number;
  readonly message: string;
}

function findApp(ctx: EmulatorContext, tenant: Tenant | undefined, clientId: string): { app: App; tenant: Tenant } | undefined {
  for (const t of tenant ? [tenant] : ctx.directory.tenants) {
    const app = t.findApp(clientId);
    if (app) return { app, tenant: t };
  }
  return undefined;
}

/**
 * `POST /{tenant}/oauth2/v2.0/devicecode` (RFC 8628 §3.1): starts a device code flow for a registered
 * app (public or confidential; no credential is asked for here, as at Entra). The `scope` must name one
 * resource (plus OpenID Connect scopes), since the token will be for it; `claims` is kept for the
 * sign-in (a claims challenge asks for a fresh second factor) and for the token's client capabilities.
 * `mkt` and other extras are accepted and ignored.
 *
 * @throws EntraError invalid_request (no `client_id` or `scope`; `claims` not JSON), unauthorized_client
 *   (unknown app, AADSTS700016), invalid_scope / invalid_resource (scopes the tenant cannot issue).
 */
export function createDeviceAuthorizationEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    const selection = selectTenant(ctx.directory, request);
    const tenant = selection.kind === "tenant" ? selection.tenant : undefined;
    const form = request.form;
    const clientId = form.get("client_id");
    if (!clientId) throw missingParameter("client_id");
    request.notes.clientId = clientId;
    const found = findApp(ctx, tenant, clientId);
    if (!found) throw unknownClient(clientId, tenant?.displayName ?? selection.segment);
    const scope = form.get("scope");
    if (!scope) throw missingParameter("scope");
    resolveUserScopes(scope, tenant ?? found.tenant);
    const claims = form.get("claims") || undefined;
    requestedCapabilities(claims ?? null);

    const entry = ctx.deviceCodes.issue(
      { segment: request.params.tenant ?? selection.segment, tenant, app: found.app, appTenant: found.tenant, scope, claims },
      request.now,
    );
    const verificationUri = `https://${request.host}${DEVICE_LOGIN_PATH}`;
    const body: DeviceAuthorizationResponse = {
      user_code: entry.userCode,
      device_code: entry.deviceCode,
      verification_uri: verificationUri,
      expires_in: entry.expiresAt - entry.issuedAt,
      interval: entry.interval,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${entry.userCode} to authenticate.`,
    };
    return json(200, body, TOKEN_RESPONSE_HEADERS);
  };
}
