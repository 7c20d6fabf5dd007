import { isClaimsChallenge } from "../claims-request.js";
import { MFA_CODE } from "../config.js";
import type { EmulatorContext } from "../context.js";
import type { Tenant, User } from "../directory.js";
import { EntraError, unknownClient } from "../errors.js";
import type { EmulatorRequest, HandlerResult, TextResult } from "../http.js";
import { parseScopeRequest } from "../scopes.js";
import { sameSecret } from "../secrets.js";
import {
  consentDeclined,
  loginRequired,
  signInExpired,
  silentConsentRequired,
  silentInteractionRequired,
} from "../user-errors.js";
import { consentScopes, needsConsent } from "../user-policy.js";
import { clientInfo, newAuthentication } from "../user-tokens.js";
import { AuthorizeFailure } from "./authorize-request.js";
import type { AuthorizeRequest } from "./authorize-request.js";
import { authorizeResponse } from "./authorize-response.js";
import type { DeviceSignIn, SignInFlow, SignInStep } from "./flows.js";
import { accountPage, consentPage, credentialsPage, mfaPage } from "./pages.js";
import type { StepPage } from "./pages.js";
import type { BrowserSession } from "./sessions.js";
import { sessionCookie } from "./sessions.js";

// The sign-in itself: which page comes next (credentials, second factor, consent, account picker),
// what each submission does, and the authorization code at the end (on the device login page, the
// device code's confirmation instead). Prompt handling per authority-wire-format §1.3.

const WRONG_PASSWORD = "Your account or password is incorrect. If you don't remember your password, ask the emulator's owner.";
const WRONG_CODE = "That code didn't work. Check the code on this page and try again.";

function stepPage(flow: SignInFlow): StepPage {
  return {
    flowId: flow.id,
    action: flow.device?.action ?? `/${encodeURIComponent(flow.request.segment)}/oauth2/v2.0/authorize`,
    appName: flow.request.app.displayName,
  };
}

/** Renders the page the flow waits on. */
function render(flow: SignInFlow, error?: string, username?: string): TextResult {
  const base = { ...stepPage(flow), ...(error === undefined ? {} : { error }) };
  const account = flow.account;
  if (flow.step === "credentials" || !account) {
    const prefill = username ?? flow.request.loginHint;
    return credentialsPage({ ...base, ...(prefill === undefined ? {} : { username: prefill }) });
  }
  const { user } = account;
  if (flow.step === "mfa") return mfaPage({ ...base, username: user.username });
  if (flow.step === "consent") {
    return consentPage({ ...base, username: user.username, scopes: consentScopes(account.scopes.resources), oidc: [...account.scopes.oidc] });
  }
  return accountPage({ ...base, name: user.displayName, username: user.username });
}

/** Shows a step and keeps the flow until the user answers. */
function wait(ctx: EmulatorContext, request: EmulatorRequest, flow: SignInFlow, step: SignInStep, username?: string): TextResult {
  flow.step = step;
  ctx.signIns.save(flow, request.now);
  return render(flow, undefined, username);
}

/** Attaches the user: their tenant's registration of the app, and the scopes in their tenant. */
function bindAccount(flow: SignInFlow, tenant: Tenant, user: User, session: BrowserSession | undefined): void {
  const app = tenant.findApp(flow.request.app.clientId);
  if (!app) throw new AuthorizeFailure(unknownClient(flow.request.app.clientId, tenant.displayName), undefined);
  try {
    flow.account = { tenant, app, user, scopes: parseScopeRequest(flow.request.scope, tenant), session };
  } catch (err) {
    if (err instanceof EntraError) throw new AuthorizeFailure(err, flow.request);
    throw err;
  }
}

function needsMfa(flow: SignInFlow): boolean {
  const account = flow.account;
  if (!account || flow.mfaDone) return false;
  // A resource's claims challenge asks for a fresh second factor, even in an existing session.
  if (isClaimsChallenge(flow.request.claims ?? null)) return true;
  return account.user.mfa && !(account.session?.authentication.mfa ?? false);
}

