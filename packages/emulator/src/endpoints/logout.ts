import type { EmulatorContext } from "../context.js";
import { EntraError, entraErrorBody } from "../errors.js";
import type { Tenant } from "../directory.js";
import type { Handler } from "../http.js";
import { PAGE_HEADERS } from "../sign-in/html.js";
import { errorPage, signedOutPage } from "../sign-in/pages.js";
import { isRedirectUriOfTenants } from "../sign-in/redirect-uris.js";
import { clearedSessionCookie } from "../sign-in/sessions.js";
import { selectTenant } from "../tenant-selection.js";

/**
 * `GET|POST /{tenant}/oauth2/v2.0/logout` (authority-wire-format §1.8): ends the browser's session at
 * the emulator, then redirects to `post_logout_redirect_uri` (with `state`) when an app of the tenant
 * registered it as a redirect URI (loopback URIs match any port), else shows a signed-out page.
 */
export function createLogoutEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    let tenants: readonly Tenant[];
    try {
      const selection = selectTenant(ctx.directory, request);
      tenants = selection.kind === "tenant" ? [selection.tenant] : ctx.directory.tenants;
    } catch (err) {
      if (err instanceof EntraError) return errorPage(entraErrorBody(err, request), err.status);
      throw err;
    }
    const params = request.method === "POST" ? request.form : request.query;
    const session = ctx.sessions.fromCookie(request.headers.cookie, request.now);
    if (session) ctx.sessions.delete(session.id);
    const headers = { "set-cookie": clearedSessionCookie() };

    const target = params.get("post_logout_redirect_uri");
    if (target && isRedirectUriOfTenants(tenants, target)) {
      const url = new URL(target);
      const state = params.get("state");
      if (state !== null) url.searchParams.append("state", state);
      return { type: "redirect", status: 302, location: url.toString(), headers: { ...PAGE_HEADERS, ...headers } };
    }
    return signedOutPage(target ?? undefined, headers);
  };
}
