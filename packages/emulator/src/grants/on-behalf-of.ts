import { TokenRejectedError, verifyIssuedAccessToken } from "../access-token-verification.js";
import type { VerifiedAccessToken } from "../access-token-verification.js";
import { requestedCapabilities } from "../claims-request.js";
import { authenticateUserClient } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import type { GrantHandler } from "../endpoints/token.js";
import { malformedRequest, missingParameter } from "../errors.js";
import { resolveUserScopes } from "../scopes.js";
import { credentialRequired, userAssertionExpired, userAssertionInvalid } from "../user-errors.js";
import { assertNonInteractiveSignIn } from "../user-policy.js";
import { newAuthentication, respondWithUserTokens, wantsClientInfo } from "../user-tokens.js";

/** `grant_type` of the on-behalf-of flow (RFC 7523 JWT bearer with `requested_token_use=on_behalf_of`). */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` with `requested_token_use=on_behalf_of`
 * (authority-wire-format §1.4, §2.2): a confidential API exchanges the user's access token it received
 * (its `aud` must be the API, i.e. the caller) for a token to another resource, for the same user.
 */
export function createOnBehalfOfGrant(ctx: EmulatorContext): GrantHandler {
  return async (request, selection) => {
    const form = request.form;
    const use = form.get("requested_token_use");
    if (!use) throw missingParameter("requested_token_use");
    if (use !== "on_behalf_of") throw malformedRequest("requested_token_use must be 'on_behalf_of'.");
    const assertion = form.get("assertion");
    if (!assertion) throw missingParameter("assertion");

    let verified: VerifiedAccessToken;
    try {
      verified = await verifyIssuedAccessToken(ctx, assertion, request);
    } catch (err) {
      if (!(err instanceof TokenRejectedError)) throw err;
      throw err.reason === "expired" ? userAssertionExpired(request.now, err.exp) : userAssertionInvalid(err.message);
    }
    const { claims, tenant } = verified;
    if (selection.kind === "tenant" && selection.tenant !== tenant) throw userAssertionInvalid("The assertion was issued by another tenant.");
    const client = await authenticateUserClient(ctx, request, tenant);
    if (client.method === "none") throw credentialRequired();

    const audience = typeof claims.aud === "string" ? claims.aud.toLowerCase() : "";
    const callerId = client.app.clientId.toLowerCase();
    if (audience !== callerId && tenant.findApi(audience)?.appId !== callerId) {
      throw userAssertionInvalid("The assertion's audience is not the app presenting it.");
    }
    const user = typeof claims.scp === "string" && typeof claims.oid === "string" ? tenant.findUserById(claims.oid) : undefined;
    if (!user) throw userAssertionInvalid("The assertion is not a user's delegated token.");

    const grant = resolveUserScopes(form.get("scope"), tenant);
    // The user signed in (with whatever second factor they need) to obtain the assertion.
    assertNonInteractiveSignIn(ctx, { tenant, app: client.app, user, resources: [grant], mfa: true, interactionError: "interaction_required" });
    const authentication = { ...newAuthentication(request.now, true), authTime: Math.floor(claims.iat ?? request.now) };
    return respondWithUserTokens(ctx, request, { tenant, client, user, authentication }, {
      grant,
      capabilities: requestedCapabilities(form.get("claims")),
      clientInfo: wantsClientInfo(request),
    });
  };
}
