import { requestedCapabilities } from "../claims-request.js";
import { authenticateUserClient } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import type { GrantHandler } from "../endpoints/token.js";
import { missingParameter } from "../errors.js";
import { verifyCodeVerifier } from "../pkce.js";
import { resolveUserScopes } from "../scopes.js";
import type { UserScopeGrant } from "../scopes.js";
import {
  codeAlreadyRedeemed,
  codeForOtherTenant,
  consentRequired,
  grantExpired,
  invalidGrant,
  redemptionRedirectMismatch,
} from "../user-errors.js";
import { needsConsent } from "../user-policy.js";
import { respondWithUserTokens, wantsClientInfo } from "../user-tokens.js";
import type { CodeGrant } from "../authorization-codes.js";

/**
 * The scopes to redeem a code for: the token request's `scope` (one resource), else the authorize
 * request's first resource. OIDC scopes of both count, so `openid` at authorize yields an ID token.
 */
function redemptionScopes(scope: string | null, code: CodeGrant): UserScopeGrant {
  const oidc = new Set(code.scope.oidc);
  if (scope) {
    const asked = resolveUserScopes(scope, code.tenant);
    for (const s of asked.oidc) oidc.add(s);
    return { ...asked, oidc };
  }
  const [first] = code.scope.resources;
  if (!first) throw missingParameter("scope");
  return { ...first, oidc };
}

/**
 * `grant_type=authorization_code` (authority-wire-format §1.4): redeems a code from the sign-in page,
 * once, within 10 minutes, by the app it was issued to, with the same redirect URI and the PKCE verifier.
 */
export function createAuthorizationCodeGrant(ctx: EmulatorContext): GrantHandler {
  return async (request, selection) => {
    const form = request.form;
    const code = form.get("code");
    if (!code) throw missingParameter("code");
    const found = ctx.codes.find(code, request.now);
    if (!found) throw invalidGrant("The authorization code is not one this authority issued, or it was forgotten long ago.");
    const grant = found.grant;
    if (selection.kind === "tenant" && selection.tenant !== grant.tenant) throw codeForOtherTenant();
    const client = await authenticateUserClient(ctx, request, grant.tenant);
    if (client.app !== grant.app) throw invalidGrant("The authorization code was issued to another application.");
    if (request.now > grant.expiresAt) throw grantExpired();
    if (found.redeemed) throw codeAlreadyRedeemed();
    // Spent by the first redemption attempt of its own app, successful or not.
    ctx.codes.spend(code, request.now);

    const redirectUri = form.get("redirect_uri");
    if (!redirectUri) throw missingParameter("redirect_uri");
    if (redirectUri !== grant.redirectUri) throw redemptionRedirectMismatch(redirectUri, grant.redirectUri);
    verifyCodeVerifier(grant.challenge, form.get("code_verifier"));

    const scopes = redemptionScopes(form.get("scope"), grant);
    if (needsConsent(ctx, grant.tenant, grant.user, grant.app, [scopes])) throw consentRequired(grant.app.clientId, grant.app.displayName);
    return respondWithUserTokens(
      ctx,
      request,
      { tenant: grant.tenant, client, user: grant.user, authentication: grant.authentication },
      {
        grant: scopes,
        nonce: grant.nonce,
        capabilities: requestedCapabilities(form.get("claims")) ?? grant.capabilities,
        clientInfo: wantsClientInfo(request),
      },
    );
  };
}
