import { MANAGED_IDENTITY_SOURCES } from "../managed-identity/options.js";
import type { ManagedIdentitySourceName } from "../managed-identity/options.js";

// The fault model: what can go wrong, where, for whom and how often. Faults are typed data, checked
// once when injected (from code, from the `faults` option, or from a `--fault` spec).

/** Every kind of fault, in the order `--help` lists them. */
export const FAULT_KINDS = [
  "status",
  "throttle",
  "delay-headers",
  "stall-body",
  "reset",
  "malformed-json",
  "truncated-json",
  "html",
  "wrong-content-type",
  "expired-id-token",
  "bad-id-token-signature",
  "foreign-issuer",
] as const;

/**
 * What goes wrong:
 *
 * - `status`: an error status (default 500) in the endpoint's error shape, or `body` as text.
 * - `throttle`: 429 (or the 5xx in `status`) with `Retry-After` (default 5 s).
 * - `delay-headers`: the real answer, after `delayMs` (default 30 s) without a byte.
 * - `stall-body`: the real answer's headers and half its body, then nothing until the client gives
 *   up (or, with `delayMs`, until the connection is dropped that long after).
 * - `reset`: the request is processed, then the connection is destroyed without an answer.
 * - `malformed-json`: 200 (or `status`) with a JSON content type and a body that is not JSON.
 * - `truncated-json`: the real answer, its body cut in half (a complete HTTP message).
 * - `html`: an HTML error page, as a proxy or gateway would send (default 502).
 * - `wrong-content-type`: the real answer labelled `text/html`.
 * - `expired-id-token`: ID tokens whose `exp` passed an hour ago.
 * - `bad-id-token-signature`: ID tokens whose signature does not verify.
 * - `foreign-issuer`: OpenID configuration documents whose `issuer` names another tenant.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Every endpoint a fault can aim at. */
export const FAULT_ENDPOINTS = [
  "token",
  "authorize",
  "devicecode",
  "discovery",
  "openid-configuration",
  "instance-discovery",
  "jwks",
  "userrealm",
  "mex",
  "wstrust",
  "managed-identity",
  "any",
] as const;

/**
 * Where a fault applies: one endpoint; `discovery` for both `openid-configuration` and
 * `instance-discovery`; `managed-identity` for every managed identity source (narrow it with
 * `source`); `any` for every request the emulator answers.
 */
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/** The endpoint a request went to (a {@link FaultEndpoint} other than the groups). */
export type RequestEndpoint = Exclude<FaultEndpoint, "discovery" | "any"> | "other";

/** A fault to inject into the emulator's answers. */
export interface Fault {
  /** What goes wrong (see {@link FaultKind}), e.g. `throttle` or `reset`. */
  readonly kind: FaultKind;
  /** Which requests it hits (see {@link FaultEndpoint}), e.g. `token`, `discovery` or `any`. */
  readonly endpoint: FaultEndpoint;
  /** Only requests for this tenant (GUID or domain, case-insensitive; also `common`, `organizations`…). */
  readonly tenant?: string;
  /** Only requests from this app (`client_id` of the form or query, or of Basic authentication). */
  readonly clientId?: string;
  /** Only this managed identity source (with `endpoint: "managed-identity"`). */
  readonly source?: ManagedIdentitySourceName;
  /** Only the next `count` matching requests; then the fault removes itself. Default: until removed. */
  readonly count?: number;
  /** Only this fraction (0 < p ≤ 1) of the matching requests, drawn from a seeded generator. */
  readonly probability?: number;
  /** Seed of the generator that draws `probability` (default 1): the same seed, the same requests. */
  readonly seed?: number;
  /** The HTTP status of `status`, `throttle`, `html` and `malformed-json` faults. */
  readonly status?: number;
  /** `Retry-After` seconds of `status`, `throttle` and `html` faults (`throttle` default 5). */
  readonly retryAfter?: number;
  /** Milliseconds of a `delay-headers` fault (default 30000), or before a `stall-body` fault drops the connection. */
  readonly delayMs?: number;
  /** The error description of a `status` or `throttle` fault. */
  readonly message?: string;
  /** A `status` fault answers this text (`text/plain`) instead of the endpoint's error shape. */
  readonly body?: string;
}

/** The kinds that change the ID tokens the token endpoint issues, not the HTTP answer. */
export const ID_TOKEN_KINDS: ReadonlySet<FaultKind> = new Set(["expired-id-token", "bad-id-token-signature"]);

/** Defaults of the fault fields. */
export const FAULT_DEFAULTS = {
  statusStatus: 500,
  throttleStatus: 429,
  throttleRetryAfter: 5,
  htmlStatus: 502,
  malformedJsonStatus: 200,
  delayMs: 30_000,
  seed: 1,
} as const;

