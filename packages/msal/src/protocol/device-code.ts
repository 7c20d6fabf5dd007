/**
 * The device authorization request (RFC 8628 §3.1, §3.2) that starts a device code flow, and the
 * flow object built from its answer.
 *
 * @module
 */
import { NetworkError } from "../errors.js";
import type { HttpClient } from "../http/index.js";
import { describeEndpoint, postForm } from "./token-request.js";
import type { ErrorResponse } from "./wire.js";

/** The grant type of the device code flow's token requests (RFC 8628 §3.4). */
export const DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

/** Seconds between polls when the authority names no `interval` (RFC 8628 §3.2). */
export const DEFAULT_DEVICE_FLOW_INTERVAL = 5;
/** Seconds a device code is assumed to live when the authority names no `expires_in`. */
export const DEFAULT_DEVICE_FLOW_EXPIRES_IN = 1800;

/**
 * A device flow: the authority's device authorization response with every field it sent, plus what
 * msal-ts adds for polling. Show `message` (or `verification_uri` and `user_code`) to the user, then
 * pass the whole object to `acquireTokenByDeviceFlow`. It is plain JSON. `initiateDeviceFlow`
 * resolves to a flow or an error result; `"error" in flow` tells them apart.
 */
export interface DeviceFlow {
  /** The code the user types on the verification page, e.g. `FRWQDE7YL`. */
  readonly user_code: string;
  /** The code the app polls with. Keep it to yourself: it is a credential while the flow lasts. */
  readonly device_code: string;
  /** Where the user goes to enter `user_code`, e.g. `https://microsoft.com/devicelogin`. */
  readonly verification_uri: string;
  /** Instructions for the user, naming `verification_uri` and `user_code` (Entra sends one). */
  readonly message?: string;
  /** `verification_uri` with the code filled in, for authorities that send it (Entra does not). */
  readonly verification_uri_complete?: string;
  /**
   * Seconds between polls: the authority's, or 5. Polling adds 5 to it each time the authority
   * answers `slow_down`.
   */
  interval: number;
  /** Seconds the device code lives: the authority's, or 1800. */
  readonly expires_in: number;
  /**
   * When polling stops, in epoch seconds (`expires_in` after the flow began). Set it to 0 to make a
   * running `acquireTokenByDeviceFlow` return within about a second.
   */
  expires_at: number;
  /** The correlation id of the call that began the flow; every poll reuses it. */
  readonly _correlation_id: string;
  // Other fields the authority sent are kept, but not typed: with an index signature here,
  // `"error" in flow` could no longer tell a flow from an error result.
}

/** What {@link requestDeviceFlow} sends. */
export interface DeviceFlowRequest {
  /** The authority's `device_authorization_endpoint`. */
  readonly endpoint: string;
  readonly clientId: string;
  /** The scopes, already decorated with the OpenID Connect ones. */
  readonly scopes: readonly string[];
  /** A `claims` request (JSON), if any. */
  readonly claims?: string | undefined;
  /** The library headers; `client-request-id` is added. */
  readonly headers: Readonly<Record<string, string>>;
  /** This call's correlation id: sent as `client-request-id`, and kept in the flow. */
  readonly correlationId: string;
  /** Now, in epoch seconds (`expires_at` counts from it). */
  readonly now: number;
  readonly signal?: AbortSignal | undefined;
}

/** The answer of a device authorization request: a flow, or the error the authority sent. */
export type DeviceFlowOutcome =
  | { readonly ok: true; readonly flow: DeviceFlow }
  | { readonly ok: false; readonly error: ErrorResponse };

function where(url: string): string {
  return describeEndpoint(url, "the device authorization endpoint");
}

/** A positive whole number of seconds from a number or a numeric string; else `fallback`. */
function seconds(value: unknown, fallback: number): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) && n >= 1 ? Math.trunc(n) : fallback;
}

/**
 * Sends a device authorization request (`client_id`, `scope`, and `claims` when given) and builds the
 * flow from the answer: the authority's fields, `interval` and `expires_in` as whole seconds (5 and
 * 1800 when absent or unusable), `expires_at` = now + `expires_in`, and `_correlation_id`.
 *
 * A JSON body with `error` is an error outcome, whatever the status. A success without `device_code`,
 * `user_code` and `verification_uri`, a body that is not JSON, or a 5xx without an OAuth error throws
 * {@link NetworkError}; the body is never quoted (it may hold the device code).
 *
 * @throws The signal's reason when it aborts; {@link NetworkError} for transport failures and
 *   unusable answers.
 */
export async function requestDeviceFlow(http: HttpClient, request: DeviceFlowRequest): Promise<DeviceFlowOutcome> {
  const { endpoint, signal } = request;
  const { res, json } = await postForm(
    http,
    endpoint,
    { client_id: request.clientId, scope: request.scopes.join(" "), claims: request.claims },
    Object.assign({}, request.headers, { "client-request-id": request.correlationId }),
    signal,
  );
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    if (typeof o.error === "string" && o.error) return { ok: false, error: o as unknown as ErrorResponse };
    const complete = ["device_code", "user_code", "verification_uri"].every((k) => typeof o[k] === "string" && o[k] !== "");
    if (res.status < 300 && complete) {
      const expiresIn = seconds(o.expires_in, DEFAULT_DEVICE_FLOW_EXPIRES_IN);
      // An `error` member that is no error (empty, not a string) is dropped: callers tell a flow
      // from an error result by `"error" in flow`.
      const { error: _notAnError, ...fields } = o;
      const flow = {
        ...fields,
        interval: seconds(o.interval, DEFAULT_DEVICE_FLOW_INTERVAL),
        expires_in: expiresIn,
        expires_at: request.now + expiresIn,
        _correlation_id: request.correlationId,
      } as DeviceFlow;
      return { ok: true, flow };
    }
  }
  throw new NetworkError(
    res.status >= 300 ? "ERR_HTTP_STATUS" : "ERR_INVALID_RESPONSE",
    res.status >= 300
      ? `${where(endpoint)} answered HTTP ${res.status} without an OAuth error`
      : `${where(endpoint)} answered HTTP ${res.status} without device_code, user_code and verification_uri`,
    { status: res.status },
  );
}
