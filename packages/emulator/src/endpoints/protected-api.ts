import { TokenRejectedError, verifyIssuedAccessToken } from "../access-token-verification.js";
import type { VerifiedAccessToken } from "../access-token-verification.js";
import type { EmulatorContext } from "../context.js";
import type { Handler, JsonResult } from "../http.js";
import { json } from "../http.js";
import { tenantEndpoints } from "../urls.js";

/** The path of the emulator's protected demo API. */
export const PROTECTED_API_PATH = "/api/me";

function challenge(request: { host: string }, ctx: EmulatorContext, error?: { code: string; description: string }): string {
  const authorizationUri = tenantEndpoints(request.host, ctx.directory.defaultTenant.id).authorization;
  const parts = [`realm="${request.host}"`, `authorization_uri="${authorizationUri}"`];
  if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, "")}"`);
  return `Bearer ${parts.join(", ")}`;
}

function refuse(ctx: EmulatorContext, request: { host: string }, status: 401 | 403, code: string, description: string): JsonResult {
  return json(
    status,
    { error: code, error_description: description },
    { "www-authenticate": challenge(request, ctx, { code, description }), "cache-control": "no-store" },
  );
}

/**
 * `GET /api/me`: a resource server for demos and the example web app. It accepts a delegated access
 * token this emulator issued, for Microsoft Graph or any API of the token's tenant, in
 * `Authorization: Bearer …`, and answers with the signed-in user's profile. Missing, invalid and
 * expired tokens, and PoP tokens (which only their key's holder may present), get 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3); app-only tokens 403.
 */
export function createProtectedApiEndpoint(ctx: EmulatorContext): Handler {
  return async (request) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
    const token = match?.[1];
    if (!token) {
      return json(
        401,
        { error: "unauthorized", error_description: "Send an access token: Authorization: Bearer <token>." },
        { "www-authenticate": challenge(request, ctx), "cache-control": "no-store" },
      );
    }
    let verified: VerifiedAccessToken;
    try {
      verified = await verifyIssuedAccessToken(ctx, token, request);
    } catch (err) {
      if (err instanceof TokenRejectedError) return refuse(ctx, request, 401, "invalid_token", err.message);
      throw err;
    }
    const { claims, tenant } = verified;
    if (claims.cnf !== undefined) {
      return refuse(ctx, request, 401, "invalid_token", "The token is bound to a key (a PoP token); present it as a signed request to a PoP resource.");
    }
    const audience = typeof claims.aud === "string" ? claims.aud : "";
    if (!tenant.findApi(audience)) {
      return refuse(ctx, request, 401, "invalid_token", "The token's audience is not an API of its tenant.");
    }
    if (typeof claims.scp !== "string") {
      return refuse(ctx, request, 403, "insufficient_scope", "This API needs a delegated (user) token; app-only tokens have no user.");
    }
    const user = typeof claims.oid === "string" ? tenant.findUserById(claims.oid) : undefined;
    return json(
      200,
      {
        name: claims.name,
        preferred_username: claims.preferred_username,
        oid: claims.oid,
        tid: claims.tid,
        scp: claims.scp,
        aud: claims.aud,
        azp: claims.azp,
        ...(user?.email ? { email: user.email } : {}),
      },
      { "cache-control": "no-store" },
    );
  };
}