function nextStep(ctx: EmulatorContext, flow: SignInFlow): SignInStep | "done" {
  const account = flow.account;
  if (!account) return "credentials";
  if (needsMfa(flow)) return "mfa";
  const consent =
    !flow.consentGiven &&
    (flow.request.prompt === "consent" || needsConsent(ctx, account.tenant, account.user, account.app, account.scopes.resources));
  return consent ? "consent" : "done";
}

/** Issues the code, starts or renews the session, and sends the browser back to the app. */
function complete(ctx: EmulatorContext, request: EmulatorRequest, flow: SignInFlow): HandlerResult {
  const account = flow.account;
  if (!account) throw new Error("A sign-in cannot complete before the user is known.");
  const { tenant, app, user, session } = account;
  const mfa = flow.mfaDone || (session?.authentication.mfa ?? false);
  const authentication = session ? { ...session.authentication, mfa } : newAuthentication(request.now, mfa);
  if (flow.consentGiven) ctx.consents.grant(tenant, user, app, consentScopes(account.scopes.resources));

  const previous = ctx.sessions.fromCookie(request.headers.cookie, request.now);
  if (previous && previous.id !== session?.id) ctx.sessions.delete(previous.id);
  const saved = ctx.sessions.save({ ...(session ? { id: session.id } : {}), tenant, user, authentication }, request.now);
  if (flow.device) {
    ctx.signIns.delete(flow.id);
    return flow.device.signedIn(request, { tenant, app, user, scopes: account.scopes, authentication }, { "set-cookie": sessionCookie(saved.id) });
  }

  const code = ctx.codes.issue(
    {
      tenant,
      app,
      user,
      redirectUri: flow.request.redirectUri,
      scope: account.scopes,
      nonce: flow.request.nonce,
      challenge: flow.request.challenge,
      authentication,
      capabilities: flow.request.capabilities,
    },
    request.now,
  );
  ctx.signIns.delete(flow.id);
  const params = flow.request.clientInfo ? { code, client_info: clientInfo(tenant, user) } : { code };
  return authorizeResponse(flow.request, params, { "set-cookie": sessionCookie(saved.id) });
}

/** Goes to the next page, or finishes. */
function advance(ctx: EmulatorContext, request: EmulatorRequest, flow: SignInFlow): HandlerResult {
  const step = nextStep(ctx, flow);
  return step === "done" ? complete(ctx, request, flow) : wait(ctx, request, flow, step);
}

/** The browser's session, and why it cannot sign this request in silently (if it cannot). */
interface SessionCheck {
  readonly session: BrowserSession | undefined;
  readonly problem: string | undefined;
}

function checkSession(ctx: EmulatorContext, request: EmulatorRequest, authorize: AuthorizeRequest): SessionCheck {
  const session = ctx.sessions.fromCookie(request.headers.cookie, request.now);
  let problem: string | undefined;
  if (!session) problem = "The browser has no session at this authority.";
  else if (authorize.tenant && authorize.tenant !== session.tenant) problem = "The signed-in user belongs to another tenant.";
  else if (!session.tenant.findApp(authorize.app.clientId)) problem = "The app is not registered in the signed-in user's tenant.";
  else if (authorize.maxAge !== undefined && request.now - session.authentication.authTime > authorize.maxAge) {
    problem = "The user signed in longer ago than max_age allows.";
  } else if (authorize.loginHint && authorize.loginHint.toLowerCase() !== session.user.username.toLowerCase()) {
    problem = "The login_hint names another user than the signed-in one.";
  }
  return { session, problem };
}

