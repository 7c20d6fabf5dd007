import type { EmulatorRequest, JsonResult } from "./http.js";

// Entra's error responses: an OAuth `error`, an AADSTS code and text, and the diagnostics MSALs surface
// (authority-wire-format §3.1). Handlers throw `EntraError`; the server renders it per request.

/** Optional members of an error body (authority-wire-format §3.1). */
export interface EntraErrorDetails {
  /** e.g. `basic_action`, `consent_required`, `bad_token`. */
  readonly suberror?: string;
  /** A claims challenge (JSON string) the client sends back on its next interactive request. */
  readonly claims?: string;
  /** e.g. `["client_mismatch"]` for a family refresh token redeemed by an app outside the family. */
  readonly error_additional_info?: readonly string[];
}

/** An Entra error a handler throws; rendered with the request's trace and correlation ids. */
export class EntraError extends Error {
  override readonly name = "EntraError";
  readonly status: number;
  /** The OAuth error code, e.g. `invalid_client`. */
  readonly error: string;
  /** The AADSTS number. */
  readonly code: number;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra body members. */
  readonly details: EntraErrorDetails;

  constructor(
    status: number,
    error: string,
    code: number,
    message: string,
    headers: Readonly<Record<string, string>> = {},
    details: EntraErrorDetails = {},
  ) {
    super(message);
    this.status = status;
    this.error = error;
    this.code = code;
    this.headers = headers;
    this.details = details;
  }
}

/** Entra's timestamp format, `YYYY-MM-DD HH:MM:SSZ`. */
export function entraTimestamp(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

/** The JSON body of an Entra error. */
export interface EntraErrorBody extends EntraErrorDetails {
  readonly error: string;
  readonly error_description: string;
  readonly error_codes: readonly number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
}

/** The request facts an error body carries. */
export type ErrorRequestFacts = Pick<EmulatorRequest, "host" | "now" | "requestId" | "correlationId">;

/**
 * Shapes the body of an {@link EntraError} for a request: the one place error bodies are built, for
 * JSON responses, authorize error redirects and error pages alike.
 */
export function entraErrorBody(err: EntraError, request: ErrorRequestFacts): EntraErrorBody {
  const timestamp = entraTimestamp(request.now);
  return {
    error: err.error,
    error_description:
      `AADSTS${err.code}: ${err.message}\r\nTrace ID: ${request.requestId}\r\n` +
      `Correlation ID: ${request.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [err.code],
    timestamp,
    trace_id: request.requestId,
    correlation_id: request.correlationId,
    error_uri: `https://${request.host}/error?code=${err.code}`,
    ...err.details,
  };
}

/** Renders an {@link EntraError} for a request, with extra headers merged in. */
export function renderEntraError(
  err: EntraError,
  request: ErrorRequestFacts,
  headers: Readonly<Record<string, string>> = {},
): JsonResult {
  return { type: "json", status: err.status, body: entraErrorBody(err, request), headers: { ...headers, ...err.headers } };
}

// ---- Discovery -----------------------------------------------------------------------------------

/** 400 invalid_tenant AADSTS90002. */
export function invalidTenant(segment: string): EntraError {
  return new EntraError(
    400,
    "invalid_tenant",
    90002,
    `Tenant '${segment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

/** 400 invalid_instance AADSTS50049. */
export function invalidInstance(): EntraError {
  return new EntraError(400, "invalid_instance", 50049, "Unknown or invalid instance.");
}

// ---- Requests ------------------------------------------------------------------------------------

/** 400 invalid_request AADSTS900144: a required parameter is missing. */
export function missingParameter(name: string): EntraError {
  return new EntraError(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`);
}

/** 400 invalid_request AADSTS9002313: the request is malformed. */
export function malformedRequest(detail: string): EntraError {
  return new EntraError(400, "invalid_request", 9002313, `Invalid request. Request is malformed or invalid. ${detail}`);
}

/** 400 invalid_request AADSTS90100: a parameter is not valid. */
export function invalidParameter(name: string): EntraError {
  return new EntraError(400, "invalid_request", 90100, `${name} parameter is empty or not valid.`);
}

/** 400 unsupported_grant_type AADSTS70003. */
export function unsupportedGrantType(grantType: string): EntraError {
  return new EntraError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType}'.`);
}

