import type { EmulatorContext } from "../context.js";
import type { Api, App, Tenant, User } from "../directory.js";
import { stableGuid } from "../directory.js";
import { accessTokenClaims, signToken } from "../tokens.js";
import type { HostIdentity } from "./identities.js";

// Tokens of managed identities: app-only tokens for the identity's service principal, signed and shaped
// as the emulator's client-credentials tokens (so the same verifiers accept them), plus the claims
// managed identity tokens carry (`xms_mirid`). Cloud Shell's tokens are its signed-in user's instead.

/** An issued token and its times, epoch seconds. */
export interface IssuedManagedIdentityToken {
  readonly access_token: string;
  readonly expires_in: number;
  readonly expires_on: number;
  readonly not_before: number;
}

/** Where and when a token is issued. */
export interface IssueContext {
  readonly ctx: EmulatorContext;
  readonly tenant: Tenant;
  /** `host[:port]` of the emulator's issuer. */
  readonly issuerHost: string;
  readonly lifetime: number;
  readonly now: number;
}

function times(issue: IssueContext): { iat: number; exp: number } {
  const iat = Math.floor(issue.now);
  return { iat, exp: iat + issue.lifetime };
}

/** Issues an access token for a managed identity's service principal. */
export async function issueIdentityToken(issue: IssueContext, identity: HostIdentity, api: Api): Promise<IssuedManagedIdentityToken> {
  const { iat, exp } = times(issue);
  const roles = identity.app.rolesOn(api);
  const claims: Record<string, unknown> = {
    ...accessTokenClaims(issue.ctx, { tenant: issue.tenant, app: identity.app, api, acr: "2", capabilities: undefined, host: issue.issuerHost, now: iat }),
    exp,
    appid: identity.clientId,
    appidacr: "2",
    idtyp: "app",
    oid: identity.objectId,
    sub: identity.objectId,
    xms_mirid: identity.resourceId,
  };
  if (roles.length > 0) claims.roles = [...roles];
  return { access_token: await signToken(issue.ctx, claims), expires_in: issue.lifetime, expires_on: exp, not_before: iat };
}

/** The app Cloud Shell's tokens are issued to (a public client of the emulator's own). */
export const CLOUD_SHELL_APP_ID = stableGuid("managed-identity:cloud-shell");

const cloudShellApp: App = {
  clientId: CLOUD_SHELL_APP_ID,
  displayName: "Cloud Shell",
  secrets: [],
  certificates: [],
  trustedIssuers: [],
  publicClient: true,
  servicePrincipalId: stableGuid("managed-identity:cloud-shell:sp"),
  redirectUris: [],
  familyOfClientIds: false,
  rolesOn: () => [],
};

/** Issues Cloud Shell's token: a delegated token for its signed-in user. */
export async function issueCloudShellToken(issue: IssueContext, user: User, api: Api): Promise<IssuedManagedIdentityToken> {
  const { iat, exp } = times(issue);
  const claims: Record<string, unknown> = {
    ...accessTokenClaims(issue.ctx, { tenant: issue.tenant, app: cloudShellApp, api, acr: "0", capabilities: undefined, host: issue.issuerHost, now: iat }),
    exp,
    appid: CLOUD_SHELL_APP_ID,
    appidacr: "0",
    idtyp: "user",
    oid: user.objectId,
    sub: user.objectId,
    // v2 tokens name the user in preferred_username; the v1 tokens real Cloud Shell mostly hands
    // out (ARM's audience) in upn and unique_name. Clients read either.
    preferred_username: user.username,
    upn: user.username,
    unique_name: user.username,
    name: user.displayName,
    scp: "user_impersonation",
  };
  return { access_token: await signToken(issue.ctx, claims), expires_in: issue.lifetime, expires_on: exp, not_before: iat };
}
