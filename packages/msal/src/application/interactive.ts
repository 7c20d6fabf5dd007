/**
 * Interactive sign-in for public clients: the auth code flow with PKCE, run through the system
 * browser and a loopback listener on this machine (RFC 8252, OAuth 2.0 for Native Apps).
 *
 * @module
 */
import { invalidArgType, invalidArgValue } from "../errors.js";
import { checkTimeout, openSystemBrowser, startLoopbackListener } from "../interactive/index.js";
import type { AuthCodeFlow, AuthenticationResult } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import { acquireTokenByAuthCodeFlow, initiateAuthCodeFlow, type PromptValue } from "./auth-code.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { checkTokenKind } from "./requested-token.js";
import { RESERVED_SCOPES, decorateScopes } from "./scopes.js";
import { ApiId, newCorrelationId } from "./telemetry.js";
import { metadataOrRefusal } from "./token-exchange.js";

/** Options of `acquireTokenInteractive`. */
export interface AcquireTokenInteractiveOptions {
  /** What the sign-in page must do; by default no `prompt` is sent at all. */
  readonly prompt?: PromptValue;
  /** Pre-fills the username on the sign-in page, usually a UPN. */
  readonly loginHint?: string;
  /** `consumers` or `organizations`, or a tenant's domain, to skip home-realm discovery. */
  readonly domainHint?: string;
  /** A claims challenge from a resource (a JSON string), for the ID and access tokens. */
  readonly claimsChallenge?: string;
  /** Seconds to wait for the sign-in to come back; by default no limit. */
  readonly timeout?: number;
  /**
   * The loopback port the redirect comes back to (`http://localhost:{port}`); by default a free
   * one the system picks. The app must have `http://localhost` as a redirect URI.
   */
  readonly port?: number;
  /**
   * Scopes of other resources to consent to in the same sign-in. They are asked for on the sign-in
   * page only: the token returned is for `scopes`.
   */
  readonly extraScopesToConsent?: readonly string[];
  /** Seconds since the user last signed in beyond which the authority must sign them in again. */
  readonly maxAge?: number;
  /**
   * Opens the sign-in URL, instead of the system's default browser: an embedded or automated
   * browser, or printing the URL for the user. May return a promise; if it throws or rejects, the
   * sign-in ends with that error. The sign-in does not wait for a returned promise to settle before
   * accepting the redirect.
   */
  readonly openBrowser?: (url: string) => unknown;
  /** The HTML page the browser shows after signing in (sent as written). */
  readonly successTemplate?: string;
  /**
   * The HTML page the browser shows when the sign-in failed; `{error}` and `{error_description}`
   * are replaced by the values, HTML-escaped.
   */
  readonly failureTemplate?: string;
  /** Extra body parameters for the token request. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /** Cancels the sign-in: the listener closes and the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

function checkOptions(opts: unknown): asserts opts is AcquireTokenInteractiveOptions {
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  const o = opts as Record<string, unknown>;
  if (o["openBrowser"] !== undefined && typeof o["openBrowser"] !== "function") {
    throw invalidArgType("openBrowser must be a function (url) => void | Promise<unknown>");
  }
  for (const name of ["successTemplate", "failureTemplate"]) {
    if (o[name] !== undefined && typeof o[name] !== "string") throw invalidArgType(`${name} must be a string of HTML`);
  }
  const extra = o["extraScopesToConsent"];
  if (extra !== undefined && (!Array.isArray(extra) || !extra.every((s) => typeof s === "string"))) {
    throw invalidArgType('extraScopesToConsent must be an array of strings, e.g. ["api://orders/Orders.Read"]');
  }
  if (o["signal"] !== undefined && !(o["signal"] instanceof AbortSignal)) throw invalidArgType("signal must be an AbortSignal");
  checkTimeout(o["timeout"]);
  checkTokenKind(opts as AcquireTokenInteractiveOptions);
}

/**
 * Signs a user in through a browser and returns the tokens: starts a loopback listener, opens the
 * authorize URL (PKCE, state and nonce as in the auth code flow) with `redirect_uri`
 * `http://localhost:{port}`, waits for the redirect, and redeems the code (telemetry API id 169).
 *
 * @returns A token result with `id_token_claims`; an error result when the authority redirected
 *   with an error (the user cancelled: `access_denied`) or refused the code.
 * @throws BrowserInteractionTimeoutError when `timeout` seconds pass first; MsalError
 *   `ERR_LOOPBACK_PORT_IN_USE` when `port` is taken, `ERR_BROWSER_LAUNCH` when no browser could be
 *   opened; whatever `openBrowser` throws; the signal's reason when it aborts; `IdTokenError` when
 *   the ID token fails a check.
 */
export async function acquireTokenInteractive(
  ctx: AppContext,
  scopes: readonly string[],
  opts: AcquireTokenInteractiveOptions = {},
): Promise<AuthenticationResult> {
  if (!Array.isArray(scopes)) throw invalidArgType('scopes must be an array of strings, e.g. ["User.Read"] (it may be empty)');
  checkOptions(opts);
  const extra = opts.extraScopesToConsent ?? [];
  // The token is requested for the caller's scopes only; the extra ones are for consent alone.
  const tokenScopes = decorateScopes(scopes, ctx.excludeScopes);
  const reserved = extra.filter((s) => (RESERVED_SCOPES as readonly string[]).includes(s));
  if (reserved.length > 0) {
    throw invalidArgValue(
      `extraScopesToConsent may not include ${reserved.join(", ")}: every sign-in asks for openid, profile and offline_access already`,
    );
  }
  opts.signal?.throwIfAborted();

  const correlationId = newCorrelationId();
  // Discovery first: an authority that refuses it (an unknown tenant) is an error result, and no
  // listener needs to be opened for it.
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;

  const listener = await startLoopbackListener({
    port: opts.port,
    successTemplate: opts.successTemplate,
    failureTemplate: opts.failureTemplate,
    onIgnoredRequest: (reason) => ctx.log?.("verbose", `The loopback listener turned a request away: ${reason}`),
  });
  let authResponse: Record<string, string>;
  let flow: AuthCodeFlow;
  try {
    flow = await initiateAuthCodeFlow(ctx, [...scopes, ...extra], {
      redirectUri: listener.redirectUri,
      ...(opts.prompt !== undefined ? { prompt: opts.prompt } : {}),
      ...(opts.loginHint !== undefined ? { loginHint: opts.loginHint } : {}),
      ...(opts.domainHint !== undefined ? { domainHint: opts.domainHint } : {}),
      ...(opts.claimsChallenge !== undefined ? { claimsChallenge: opts.claimsChallenge } : {}),
      ...(opts.maxAge !== undefined ? { maxAge: opts.maxAge } : {}),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    });
    // Listen for the answer before the browser can send it.
    const response = listener.waitForResponse(flow.state, { timeout: opts.timeout, signal: opts.signal });
    ctx.log?.("info", `Waiting for the sign-in to come back to ${listener.redirectUri}`);
    const authUri = flow.auth_uri;
    const launched = Promise.resolve().then(() => (opts.openBrowser ? opts.openBrowser(authUri) : openSystemBrowser(authUri)));
    // A launch that fails ends the sign-in; one that succeeds (or is still pending) leaves the wait on.
    authResponse = await Promise.race([response, launched.then(() => response)]);
  } finally {
    await listener.close();
  }

  return acquireTokenByAuthCodeFlow(
    ctx,
    // The flow asked for the extra scopes too; the code is redeemed for the caller's alone.
    { ...flow, scope: tokenScopes },
    authResponse,
    {
      ...(opts.data !== undefined ? { data: opts.data } : {}),
      ...(opts.authScheme !== undefined ? { authScheme: opts.authScheme } : {}),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    },
    ApiId.ACQUIRE_TOKEN_INTERACTIVE,
  );
}
