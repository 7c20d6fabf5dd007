import type { EmulatorContext } from "../context.js";
import { missingParameter, unsupportedGrantType } from "../errors.js";
import type { EmulatorRequest, Handler, HandlerResult } from "../http.js";
import { selectTenant } from "../tenant-selection.js";
import type { TenantSelection } from "../tenant-selection.js";
import { applyTokenBinding, requestedTokenBinding } from "../token-binding.js";
import { takeTokenRequestFailure } from "../token-request-failures.js";

/** Handles one `grant_type` at the token endpoint, for an already-resolved tenant segment. */
export type GrantHandler = (request: EmulatorRequest, selection: TenantSelection) => Promise<HandlerResult>;

/**
 * `POST /{tenant}/oauth2/v2.0/token`: resolves the tenant, then dispatches on `grant_type`. On every
 * grant, `token_type=pop` or `ssh-cert` (with `req_cnf`, and `key_id` for a certificate) turns the
 * bearer token the grant issues into a PoP token or an SSH certificate (see token-binding.ts).
 *
 * @param grants - handlers by grant type; grants added by later features register here.
 */
export function createTokenEndpoint(ctx: EmulatorContext, grants: Readonly<Record<string, GrantHandler>>): Handler {
  return async (request) => {
    // A failure queued by emulator.failNextTokenRequests() answers before anything is checked.
    const failure = takeTokenRequestFailure(ctx);
    if (failure) return failure;
    const selection = selectTenant(ctx.directory, request);
    const grantType = request.form.get("grant_type");
    if (!grantType) throw missingParameter("grant_type");
    request.notes.grantType = grantType;
    const grant = Object.hasOwn(grants, grantType) ? grants[grantType] : undefined;
    if (!grant) throw unsupportedGrantType(grantType);
    const binding = await requestedTokenBinding(request.form);
    const result = await grant(request, selection);
    return binding ? applyTokenBinding(ctx, request, binding, result) : result;
  };
}
