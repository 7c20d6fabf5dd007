import { authenticateUserClient } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import type { Tenant, User } from "../directory.js";
import type { GrantHandler } from "../endpoints/token.js";
import { missingParameter } from "../errors.js";
import { sameSecret } from "../secrets.js";
import type { TenantSelection } from "../tenant-selection.js";
import { federatedUserPassword, invalidCredentials, passwordGrantNeedsTenant, userNotFound } from "../user-errors.js";
import { issueUserTokenResponse } from "../user-tokens.js";

/** The tenant a username signs in to: the path's, or on `/organizations` the one owning its domain. */
function userTenant(ctx: EmulatorContext, selection: TenantSelection, username: string): { tenant: Tenant; user: User | undefined } {
  if (selection.kind === "tenant") return { tenant: selection.tenant, user: selection.tenant.findUser(username) };
  const realm = ctx.directory.findUserRealm(username);
  if (!realm) throw userNotFound(username, "organizations");
  return realm;
}

/**
 * `grant_type=password` (ROPC, authority-wire-format §1.4): the user's password, on a tenant or
 * `/organizations`. Federated users' passwords are the federation service's to check; users who need
 * multi-factor authentication, consent or an interactive step get the errors MSALs recognise.
 */
export function createPasswordGrant(ctx: EmulatorContext): GrantHandler {
  return async (request, selection) => {
    if (selection.kind === "multi-tenant" && selection.segment !== "organizations") throw passwordGrantNeedsTenant();
    const username = request.form.get("username");
    if (!username) throw missingParameter("username");
    const password = request.form.get("password");
    if (!password) throw missingParameter("password");
    const { tenant, user } = userTenant(ctx, selection, username);
    const client = await authenticateUserClient(ctx, request, tenant);
    if (!user) throw userNotFound(username, tenant.displayName);
    if (user.federated) throw federatedUserPassword(user.username.slice(user.username.lastIndexOf("@") + 1));
    if (!sameSecret(password, user.password)) throw invalidCredentials();
    return issueUserTokenResponse(ctx, request, { tenant, client, user });
  };
}
