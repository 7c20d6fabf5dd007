/**
 * Thrown errors of msal-ts.
 *
 * Service outcomes (a token endpoint answering `invalid_client`, say) are never thrown: they come
 * back as error results. What is thrown is the caller's mistake, a security failure, or a
 * transport failure that no result can describe.
 *
 * @module
 */

/** Every code a thrown {@link MsalError} may carry. */
export type MsalErrorCode =
  | "ERR_STATE_MISMATCH"
  | "ERR_ID_TOKEN"
  | "ERR_MANAGED_IDENTITY"
  | "ERR_ARC_PLATFORM_NOT_SUPPORTED"
  | "ERR_BROWSER_INTERACTION_TIMEOUT"
  | "ERR_LOOPBACK_PORT_IN_USE"
  | "ERR_BROWSER_LAUNCH"
  | "ERR_AUTHORITY"
  | "ERR_DISCOVERY"
  | "ERR_CACHE_FORMAT"
  | "ERR_CACHE_DECRYPT"
  | "ERR_CACHE_LOCK"
  | "ERR_CACHE_IO"
  | "ERR_CLIENT_CREDENTIAL"
  | "ERR_WS_TRUST"
  | "ERR_NETWORK"
  | "ERR_HTTP_STATUS"
  | "ERR_INVALID_RESPONSE"
  | "ERR_TIMEOUT"
  | "ERR_ABORTED";

/** The base of every error msal-ts throws on its own account. */
export class MsalError extends Error {
  /** A stable, machine-readable code. */
  readonly code: MsalErrorCode | (string & {});

  constructor(code: MsalErrorCode | (string & {}), message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An ID token failed validation (issuer, audience, expiry, nonce, `auth_time`). */
export class IdTokenError extends MsalError {
  /** The claim that failed, e.g. `aud` or `nonce`. */
  readonly claim: string;
  constructor(claim: string, message: string, options?: { cause?: unknown }) {
    super("ERR_ID_TOKEN", message, options);
    this.claim = claim;
  }
}

/** A managed identity is misconfigured, or its source answered in a way that cannot be used. */
export class ManagedIdentityError extends MsalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_MANAGED_IDENTITY", message, options);
  }
}

/** Azure Arc's managed identity cannot run on this platform. */
export class ArcPlatformNotSupportedError extends ManagedIdentityError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    (this as { code: string }).code = "ERR_ARC_PLATFORM_NOT_SUPPORTED";
  }
}

/** The user did not finish signing in through the browser within the given time. */
export class BrowserInteractionTimeoutError extends MsalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_BROWSER_INTERACTION_TIMEOUT", message, options);
  }
}

/**
 * The authority could not be reached or did not answer as an authority does: a transport failure,
 * a 5xx status, a body that is not JSON. `status` is set when an HTTP answer came back.
 */
export class NetworkError extends MsalError {
  /** The HTTP status the authority answered with; `undefined` when no answer came (timeout, DNS, TLS, …). */
  readonly status: number | undefined;
  constructor(code: MsalErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}

/** True for any error msal-ts throws, also across realms (matches on `name`). */
export function isMsalError(e: unknown): e is MsalError {
  return (
    e instanceof MsalError ||
    (typeof e === "object" &&
      e !== null &&
      typeof (e as { code?: unknown }).code === "string" &&
      /Error$/.test(String((e as { name?: unknown }).name)) &&
      "message" in e)
  );
}

/** A `TypeError` with a Node-style code, for bad arguments. */
export interface CodedTypeError extends TypeError {
  /**
   * As Node's own argument errors: `ERR_INVALID_ARG_TYPE` for a value of the wrong type,
   * `ERR_INVALID_ARG_VALUE` for one of the right type that is not acceptable.
   */
  code: "ERR_INVALID_ARG_TYPE" | "ERR_INVALID_ARG_VALUE";
}

/** Builds the `TypeError` thrown for an argument of the wrong type. */
export function invalidArgType(message: string): CodedTypeError {
  const e = new TypeError(message) as CodedTypeError;
  e.code = "ERR_INVALID_ARG_TYPE";
  return e;
}

/** Builds the `TypeError` thrown for an argument whose value is not allowed. */
export function invalidArgValue(message: string): CodedTypeError {
  const e = new TypeError(message) as CodedTypeError;
  e.code = "ERR_INVALID_ARG_VALUE";
  return e;
}
