import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import type { JWTPayload } from "jose";
import type { EmulatorContext } from "./context.js";
import type { Api, App, Tenant } from "./directory.js";
import { issuerFor } from "./urls.js";

// Access tokens the emulator issues: RS256 JWTs signed with its key, claims as Entra's v2.0 tokens
// (authority-wire-format §2.5).

/** What every access token is about: who asks, for which API, when. */
export interface AccessTokenRequest {
  readonly tenant: Tenant;
  readonly app: App;
  readonly api: Api;
  /** `azpacr`: 0 public client, 1 secret, 2 certificate. */
  readonly acr: "0" | "1" | "2";
  /** `xms_cc` values from the request's claims. */
  readonly capabilities: readonly string[] | undefined;
  /** `host[:port]` of the issuer. */
  readonly host: string;
  /** Issue time, epoch seconds. */
  readonly now: number;
}

/** An app-only (client credentials) access token request. */
export interface AppTokenRequest extends AccessTokenRequest {
  /** `azpacr`/`appidacr`: 1 secret, 2 certificate. */
  readonly acr: "1" | "2";
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

/** Signs claims as a JWT with the emulator's key (RS256, `kid` in the header, as Entra's v2 tokens). */
export function signToken(ctx: EmulatorContext, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ typ: "JWT", alg: "RS256", kid: ctx.signingKey.kid }).sign(ctx.signingKey.privateKey);
}

/** The claims every access token carries, app-only or delegated. */
export function accessTokenClaims(ctx: EmulatorContext, request: AccessTokenRequest): Record<string, unknown> {
  const iat = Math.floor(request.now);
  const claims: Record<string, unknown> = {
    aud: request.api.audience,
    iss: issuerFor(request.host, request.tenant.id),
    iat,
    nbf: iat,
    exp: iat + ctx.tokenLifetime,
    azp: request.app.clientId,
    azpacr: request.acr,
    tid: request.tenant.id,
    uti: tokenId(),
    ver: "2.0",
  };
  if (request.capabilities) claims.xms_cc = [...request.capabilities];
  return claims;
}

/**
 * `refresh_in` for token responses: the configured value (capped at the lifetime), else half the
 * lifetime for tokens of 2 hours or more, else none.
 */
export function refreshIn(ctx: EmulatorContext): number | undefined {
  if (ctx.refreshIn !== undefined) return Math.min(ctx.refreshIn, ctx.tokenLifetime);
  return ctx.tokenLifetime >= 7200 ? Math.floor(ctx.tokenLifetime / 2) : undefined;
}

/** Issues an app-only access token for an API. */
export async function issueAppAccessToken(ctx: EmulatorContext, request: AppTokenRequest): Promise<IssuedToken> {
  const roles = request.app.rolesOn(request.api);
  const claims: Record<string, unknown> = {
    ...accessTokenClaims(ctx, request),
    appid: request.app.clientId,
    appidacr: request.acr,
    idtyp: "app",
    oid: request.app.servicePrincipalId,
    sub: request.app.servicePrincipalId,
  };
  if (roles.length > 0) claims.roles = [...roles];
  return { access_token: await signToken(ctx, claims), expires_in: ctx.tokenLifetime };
}
