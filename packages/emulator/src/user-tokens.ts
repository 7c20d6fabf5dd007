import { createHash, randomUUID } from "node:crypto";
import { requestedCapabilities } from "./claims-request.js";
import type { ClientAuthentication } from "./client-auth.js";
import type { EmulatorContext } from "./context.js";
import type { App, Tenant, User } from "./directory.js";
import { mintIdToken } from "./faults/index.js";
import { TOKEN_RESPONSE_HEADERS, json } from "./http.js";
import type { EmulatorRequest, JsonResult } from "./http.js";
import { grantedScope, resolveUserScopes } from "./scopes.js";
import type { UserScopeGrant } from "./scopes.js";
import { accessTokenClaims, refreshIn, signToken, tokenId } from "./tokens.js";
import { issuerFor } from "./urls.js";
import { assertNonInteractiveSignIn } from "./user-policy.js";

// Tokens issued for a user (authority-wire-format §2): delegated access tokens, ID tokens, client_info,
// refresh tokens, and the token response that carries them, shared by every user grant.

/** How the user signed in: carried from the sign-in into codes, refresh tokens and ID tokens. */
export interface Authentication {
  /** `auth_time`: when the user signed in, epoch seconds. */
  readonly authTime: number;
  /** `sid`: the sign-in session (GUID). */
  readonly sessionId: string;
  /** The sign-in included a second factor. */
  readonly mfa: boolean;
}

/** A sign-in happening now (ROPC, OBO, SAML bearer, the sign-in page). */
export function newAuthentication(now: number, mfa = false): Authentication {
  return { authTime: Math.floor(now), sessionId: randomUUID(), mfa };
}

/** ID tokens live one hour (authority-wire-format §2.6). */
const ID_TOKEN_LIFETIME = 3600;

/** `sub`: pairwise, so each app sees its own stable subject for a user (as Entra's). */
export function pairwiseSubject(tenant: Tenant, user: User, app: App): string {
  return createHash("sha256").update(`${tenant.id}|${user.objectId}|${app.clientId.toLowerCase()}`).digest("base64url").slice(0, 43);
}

/** `client_info`: base64url JSON `{uid, utid}`, unpadded (authority-wire-format §2.4). */
export function clientInfo(tenant: Tenant, user: User): string {
  return Buffer.from(JSON.stringify({ uid: user.objectId, utid: tenant.id })).toString("base64url");
}

/** Who a user token is for. */
export interface UserTokenSubject {
  readonly tenant: Tenant;
  /** The app asking, and how it authenticated (`azpacr`). */
  readonly client: Pick<ClientAuthentication, "app" | "acr">;
  readonly user: User;
  readonly authentication: Authentication;
}

/** What a user token response contains. */
export interface UserTokenOptions {
  readonly grant: UserScopeGrant;
  /** The authorize request's nonce, copied verbatim into the ID token. */
  readonly nonce?: string | undefined;
  /** `xms_cc` for the access token. */
  readonly capabilities: readonly string[] | undefined;
  /** Include `client_info` (the request sent `client_info=1`). */
  readonly clientInfo: boolean;
}

/** A delegated token response (authority-wire-format §2.1, §2.2). */
export interface UserTokenResponse {
  readonly token_type: "Bearer";
  readonly scope: string;
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly refresh_in?: number;
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly client_info?: string;
  readonly foci?: "1";
}

function userClaims(tenant: Tenant, user: User, app: App): Record<string, unknown> {
  return {
    oid: user.objectId,
    sub: pairwiseSubject(tenant, user, app),
    preferred_username: user.username,
    name: user.displayName,
  };
}

async function issueIdToken(
  ctx: EmulatorContext,
  host: string,
  now: number,
  subject: UserTokenSubject,
  nonce: string | undefined,
): Promise<string> {
  const { tenant, user, authentication } = subject;
  const app = subject.client.app;
  const iat = Math.floor(now);
  const claims: Record<string, unknown> = {
    aud: app.clientId,
    iss: issuerFor(host, tenant.id),
    iat,
    nbf: iat,
    exp: iat + ID_TOKEN_LIFETIME,
    auth_time: authentication.authTime,
    ...userClaims(tenant, user, app),
    tid: tenant.id,
    ver: "2.0",
    sid: authentication.sessionId,
    uti: tokenId(),
  };
  if (nonce !== undefined) claims.nonce = nonce;
  if (user.email) claims.email = user.email;
  return mintIdToken(ctx.faults, { tenantId: tenant.id, clientId: app.clientId }, claims, (c) => signToken(ctx, c));
}