/** prompt=none: finish without a page, or tell the app why a page is needed. */
function signInSilently(ctx: EmulatorContext, request: EmulatorRequest, flow: SignInFlow, check: SessionCheck): HandlerResult {
  if (!check.session || check.problem) throw new AuthorizeFailure(loginRequired(check.problem ?? ""), flow.request);
  bindAccount(flow, check.session.tenant, check.session.user, check.session);
  const fail = (err: EntraError): never => {
    throw new AuthorizeFailure(err, flow.request);
  };
  if (check.session.user.interactionRequired) fail(silentInteractionRequired(50079, "the user's policy requires an interactive sign-in."));
  const step = nextStep(ctx, flow);
  if (step === "mfa") fail(silentInteractionRequired(50076, "multi-factor authentication is required."));
  if (step === "consent") fail(silentConsentRequired(flow.request.app.clientId, flow.request.app.displayName));
  return complete(ctx, request, flow);
}

/**
 * Starts a sign-in for a validated authorize request: silently from the browser's session when it
 * can (and `prompt` allows), else with the first page.
 *
 * @throws AuthorizeFailure for prompt=none requests that need the user, and for an app missing from
 *   the signed-in user's tenant.
 */
export function startSignIn(
  ctx: EmulatorContext,
  request: EmulatorRequest,
  authorize: AuthorizeRequest,
  device?: DeviceSignIn,
): HandlerResult {
  const flow = ctx.signIns.create(authorize, device);
  const check = checkSession(ctx, request, authorize);
  if (authorize.prompt === "none") return signInSilently(ctx, request, flow, check);
  const { session } = check;
  if (session && !check.problem && authorize.prompt !== "login" && authorize.prompt !== "create") {
    bindAccount(flow, session.tenant, session.user, session);
    return authorize.prompt === "select_account" ? wait(ctx, request, flow, "account") : advance(ctx, request, flow);
  }
  return wait(ctx, request, flow, "credentials", authorize.loginHint ?? session?.user.username);
}

function findUser(ctx: EmulatorContext, tenant: Tenant | undefined, username: string): { tenant: Tenant; user: User } | undefined {
  if (tenant) {
    const user = tenant.findUser(username);
    return user && { tenant, user };
  }
  const realm = ctx.directory.findUserRealm(username);
  return realm?.user && { tenant: realm.tenant, user: realm.user };
}

/**
 * Handles a submitted sign-in page (the form's hidden `flow` names the sign-in).
 *
 * @throws AuthorizeFailure for an unknown or expired sign-in, and when the user cancels consent.
 */
export function continueSignIn(ctx: EmulatorContext, request: EmulatorRequest): HandlerResult {
  const form = request.form;
  const flow = ctx.signIns.find(form.get("flow") ?? "", request.now);
  if (!flow) throw new AuthorizeFailure(signInExpired(), undefined);
  request.notes.clientId = flow.request.app.clientId;
  request.notes.tenant = flow.request.tenant?.id ?? flow.request.segment;
  const action = form.get("action");
  switch (flow.step) {
    case "credentials": {
      const username = (form.get("username") ?? "").trim();
      const found = findUser(ctx, flow.request.tenant, username);
      if (!found || !sameSecret(form.get("password") ?? "", found.user.password)) return render(flow, WRONG_PASSWORD, username);
      bindAccount(flow, found.tenant, found.user, undefined);
      flow.mfaDone = false;
      return advance(ctx, request, flow);
    }
    case "mfa":
      if (!sameSecret((form.get("otc") ?? "").trim(), MFA_CODE)) return render(flow, WRONG_CODE);
      flow.mfaDone = true;
      return advance(ctx, request, flow);
    case "consent":
      if (action === "cancel") {
        ctx.signIns.delete(flow.id);
        if (flow.device) return flow.device.cancelled(request);
        throw new AuthorizeFailure(consentDeclined(), flow.request);
      }
      if (action !== "accept") return render(flow);
      flow.consentGiven = true;
      return advance(ctx, request, flow);
    case "account":
      if (action === "another") {
        flow.account = undefined;
        return wait(ctx, request, flow, "credentials");
      }
      return action === "continue" ? advance(ctx, request, flow) : render(flow);
  }
}