// The kinds that answer in place of the endpoint (which then never sees the request) take a status.
const STATUS_KINDS: ReadonlySet<FaultKind> = new Set(["status", "throttle", "html", "malformed-json"]);
const RETRY_AFTER_KINDS: ReadonlySet<FaultKind> = new Set(["status", "throttle", "html"]);
const DELAY_KINDS: ReadonlySet<FaultKind> = new Set(["delay-headers", "stall-body"]);
const FIELDS = new Set([
  "kind", "endpoint", "tenant", "clientId", "source", "count", "probability", "seed", "status", "retryAfter", "delayMs", "message", "body",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);
const list = (values: readonly string[]): string => values.join(", ");

/**
 * Checks a fault from code or JSON and returns a frozen copy.
 *
 * @param input - The fault.
 * @param where - How messages name it, e.g. `faults[2]`.
 * @throws TypeError naming the first field that is wrong and what it must be.
 */
export function checkFault(input: unknown, where = "fault"): Fault {
  const fail = (field: string, what: string): never => {
    throw new TypeError(`${where}.${field} must be ${what}.`);
  };
  if (!isRecord(input)) throw new TypeError(`${where} must be an object { kind, endpoint, … }.`);
  for (const key of Object.keys(input)) if (!FIELDS.has(key)) throw new TypeError(`${where} has an unknown field "${key}".`);
  const f = input as Partial<Record<keyof Fault, unknown>>;
  if (!FAULT_KINDS.includes(f.kind as FaultKind)) fail("kind", `one of ${list(FAULT_KINDS)}`);
  if (!FAULT_ENDPOINTS.includes(f.endpoint as FaultEndpoint)) fail("endpoint", `one of ${list(FAULT_ENDPOINTS)}`);
  const kind = f.kind as FaultKind;
  const endpoint = f.endpoint as FaultEndpoint;
  if (ID_TOKEN_KINDS.has(kind) && endpoint !== "token" && endpoint !== "any") fail("endpoint", `token (or any) for ${kind}: ID tokens are issued there`);
  if (kind === "foreign-issuer" && !["openid-configuration", "discovery", "any"].includes(endpoint)) {
    fail("endpoint", "openid-configuration, discovery or any for foreign-issuer");
  }
  for (const field of ["tenant", "clientId", "message"] as const) {
    if (f[field] !== undefined && (typeof f[field] !== "string" || f[field] === "")) fail(field, "a non-empty string");
  }
  if (f.body !== undefined && typeof f.body !== "string") fail("body", "a string");
  if (f.source !== undefined) {
    if (!MANAGED_IDENTITY_SOURCES.includes(f.source as ManagedIdentitySourceName)) fail("source", `one of ${list(MANAGED_IDENTITY_SOURCES)}`);
    if (endpoint !== "managed-identity") fail("endpoint", "managed-identity when a source is given");
  }
  if (f.count !== undefined && (!isInteger(f.count) || f.count < 1)) fail("count", "a positive integer");
  if (f.probability !== undefined && (typeof f.probability !== "number" || !(f.probability > 0 && f.probability <= 1))) {
    fail("probability", "a number greater than 0 and at most 1");
  }
  if (f.seed !== undefined && (!isInteger(f.seed) || Math.abs(f.seed) > 0xffffffff)) fail("seed", "a 32-bit integer");
  if (f.status !== undefined) {
    if (!STATUS_KINDS.has(kind)) fail("status", `left out for ${kind} faults (it applies to ${list([...STATUS_KINDS])})`);
    const lowest = kind === "throttle" || (kind === "status" && f.body === undefined) ? 400 : 200;
    const status = f.status;
    if (!isInteger(status) || status < lowest || status > 599) fail("status", `an HTTP status from ${lowest} to 599`);
    else if (kind === "throttle" && status !== 429 && status < 500) fail("status", "429 or a 5xx for throttle");
  }
  if (f.retryAfter !== undefined) {
    if (!RETRY_AFTER_KINDS.has(kind)) fail("retryAfter", `left out for ${kind} faults (it applies to ${list([...RETRY_AFTER_KINDS])})`);
    if (!isInteger(f.retryAfter) || f.retryAfter < 0) fail("retryAfter", "a whole number of seconds");
  }
  if (f.delayMs !== undefined) {
    if (!DELAY_KINDS.has(kind)) fail("delayMs", `left out for ${kind} faults (it applies to ${list([...DELAY_KINDS])})`);
    if (!isInteger(f.delayMs) || f.delayMs < 0) fail("delayMs", "a whole number of milliseconds");
  }
  if ((f.message !== undefined || f.body !== undefined) && kind !== "status" && !(kind === "throttle" && f.body === undefined)) {
    fail(f.body !== undefined ? "body" : "message", `left out for ${kind} faults`);
  }
  const copy: Record<string, unknown> = {};
  for (const key of FIELDS) if (f[key as keyof Fault] !== undefined) copy[key] = f[key as keyof Fault];
  return Object.freeze(copy) as unknown as Fault;
}
