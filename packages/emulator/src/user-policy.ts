import { MFA_CLAIMS_CHALLENGE } from "./claims-request.js";
import type { EmulatorContext } from "./context.js";
import type { App, Tenant, User } from "./directory.js";
import { qualifiedScope } from "./scopes.js";
import type { ResourceScopes } from "./scopes.js";
import { consentRequired, interactionRequired, mfaRequired } from "./user-errors.js";

/** The qualified names of the scopes a request asks a user to grant (what consent is about). */
export function consentScopes(resources: readonly ResourceScopes[]): string[] {
  return resources.flatMap((r) => r.scopes.map((s) => qualifiedScope(r.api, s)));
}

/** True when the user must see the consent page before the app gets these scopes. */
export function needsConsent(ctx: EmulatorContext, tenant: Tenant, user: User, app: App, resources: readonly ResourceScopes[]): boolean {
  return user.consentRequired && !ctx.consents.covers(tenant, user, app, consentScopes(resources));
}

/** A sign-in without the user at hand (ROPC, refresh, OBO, SAML bearer). */
export interface NonInteractiveSignIn {
  readonly tenant: Tenant;
  readonly app: App;
  readonly user: User;
  readonly resources: readonly ResourceScopes[];
  /** The credentials behind the request include a second factor (a refresh token from an MFA sign-in). */
  readonly mfa: boolean;
  /** `error` for users who need an interactive step: `invalid_grant` on refresh, else `interaction_required`. */
  readonly interactionError: "invalid_grant" | "interaction_required";
}

/**
 * Applies the user's sign-in requirements to a request the user cannot take part in.
 *
 * @throws EntraError AADSTS50079 (`interactionRequired` users), AADSTS50076 (`mfa` users without a
 *   second factor), AADSTS65001 (`consentRequired` users who have not consented), each with the
 *   suberror and claims challenge MSALs turn into "sign in interactively".
 */
export function assertNonInteractiveSignIn(ctx: EmulatorContext, signIn: NonInteractiveSignIn): void {
  const { tenant, app, user, resources } = signIn;
  const resource = resources[0]?.api.identifier ?? app.clientId;
  if (user.interactionRequired) throw interactionRequired(signIn.interactionError, resource, MFA_CLAIMS_CHALLENGE);
  if (user.mfa && !signIn.mfa) throw mfaRequired(resource, MFA_CLAIMS_CHALLENGE);
  if (needsConsent(ctx, tenant, user, app, resources)) throw consentRequired(app.clientId, app.displayName);
}
