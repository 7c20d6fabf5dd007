import type { EmulatorContext } from "../context.js";
import { missingParameter, unsupportedGrantType } from "../errors.js";
import type { EmulatorRequest, Handler, HandlerResult } from "../http.js";
import { selectTenant } from "../tenant-selection.js";
import type { TenantSelection } from "../tenant-selection.js";

/** Handles one `grant_type` at the token endpoint, for an already-resolved tenant segment. */
export type GrantHandler = (request: EmulatorRequest, selection: TenantSelection) => Promise<HandlerResult>;

/**
 * `POST /{tenant}/oauth2/v2.0/token`: resolves the tenant, then dispatches on `grant_type`.
 *
 * @param grants - handlers by grant type; grants added by later features register here.
 */
export function createTokenEndpoint(ctx: EmulatorContext, grants: Readonly<Record<string, GrantHandler>>): Handler {
  return (request) => {
    const selection = selectTenant(ctx.directory, request);
    const grantType = request.form.get("grant_type");
    if (!grantType) throw missingParameter("grant_type");
    request.notes.grantType = grantType;
    const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
    if (!grant) throw unsupportedGrantType(grantType);
    return grant(request, selection);
  };
}