/** Issues a delegated access token: the caller's view of the user, for one API and its granted scopes. */
export function issueDelegatedAccessToken(
  ctx: EmulatorContext,
  host: string,
  now: number,
  subject: UserTokenSubject,
  options: Pick<UserTokenOptions, "grant" | "capabilities">,
): Promise<string> {
  const { tenant, user, client } = subject;
  return signToken(ctx, {
    ...accessTokenClaims(ctx, { tenant, app: client.app, api: options.grant.api, acr: client.acr, capabilities: options.capabilities, host, now }),
    scp: options.grant.scopes.join(" "),
    ...userClaims(tenant, user, client.app),
  });
}

/** Issues a delegated token response: access token, and refresh token, ID token, client_info as asked. */
export async function issueUserTokens(
  ctx: EmulatorContext,
  request: Pick<EmulatorRequest, "host" | "now">,
  subject: UserTokenSubject,
  options: UserTokenOptions,
): Promise<UserTokenResponse> {
  const { host, now } = request;
  const app = subject.client.app;
  const access_token = await issueDelegatedAccessToken(ctx, host, now, subject, options);
  const early = refreshIn(ctx);
  const refresh_token = options.grant.oidc.has("offline_access")
    ? ctx.refreshTokens.issue(
        {
          tenant: subject.tenant,
          app,
          user: subject.user,
          grant: options.grant,
          family: app.familyOfClientIds,
          authentication: subject.authentication,
        },
        now,
      )
    : undefined;
  return {
    token_type: "Bearer",
    scope: grantedScope(options.grant),
    expires_in: ctx.tokenLifetime,
    ext_expires_in: ctx.tokenLifetime,
    ...(early === undefined ? {} : { refresh_in: early }),
    access_token,
    ...(refresh_token === undefined ? {} : { refresh_token }),
    ...(options.grant.oidc.has("openid") ? { id_token: await issueIdToken(ctx, host, now, subject, options.nonce) } : {}),
    ...(options.clientInfo ? { client_info: clientInfo(subject.tenant, subject.user) } : {}),
    ...(app.familyOfClientIds ? { foci: "1" as const } : {}),
  };
}

/** {@link issueUserTokens} as the token endpoint's 200 response. */
export async function respondWithUserTokens(
  ctx: EmulatorContext,
  request: EmulatorRequest,
  subject: UserTokenSubject,
  options: UserTokenOptions,
): Promise<JsonResult> {
  return json(200, await issueUserTokens(ctx, request, subject, options), TOKEN_RESPONSE_HEADERS);
}

/** A user authenticated by a grant that involves no browser: ROPC, or a SAML assertion from the federation service. */
export interface DirectSignIn {
  readonly tenant: Tenant;
  /** From `authenticateUserClient`. */
  readonly client: ClientAuthentication;
  /** The user whose credentials (password, or an assertion about them) were verified. */
  readonly user: User;
  /** The scopes to issue for; default: the request's `scope`. */
  readonly scope?: string | null;
}

/**
 * Answers a token request for a user who just proved who they are without a browser: applies the
 * user's requirements (multi-factor, consent, interaction: errors per authority-wire-format §3.2),
 * then issues the response with the request's `scope`, `claims` (client capabilities) and
 * `client_info`. The password grant uses it; the SAML bearer grants call it once the assertion checks out.
 *
 * @throws EntraError for a bad `scope` or a requirement the user has not met.
 * @example
 * ```ts
 * // inside a GrantHandler, after verifying the SAML assertion:
 * const client = await authenticateUserClient(ctx, request, tenant);
 * return issueUserTokenResponse(ctx, request, { tenant, client, user });
 * ```
 */
export async function issueUserTokenResponse(ctx: EmulatorContext, request: EmulatorRequest, signIn: DirectSignIn): Promise<JsonResult> {
  const { tenant, client, user } = signIn;
  const grant = resolveUserScopes(signIn.scope === undefined ? request.form.get("scope") : signIn.scope, tenant);
  assertNonInteractiveSignIn(ctx, { tenant, app: client.app, user, resources: [grant], mfa: false, interactionError: "interaction_required" });
  return respondWithUserTokens(ctx, request, { tenant, client, user, authentication: newAuthentication(request.now) }, {
    grant,
    capabilities: requestedCapabilities(request.form.get("claims")),
    clientInfo: wantsClientInfo(request),
  });
}

/** True when the request sent `client_info=1`. */
export function wantsClientInfo(request: Pick<EmulatorRequest, "form">): boolean {
  return request.form.get("client_info") === "1";
}