/** 400 invalid_request AADSTS50059: a multi-tenant segment where a tenant is required. */
export function tenantRequired(): EntraError {
  return new EntraError(
    400,
    "invalid_request",
    50059,
    "No tenant-identifying information found in either the request or implied by any provided credentials.",
  );
}

// ---- Clients -------------------------------------------------------------------------------------

/** 400 unauthorized_client AADSTS700016: no such app in the tenant. */
export function unknownClient(clientId: string, tenantName: string): EntraError {
  return new EntraError(
    400,
    "unauthorized_client",
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenantName}'. This can happen if the ` +
      "application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
      "You may have sent your authentication request to the wrong tenant.",
  );
}

/** 401 invalid_client AADSTS7000215: wrong secret. */
export function invalidClientSecret(clientId: string): EntraError {
  return new EntraError(
    401,
    "invalid_client",
    7000215,
    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, " +
      `not the client secret ID, for a secret added to app '${clientId}'.`,
  );
}

/** 401 invalid_client AADSTS7000216: client credentials without any credential. */
export function missingClientCredential(): EntraError {
  return new EntraError(
    401,
    "invalid_client",
    7000216,
    "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
  );
}

/** 401 invalid_client AADSTS700025: a public client presented a credential. */
export function publicClientWithCredential(): EntraError {
  return new EntraError(
    401,
    "invalid_client",
    700025,
    "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
  );
}

/** 401 invalid_client AADSTS700027: the assertion's signature or signing certificate is not accepted. */
export function assertionSignatureInvalid(detail: string): EntraError {
  return new EntraError(401, "invalid_client", 700027, `Client assertion failed signature validation. ${detail}`);
}

/** 401 invalid_client AADSTS700024: the assertion is expired or not yet valid. */
export function assertionNotInTimeRange(now: number, exp: number | undefined, nbf: number | undefined): EntraError {
  const detail = [`Current time: ${entraTimestamp(now)}`];
  if (exp !== undefined) detail.push(`expiry time of assertion ${entraTimestamp(exp)}`);
  if (nbf !== undefined) detail.push(`not before ${entraTimestamp(nbf)}`);
  return new EntraError(401, "invalid_client", 700024, `Client assertion is not within its valid time range. ${detail.join(", ")}.`);
}

/** 401 invalid_client AADSTS50027: the assertion is malformed or has a wrong audience. */
export function assertionInvalid(detail: string): EntraError {
  return new EntraError(401, "invalid_client", 50027, `JWT token is invalid or malformed. ${detail}`);
}

/** 401 invalid_client AADSTS700021: assertion issuer/subject is not the client id. */
export function assertionClientMismatch(): EntraError {
  return new EntraError(401, "invalid_client", 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
}

/**
 * 401 invalid_client for a replayed `jti`. Entra documents no code for this case; AADSTS700023 and
 * neighbours are taken, so the emulator uses 7000281 (not an Entra code) and says so in the text.
 */
export function assertionReplayed(): EntraError {
  return new EntraError(
    401,
    "invalid_client",
    7000281,
    "The client assertion has already been used: its 'jti' was seen before. Create a new assertion for each request. " +
      "(Emulator code; Entra documents none for assertion replay.)",
  );
}

// ---- Scopes and resources ------------------------------------------------------------------------

/** 400 invalid_scope AADSTS1002012: client credentials need `{resource}/.default`. */
export function scopeNotDefault(scope: string): EntraError {
  return new EntraError(
    400,
    "invalid_scope",
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with ` +
      "/.default suffixed to the resource identifier (application ID URI).",
  );
}

/** 400 invalid_scope AADSTS700022: scopes for more than one resource. */
export function multipleResources(): EntraError {
  return new EntraError(
    400,
    "invalid_scope",
    700022,
    "The provided value for the input parameter scope is not valid because it contains more than one resource.",
  );
}

/**
 * 400 invalid_resource AADSTS500011: no such resource in the tenant. (Entra answers `invalid_resource`
 * here, as Microsoft's troubleshooting article for 500011 and live recordings show.)
 */
export function resourceNotFound(resource: string, tenantName: string): EntraError {
  return new EntraError(
    400,
    "invalid_resource",
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the ` +
      "application has not been installed by the administrator of the tenant or consented to by any user in the tenant. " +
      "You might have sent your authentication request to the wrong tenant.",
  );
}
