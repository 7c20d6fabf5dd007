import { FAULT_ENDPOINTS, FAULT_KINDS, checkFault } from "./model.js";
import type { Fault, FaultEndpoint, FaultKind } from "./model.js";

// The command line's compact fault syntax: `endpoint:kind[:key=value]…`, e.g.
// `token:429:retry-after=2:count=3`, `discovery:reset:p=0.5`, `token:stall-body:app=<client id>`.

/** The spec keys, and the {@link Fault} fields they set. */
const KEYS = {
  count: "count",
  p: "probability",
  seed: "seed",
  status: "status",
  "retry-after": "retryAfter",
  delay: "delayMs",
  tenant: "tenant",
  app: "clientId",
  source: "source",
} as const satisfies Record<string, keyof Fault>;
type SpecKey = keyof typeof KEYS;

/** The syntax, for `--help`: one line per item, indented by `indent`. */
export function faultSpecHelp(indent = "  "): string {
  return [
    "--fault <endpoint>:<kind>[:<key>=<value>]…   (repeatable)",
    `  endpoint: ${FAULT_ENDPOINTS.join(" | ")}`,
    `  kind:     ${FAULT_KINDS.join(" | ")}`,
    "            or a status code: 429 is throttle, any other 4xx/5xx is status",
    "  keys:     count=<n> (next n requests)  p=<0..1> (that fraction, seeded)  seed=<n>",
    "            status=<code>  retry-after=<s>  delay=<ms, or 2s>  tenant=<id|domain>",
    "            app=<client id>  source=<managed identity source>",
    "  e.g.      token:429:retry-after=2:count=3   discovery:reset:p=0.5   token:stall-body:app=<client id>",
  ]
    .map((line) => `${indent}${line}`)
    .join("\n");
}

function specError(spec: string, why: string): TypeError {
  const err = new TypeError(`--fault ${JSON.stringify(spec)}: ${why}`) as TypeError & { code: string };
  err.code = "ERR_INVALID_ARG_VALUE";
  return err;
}

function wholeNumber(spec: string, key: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw specError(spec, `${key} must be a whole number, not ${JSON.stringify(value)}.`);
  return Number(value);
}

function milliseconds(spec: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value);
  if (!m?.[1]) throw specError(spec, `delay must be milliseconds (500, 500ms) or seconds (2s), not ${JSON.stringify(value)}.`);
  return Math.round(Number(m[1]) * (m[2] === "s" ? 1000 : 1));
}

/**
 * Parses a `--fault` spec into a checked {@link Fault}.
 *
 * @throws TypeError (code `ERR_INVALID_ARG_VALUE`) with a one-line message that quotes the spec
 *   and says what is wrong.
 * @example
 * ```ts
 * parseFaultSpec("token:429:retry-after=2:count=3");
 * // { kind: "throttle", endpoint: "token", status: 429, retryAfter: 2, count: 3 }
 * ```
 */
export function parseFaultSpec(spec: string): Fault {
  const [endpoint = "", kindOrStatus = "", ...pairs] = spec.split(":");
  if (!FAULT_ENDPOINTS.includes(endpoint as FaultEndpoint)) {
    throw specError(spec, `unknown endpoint ${JSON.stringify(endpoint)}; use one of ${FAULT_ENDPOINTS.join(", ")}.`);
  }
  const fault: Record<string, unknown> = { endpoint };
  if (/^\d{3}$/.test(kindOrStatus)) {
    const status = Number(kindOrStatus);
    Object.assign(fault, { kind: status === 429 ? "throttle" : "status", status });
  } else if (FAULT_KINDS.includes(kindOrStatus as FaultKind)) {
    fault.kind = kindOrStatus;
  } else {
    throw specError(spec, `unknown kind ${JSON.stringify(kindOrStatus)}; use a status code or one of ${FAULT_KINDS.join(", ")}.`);
  }
  const seen = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? "" : pair.slice(eq + 1);
    if (!Object.hasOwn(KEYS, key)) throw specError(spec, `unknown key ${JSON.stringify(key)}; use ${Object.keys(KEYS).join(", ")}.`);
    if (value === "") throw specError(spec, `${key} needs a value (${key}=…).`);
    if (seen.has(key)) throw specError(spec, `${key} is given twice.`);
    seen.add(key);
    const field = KEYS[key as SpecKey];
    switch (key as SpecKey) {
      case "p": {
        const p = Number(value);
        if (!/^\d*\.?\d+$/.test(value) || !(p > 0 && p <= 1)) {
          throw specError(spec, `p must be a number greater than 0 and at most 1, not ${JSON.stringify(value)}.`);
        }
        fault.probability = p;
        break;
      }
      case "delay":
        fault.delayMs = milliseconds(spec, value);
        break;
      case "tenant":
      case "app":
      case "source":
        fault[field] = value;
        break;
      default:
        fault[field] = wholeNumber(spec, key, value);
    }
  }
  try {
    return checkFault(fault, "fault");
  } catch (err) {
    // checkFault names Fault fields; say it with the spec's keys.
    let why = (err as Error).message.replace(/^fault\.?\s?/, "");
    for (const [key, field] of Object.entries(KEYS)) why = why.replace(new RegExp(`^${field}\\b`), key);
    throw specError(spec, why);
  }
}

/** A fault in the spec syntax (for the banner); fields without a spec key are left out. */
export function formatFaultSpec(fault: Fault): string {
  const parts: string[] = [fault.endpoint, fault.kind];
  for (const [key, field] of Object.entries(KEYS)) {
    const value = fault[field];
    if (value !== undefined) parts.push(`${key}=${String(value)}`);
  }
  return parts.join(":");
}
