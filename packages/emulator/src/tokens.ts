import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import type { EmulatorContext } from "./context.js";
import type { Api, App, Tenant } from "./directory.js";
import { issuerFor } from "./urls.js";

// Access tokens the emulator issues: RS256 JWTs signed with its key, claims as Entra's v2.0 tokens
// (authority-wire-format §2.5).

/** An app-only (client credentials) access token request. */
export interface AppTokenRequest {
  readonly tenant: Tenant;
  readonly app: App;
  readonly api: Api;
  /** `azpacr`/`appidacr`: 1 secret, 2 certificate. */
  readonly acr: "1" | "2";
  /** `xms_cc` values from the request's claims. */
  readonly capabilities: readonly string[] | undefined;
  /** `host[:port]` of the issuer. */
  readonly host: string;
  /** Issue time, epoch seconds. */
  readonly now: number;
}

/** An issued access token. */
export interface IssuedToken {
  readonly access_token: string;
  readonly expires_in: number;
}

/** A per-token id (`uti`), as Entra's: 16 random bytes, base64url. */
export function tokenId(): string {
  return randomBytes(16).toString("base64url");
}

/** Issues an app-only access token for an API. */
export async function issueAppAccessToken(ctx: EmulatorContext, request: AppTokenRequest): Promise<IssuedToken> {
  const iat = Math.floor(request.now);
  const roles = request.app.rolesOn(request.api);
  const claims: Record<string, unknown> = {
    aud: request.api.audience,
    iss: issuerFor(request.host, request.tenant.id),
    iat,
    nbf: iat,
    exp: iat + ctx.tokenLifetime,
    azp: request.app.clientId,
    azpacr: request.acr,
    appid: request.app.clientId,
    appidacr: request.acr,
    idtyp: "app",
    oid: request.app.servicePrincipalId,
    sub: request.app.servicePrincipalId,
    tid: request.tenant.id,
    uti: tokenId(),
    ver: "2.0",
  };
  if (roles.length > 0) claims.roles = [...roles];
  if (request.capabilities) claims.xms_cc = [...request.capabilities];
  const access_token = await new SignJWT(claims)
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: ctx.signingKey.kid })
    .sign(ctx.signingKey.privateKey);
  return { access_token, expires_in: ctx.tokenLifetime };
}
