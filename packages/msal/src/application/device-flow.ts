/**
 * The device code flow (RFC 8628) for public clients on devices without a browser: the app shows a
 * code, the user enters it on another device's browser and signs in there, and the app polls the
 * token endpoint until the authority answers with tokens or a final error.
 *
 * @module
 */
import { MsalError, invalidArgType } from "../errors.js";
import { DEVICE_CODE_GRANT_TYPE, mergeClaims, postTokenRequest, requestDeviceFlow } from "../protocol/index.js";
import type { AuthenticationResult, DeviceFlow, ErrorResult, TokenOutcome } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { checkTokenKind, resolveRequestedToken } from "./requested-token.js";
import { errorResult } from "./results.js";
import { decorateScopes } from "./scopes.js";
import { ApiId, CacheRefreshReason, newCorrelationId } from "./telemetry.js";
import { acceptTokens, metadataOrRefusal, nowSeconds } from "./token-exchange.js";

/** Options of `initiateDeviceFlow`. */
export interface InitiateDeviceFlowOptions {
  /**
   * A claims challenge from a resource (a JSON string), sent with the device authorization request
   * (merged with the app's client capabilities) so the sign-in can satisfy it. Pass it to
   * `acquireTokenByDeviceFlow` as well, for the tokens.
   */
  readonly claimsChallenge?: string;
  /** Cancels the call (discovery and the device authorization request); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of `acquireTokenByDeviceFlow`. */
export interface AcquireTokenByDeviceFlowOptions {
  /** A claims challenge from a resource (a JSON string), sent with every poll. */
  readonly claimsChallenge?: string;
  /** Extra body parameters for the token requests. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /** Stops polling: the promise rejects with the signal's reason at once, even mid-wait. */
  readonly signal?: AbortSignal;
}

/** Waits some milliseconds; rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal: AbortSignal | undefined) => Promise<void>;

/** A `setTimeout` the signal can cut short; its timer and listener never outlive it. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** The answers that mean "ask again later" (RFC 8628 §3.5). */
const RETRY_ERRORS: ReadonlySet<string> = new Set(["authorization_pending", "slow_down"]);

function checkOptions(opts: unknown): void {
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  const signal = (opts as { signal?: unknown }).signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidArgType("signal must be an AbortSignal");
}

/**
 * Starts a device code flow: asks the authority's `device_authorization_endpoint` for a device code
 * and a user code, for the caller's scopes plus `openid profile offline_access`.
 *
 * @returns The flow (it has `user_code`), or the authority's error result (it has `error`).
 * @throws MsalError `ERR_AUTHORITY` when the authority's metadata names no
 *   `device_authorization_endpoint`; TypeError for bad scopes or options.
 */
export async function initiateDeviceFlow(
  ctx: AppContext,
  scopes: readonly string[] = [],
  opts: InitiateDeviceFlowOptions = {},
): Promise<DeviceFlow | ErrorResult> {
  if (!Array.isArray(scopes)) throw invalidArgType("scopes must be an array of strings (it may be empty)");
  checkOptions(opts);
  const decorated = decorateScopes(scopes, ctx.excludeScopes);
  const claims = opts.claimsChallenge ? mergeClaims(opts.claimsChallenge, ctx.clientCapabilities) : undefined;
  const correlationId = newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;
  const endpoint = resolved.meta.device_authorization_endpoint;
  if (!endpoint) {
    throw new MsalError(
      "ERR_AUTHORITY",
      `The authority ${ctx.authority.url} offers no device code flow: its OpenID configuration names no ` +
        "device_authorization_endpoint. Sign the user in with acquireTokenInteractive instead, or use an authority that has one.",
    );
  }
  const outcome = await requestDeviceFlow(ctx.http, {
    endpoint,
    clientId: ctx.clientId,
    scopes: decorated,
    claims,
    headers: ctx.headers,
    correlationId,
    now: nowSeconds(),
    signal: opts.signal,
  });
  return outcome.ok ? outcome.flow : errorResult(outcome.error, correlationId);
}

/** True when polling must stop: `expires_at` is past (or was set to 0, or is missing). */
function pollingOver(flow: DeviceFlow): boolean {
  const expiresAt = flow.expires_at as unknown;
  return typeof expiresAt !== "number" || !(expiresAt > Date.now() / 1000);
}

function currentInterval(flow: DeviceFlow): number {
  const interval = flow.interval as unknown;
  return typeof interval === "number" && Number.isFinite(interval) && interval >= 1 ? Math.trunc(interval) : 5;
}

/**
 * Polls for the tokens of a device flow from {@link initiateDeviceFlow}: sends the device code
 * (as `device_code`, and as `code` as MSAL Python does) with the device code grant, and while the
 * authority answers `authorization_pending` waits the flow's `interval` seconds and asks again; a
 * `slow_down` adds 5 seconds to `flow.interval` first. Every poll carries the flow's correlation id
 * and telemetry API id 622; only the final answer is recorded for telemetry.
 *
 * Polling stops when the flow's `expires_at` passes: the wait checks it every second, so setting
 * `flow.expires_at = 0` stops a running call within about a second. The call then resolves to the
 * last answer the authority gave (usually `authorization_pending`), as MSAL Python does.
 *
 * @param wait How to wait between polls (tests pass a fake; the default is a real timer).
 * @returns A token result (its Account records the device code grant as `account_source`), or the
 *   authority's final error result: `authorization_declined`, `expired_token`, `bad_verification_code`,
 *   `invalid_grant`…
 * @throws TypeError when `flow` has no `device_code` (an error result from `initiateDeviceFlow`, say);
 *   the signal's reason when `signal` aborts; `IdTokenError` for an ID token that fails validation.
 */
export async function acquireTokenByDeviceFlow(
  ctx: AppContext,
  flow: DeviceFlow,
  opts: AcquireTokenByDeviceFlowOptions = {},
  wait: Sleep = sleep,
): Promise<AuthenticationResult> {
  if (typeof flow !== "object" || flow === null || typeof flow.device_code !== "string" || flow.device_code === "") {
    throw invalidArgType(
      'flow must be the device flow initiateDeviceFlow returned, with its device_code; an error result has none (check "error" in flow first)',
    );
  }
  checkOptions(opts);
  checkTokenKind(opts);
  const { signal } = opts;
  signal?.throwIfAborted();
  // The flow went through the caller's hands (a session store, JSON): its id is reused only when a
  // header can carry it, since fetch would refuse every poll otherwise.
  const kept = flow._correlation_id as unknown;
  const correlationId = typeof kept === "string" && /^[\x20-\x7e]+$/.test(kept) ? kept : newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, signal);
  if ("refused" in resolved) return resolved.refused;
  const { meta } = resolved;
  const requested = await resolveRequestedToken(ctx, opts);
  const claims = mergeClaims(opts.claimsChallenge, ctx.clientCapabilities);
  // One set of telemetry headers for every poll of the call, as MSAL Python sends them.
  const headers = Object.assign(
    ctx.telemetry.headers(ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID, correlationId, CacheRefreshReason.NON_SILENT_CALL),
    ctx.headers,
  );
  const finish = (outcome: TokenOutcome): AuthenticationResult => {
    ctx.telemetry.record(ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID, correlationId, outcome.ok ? outcome.response : outcome.error);
    if (!outcome.ok) return errorResult(outcome.error, correlationId);
    return acceptTokens(ctx, meta, outcome.response, {
      scopes: [],
      grantType: DEVICE_CODE_GRANT_TYPE,
      environment: ctx.environment,
      data: requested.cacheData,
      pop: requested.pop,
    });
  };

  for (;;) {
    signal?.throwIfAborted();
    const auth = await ctx.clientAuth(meta.token_endpoint, nowSeconds());
    const body = {
      client_id: ctx.clientId,
      grant_type: DEVICE_CODE_GRANT_TYPE,
      device_code: flow.device_code,
      code: flow.device_code,
      client_info: "1",
      claims,
      ...auth,
      ...requested.wireData,
    };
    const outcome = await postTokenRequest(ctx.http, meta.token_endpoint, body, headers, signal);
    if (outcome.ok || !RETRY_ERRORS.has(outcome.error.error)) return finish(outcome);
    if (outcome.error.error === "slow_down") flow.interval = currentInterval(flow) + 5;
    // Wait `interval` seconds one second at a time, so that a cleared expires_at ends the wait early.
    for (let i = 0; i < currentInterval(flow); i++) {
      if (pollingOver(flow)) return finish(outcome);
      await wait(1000, signal);
    }
  }
}
