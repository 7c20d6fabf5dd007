import { requestedCapabilities } from "../claims-request.js";
import type { EmulatorContext } from "../context.js";
import type { DeviceApproval, DeviceCodeEntry } from "../device-codes.js";
import { EntraError, entraErrorBody } from "../errors.js";
import { randomId } from "../expiring-store.js";
import type { EmulatorRequest, Handler, HandlerResult } from "../http.js";
import { sameSecret } from "../secrets.js";
import { signInExpired } from "../user-errors.js";
import { AuthorizeFailure } from "./authorize-request.js";
import type { AuthorizeRequest } from "./authorize-request.js";
import { DEVICE_LOGIN_PATH, deviceCodePage, deviceConfirmPage, deviceDeclinedPage, deviceSignedInPage } from "./device-pages.js";
import type { DeviceSignIn } from "./flows.js";
import { errorPage } from "./pages.js";
import { continueSignIn, startSignIn } from "./steps.js";

// The device login page (RFC 8628 §3.3): the user enters the code a device shows, signs in with the
// sign-in pages' usual steps (account picker when the browser has a session, username and password,
// second factor, consent), and then confirms — or declines — the app. The answer is kept on the device
// code, where the app's next poll finds it.

const UNKNOWN_CODE = "That code didn't work. Check the code and try again.";
const EXPIRED_CODE = "That code has expired. Go back to the app or device you are signing in to and start again to get a new code.";
const USED_CODE = "That code was already used. Go back to the app or device you are signing in to and start again to get a new code.";

/** Why a device code cannot be signed in with now, if it cannot. */
function unusable(entry: DeviceCodeEntry | undefined, now: number): string | undefined {
  if (!entry) return UNKNOWN_CODE;
  if (now > entry.expiresAt) return EXPIRED_CODE;
  return entry.state === "pending" ? undefined : USED_CODE;
}

function noteEntry(request: EmulatorRequest, entry: DeviceCodeEntry): void {
  request.notes.clientId = entry.app.clientId;
  request.notes.tenant = entry.tenant?.id ?? entry.segment;
}

/**
 * The sign-in of a device code, as an authorize request the sign-in steps understand. It is never
 * answered as one (a device sign-in ends on this page), so it has no redirect URI. `select_account`
 * shows who a browser with a session signs in as, as Entra's device login does.
 */
function signInRequest(entry: DeviceCodeEntry): AuthorizeRequest {
  return {
    redirectUri: "",
    responseMode: "query",
    state: undefined,
    segment: entry.segment,
    tenant: entry.tenant,
    app: entry.app,
    appTenant: entry.appTenant,
    scope: entry.scope,
    nonce: undefined,
    challenge: undefined,
    prompt: "select_account",
    loginHint: undefined,
    maxAge: undefined,
    claims: entry.claims,
    capabilities: requestedCapabilities(entry.claims ?? null),
    clientInfo: true,
  };
}

/** What ends a device sign-in: the confirmation page, or the declined page when consent is cancelled. */
function deviceSignIn(entry: DeviceCodeEntry): DeviceSignIn {
  return {
    action: DEVICE_LOGIN_PATH,
    signedIn(request, account, headers) {
      const problem = unusable(entry, request.now);
      if (problem) return deviceCodePage({ error: problem, headers }, 400);
      const approval: DeviceApproval = { tenant: account.tenant, app: account.app, user: account.user, authentication: account.authentication };
      const confirmation = randomId();
      entry.confirmation = { secret: confirmation, approval };
      return deviceConfirmPage({ appName: account.app.displayName, username: account.user.username, userCode: entry.userCode, confirmation, headers });
    },
    cancelled(request) {
      if (unusable(entry, request.now) === undefined) entry.state = "declined";
      return deviceDeclinedPage(entry.app.displayName);
    },
  };
}

/** The code form was submitted: start the sign-in for it. */
function enterCode(ctx: EmulatorContext, request: EmulatorRequest): HandlerResult {
  const typed = request.form.get("user_code") ?? "";
  const entry = typed.trim() === "" ? undefined : ctx.deviceCodes.findByUserCode(typed, request.now);
  const problem = unusable(entry, request.now);
  if (!entry || problem) return deviceCodePage({ userCode: typed, error: problem ?? UNKNOWN_CODE }, 400);
  noteEntry(request, entry);
  return startSignIn(ctx, request, signInRequest(entry), deviceSignIn(entry));
}

/** The confirmation form was submitted: approve or decline the device code. */
function confirm(ctx: EmulatorContext, request: EmulatorRequest): HandlerResult {
  const form = request.form;
  const entry = ctx.deviceCodes.findByUserCode(form.get("user_code") ?? "", request.now);
  const pending = entry?.confirmation;
  if (!entry || !pending || !sameSecret(form.get("confirmation") ?? "", pending.secret)) throw signInExpired();
  noteEntry(request, entry);
  const problem = unusable(entry, request.now);
  if (problem) {
    entry.confirmation = undefined;
    return deviceCodePage({ error: problem }, 400);
  }
  const appName = pending.approval.app.displayName;
  switch (form.get("action")) {
    case "approve":
      entry.confirmation = undefined;
      entry.approval = pending.approval;
      entry.state = "approved";
      return deviceSignedInPage(appName);
    case "decline":
      entry.confirmation = undefined;
      entry.state = "declined";
      return deviceDeclinedPage(appName);
    default:
      return deviceConfirmPage({ appName, username: pending.approval.user.username, userCode: entry.userCode, confirmation: pending.secret });
  }
}

/**
 * `GET /devicelogin` shows the code form (`?user_code=` pre-fills it); `POST /devicelogin` takes the
 * code form, the sign-in steps' forms (hidden `flow`) and the confirmation form (hidden
 * `confirmation`). Errors that belong to no device code (an expired sign-in, an app missing from the
 * user's tenant) show the error page.
 */
export function createDeviceLoginEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    try {
      if (request.method !== "POST") return deviceCodePage(request.query.has("user_code") ? { userCode: request.query.get("user_code") ?? "" } : {});
      if (request.form.has("flow")) return continueSignIn(ctx, request);
      if (request.form.has("confirmation")) return confirm(ctx, request);
      return enterCode(ctx, request);
    } catch (err) {
      const failure = err instanceof EntraError ? new AuthorizeFailure(err, undefined) : err;
      if (!(failure instanceof AuthorizeFailure)) throw err;
      return errorPage(entraErrorBody(failure.error, request), failure.error.status);
    }
  };
}
