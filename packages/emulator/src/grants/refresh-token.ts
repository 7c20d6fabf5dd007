import { requestedCapabilities } from "../claims-request.js";
import { authenticateUserClient } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import type { GrantHandler } from "../endpoints/token.js";
import { missingParameter } from "../errors.js";
import { RefreshTokens } from "../refresh-tokens.js";
import { resolveUserScopes } from "../scopes.js";
import { invalidGrant, userNotInTenant } from "../user-errors.js";
import { assertNonInteractiveSignIn } from "../user-policy.js";
import { respondWithUserTokens, wantsClientInfo } from "../user-tokens.js";

/**
 * `grant_type=refresh_token` (authority-wire-format §1.4, client-behavior §3.10): redeems a refresh
 * token for any scopes, rotating it (the old one stays valid, as Entra's). A family token (issued to a
 * FOCI app) serves every family app of the tenant; an app outside the family gets `client_mismatch`.
 */
export function createRefreshTokenGrant(ctx: EmulatorContext): GrantHandler {
  return async (request, selection) => {
    const form = request.form;
    const token = form.get("refresh_token");
    if (!token) throw missingParameter("refresh_token");
    const rt = ctx.refreshTokens.find(token, request.now);
    if (!rt) {
      throw RefreshTokens.isWellFormed(token)
        ? invalidGrant("The refresh token is unknown to this authority or has expired.")
        : invalidGrant("The refresh token is malformed.", { suberror: "bad_token" });
    }
    if (selection.kind === "tenant" && selection.tenant !== rt.tenant) throw userNotInTenant(rt.user.username, selection.tenant.displayName);
    const client = await authenticateUserClient(ctx, request, rt.tenant);
    if (client.app !== rt.app) {
      if (rt.family && !client.app.familyOfClientIds) {
        throw invalidGrant("The family refresh token was presented by an app outside the family.", { error_additional_info: ["client_mismatch"] });
      }
      if (!rt.family) throw invalidGrant("The refresh token was issued to another application.");
    }
    const scope = form.get("scope");
    const grant = scope ? resolveUserScopes(scope, rt.tenant) : rt.grant;
    assertNonInteractiveSignIn(ctx, {
      tenant: rt.tenant,
      app: client.app,
      user: rt.user,
      resources: [grant],
      mfa: rt.authentication.mfa,
      interactionError: "invalid_grant",
    });
    return respondWithUserTokens(
      ctx,
      request,
      { tenant: rt.tenant, client, user: rt.user, authentication: rt.authentication },
      { grant, capabilities: requestedCapabilities(form.get("claims")), clientInfo: wantsClientInfo(request) },
    );
  };
}
