import { requestedCapabilities } from "../claims-request.js";
import { authenticateUserClient } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import {
  authorizationDeclined,
  authorizationPending,
  badVerificationCode,
  deviceCodeExpired,
  deviceCodeNotRedeemable,
  slowDown,
} from "../device-code-errors.js";
import type { GrantHandler } from "../endpoints/token.js";
import { missingParameter } from "../errors.js";
import { resolveUserScopes } from "../scopes.js";
import { respondWithUserTokens, wantsClientInfo } from "../user-tokens.js";

/** The device code grant type (RFC 8628 §3.4). */
export const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/**
 * Seconds of leeway before a poll counts as too fast for `slow_down`: requests sent an interval apart
 * may arrive a little closer together.
 */
const POLL_LEEWAY = 0.5;

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:device_code` (authority-wire-format §1.4, §3.2; also
 * registered as `device_code`, the name msal-common sends): the
 * app's poll with `device_code` (MSAL Python also sends it as `code`, which is ignored). Answers, in
 * this order: `bad_verification_code` for a device code this authority (tenant) did not issue;
 * `invalid_grant` when it was issued to another app or redeemed already; `expired_token` past its
 * lifetime; `authorization_declined` when the user declined; `authorization_pending` while the user
 * has not finished (or `slow_down`, when configured, for a poll sooner than the interval after the
 * previous request of the device code); and once approved the user's tokens, exactly once.
 *
 * The user's requirements (second factor, consent, a claims challenge's fresh second factor) were met
 * on the device login page, so the tokens carry that sign-in (`auth_time`, `sid`); a confidential app
 * authenticates on every poll.
 */
export function createDeviceCodeGrant(ctx: EmulatorContext): GrantHandler {
  return async (request, selection) => {
    const form = request.form;
    const deviceCode = form.get("device_code");
    if (!deviceCode) throw missingParameter("device_code");
    const entry = ctx.deviceCodes.find(deviceCode, request.now);
    if (!entry) throw badVerificationCode();
    const tenant = entry.tenant ?? entry.approval?.tenant;
    if (selection.kind === "tenant" && tenant && tenant !== selection.tenant) throw badVerificationCode();

    const client = await authenticateUserClient(ctx, request, entry.approval?.tenant ?? entry.appTenant);
    if (client.app.clientId.toLowerCase() !== entry.app.clientId.toLowerCase()) {
      throw deviceCodeNotRedeemable("The device code was issued to another application.");
    }
    if (entry.state === "redeemed") throw deviceCodeNotRedeemable("The device code was redeemed already: start a new device code flow.");
    if (request.now > entry.expiresAt) throw deviceCodeExpired();
    if (entry.state === "declined") throw authorizationDeclined();

    const approval = entry.approval;
    if (entry.state === "pending" || !approval) {
      const previous = entry.lastRequestAt;
      entry.lastRequestAt = request.now;
      if (ctx.deviceCodes.settings.slowDown && request.now - previous < entry.interval - POLL_LEEWAY) {
        entry.interval += 5;
        throw slowDown(entry.interval);
      }
      throw authorizationPending();
    }

    entry.state = "redeemed";
    const grant = resolveUserScopes(entry.scope, approval.tenant);
    return respondWithUserTokens(
      ctx,
      request,
      { tenant: approval.tenant, client, user: approval.user, authentication: approval.authentication },
      {
        grant,
        capabilities: requestedCapabilities(form.get("claims")) ?? requestedCapabilities(entry.claims ?? null),
        clientInfo: wantsClientInfo(request),
      },
    );
  };
}
