/**
 * Reading what a managed identity source answered: each has its own success and error shapes,
 * which become one normalized token response or one OAuth-style error response.
 *
 * @module
 */
import { parseSeconds } from "../cache/index.js";
import { ManagedIdentityError, NetworkError } from "../errors.js";
import type { ErrorResponse } from "../protocol/index.js";
import type { ManagedIdentitySource } from "./sources.js";

/** A source's token, normalized: `expires_in` in seconds from now, whatever the source sent. */
export interface SourceToken {
  readonly access_token: string;
  readonly expires_in: number;
  readonly token_type: string;
  readonly resource?: string;
  /** Only when the source sent one. */
  readonly refresh_in?: number;
}

/** What a source answered. */
export type SourceOutcome =
  | { readonly ok: true; readonly token: SourceToken }
  | { readonly ok: false; readonly error: ErrorResponse };

type Json = Readonly<Record<string, unknown>>;

/**
 * Which lifetime field a source documents. The ones answering with the App Service shape send an
 * absolute `expires_on`; IMDS and its look-alikes send `expires_in` (and `expires_on` too). When
 * the documented one is missing the other is used, so a source that changes shape still works.
 */
const LIFETIME_FIELD: Readonly<Record<ManagedIdentitySource, "expires_in" | "expires_on">> = {
  "imds": "expires_in",
  "azure-arc": "expires_in",
  "cloud-shell": "expires_in",
  "app-service": "expires_on",
  "azure-ml": "expires_on",
  "service-fabric": "expires_on",
};

function lifetime(payload: Json, source: ManagedIdentitySource, now: number): number | undefined {
  const expiresIn = parseSeconds(payload.expires_in);
  const expiresOn = parseSeconds(payload.expires_on);
  const fromExpiresOn = expiresOn === undefined ? undefined : expiresOn - now;
  return LIFETIME_FIELD[source] === "expires_in" ? (expiresIn ?? fromExpiresOn) : (fromExpiresOn ?? expiresIn);
}

/** A short, single-line excerpt of a body for an error description (error bodies hold no tokens). */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 1000 ? `${flat.slice(0, 1000)}…` : flat;
}

// Service Fabric's error codes, as OAuth errors (RFC 6749 §5.2), the mapping MSAL Python uses.
const SERVICE_FABRIC_ERRORS: Readonly<Record<string, string>> = {
  SecretHeaderNotFound: "unauthorized_client",
  ManagedIdentityNotFound: "invalid_client",
  ArgumentNullOrEmpty: "invalid_scope",
};

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * An OAuth-style error body (IMDS and Arc send these), kept as it came, less any `access_token`
 * beside the `error`: callers tell results apart by `"access_token" in result`, and log errors.
 */
function oauthError(payload: Json): ErrorResponse | undefined {
  if (!str(payload.error)) return undefined;
  if (!Object.hasOwn(payload, "access_token")) return payload as ErrorResponse;
  const { access_token: _dropped, ...rest } = payload;
  return rest as ErrorResponse;
}

function sourceError(source: ManagedIdentitySource, status: number, payload: Json, text: string): ErrorResponse {
  switch (source) {
    case "imds":
    case "azure-arc":
      return oauthError(payload) ?? { error: "invalid_request", error_description: `HTTP ${status}: ${excerpt(text)}` };
    case "app-service":
      // `{"statusCode": 400, "message": "…"}`. A wrong resource answers a vague 500, hence invalid_scope.
      return oauthError(payload) ?? {
        error: "invalid_scope",
        error_description: `${String(payload.statusCode ?? status)}, ${str(payload.message) ?? excerpt(text)}`,
      };
    case "azure-ml":
      return oauthError(payload) ?? { error: "invalid_scope", error_description: excerpt(text) };
    case "service-fabric":
    case "cloud-shell": {
      // `{"error": {"correlationId": "…", "code": "…", "message": "…"}}`
      const inner = asObject(payload.error);
      if (!inner) return oauthError(payload) ?? { error: "invalid_request", error_description: excerpt(text) };
      const code = str(inner.code);
      const correlationId = str(inner.correlationId);
      return {
        // Own keys only: a code such as "__proto__" must not pick up Object.prototype's members.
        error: (source === "service-fabric" && code && Object.hasOwn(SERVICE_FABRIC_ERRORS, code) && SERVICE_FABRIC_ERRORS[code]) || "invalid_request",
        error_description: excerpt(text),
        ...(correlationId ? { correlation_id: correlationId } : {}),
      };
    }
  }
}

/**
 * Reads a source's answer.
 *
 * - A JSON object with `access_token` and a lifetime, with a 2xx status, is a token.
 * - Any other JSON object is the source's error, turned into an OAuth error response the way MSAL
 *   Python maps each source's error shape.
 *
 * @param source - Which source answered.
 * @param status - The HTTP status.
 * @param text - The body.
 * @param now - Epoch seconds, to turn `expires_on` into `expires_in`.
 * @param where - The endpoint, for messages (without its query).
 * @throws {@link NetworkError} when the body is not a JSON object (`ERR_HTTP_STATUS` for a failure
 *   status, else `ERR_INVALID_RESPONSE`); {@link ManagedIdentityError} for a token without a
 *   readable lifetime. The body is never quoted in these: it may hold a token.
 */
export function readSourceResponse(
  source: ManagedIdentitySource,
  status: number,
  text: string,
  now: number,
  where: string,
): SourceOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw notJson(source, status, where, cause);
  }
  const payload = asObject(parsed);
  if (!payload) throw notJson(source, status, where);
  const accessToken = str(payload.access_token);
  if (status >= 200 && status < 300 && accessToken) {
    const expiresIn = lifetime(payload, source, now);
    if (expiresIn === undefined) {
      throw new ManagedIdentityError(
        `The ${source} managed identity endpoint ${where} answered a token without a readable expires_in or expires_on.`,
      );
    }
    const refreshIn = parseSeconds(payload.refresh_in);
    const resource = str(payload.resource);
    return {
      ok: true,
      token: {
        access_token: accessToken,
        expires_in: expiresIn,
        token_type: str(payload.token_type) ?? "Bearer",
        ...(resource !== undefined ? { resource } : {}),
        ...(refreshIn !== undefined && refreshIn > 0 ? { refresh_in: refreshIn } : {}),
      },
    };
  }
  if (accessToken) {
    // A token with a failure status is nothing to act on, and its body must not reach a message.
    throw new NetworkError("ERR_HTTP_STATUS", `The ${source} managed identity endpoint ${where} answered HTTP ${status}.`, { status });
  }
  return { ok: false, error: sourceError(source, status, payload, text) };
}

function notJson(source: ManagedIdentitySource, status: number, where: string, cause?: unknown): NetworkError {
  const failed = status < 200 || status >= 300;
  return new NetworkError(
    failed ? "ERR_HTTP_STATUS" : "ERR_INVALID_RESPONSE",
    `The ${source} managed identity endpoint ${where} answered HTTP ${status} with a body that is not a JSON object.` +
      (failed ? "" : " The variable that points at it may name something else."),
    { status, ...(cause === undefined ? {} : { cause }) },
  );
}
