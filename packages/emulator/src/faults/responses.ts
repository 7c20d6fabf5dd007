import type { ServerResponse } from "node:http";
import { FAULT_DEFAULTS } from "./model.js";
import type { Fault } from "./model.js";

// How faults change an answer. Replacing faults answer in place of the endpoint (each listener renders
// an error in its own shape); the others change the real answer on its way out: when and how much of
// it is written, its body or its content type.

/** An answer a replacing fault gives instead of the endpoint's. */
export type FaultReplacement =
  | {
      /** An error in the endpoint's own shape (Entra's JSON, or a managed identity source's). */
      readonly type: "error";
      readonly status: number;
      /** The OAuth error code, for Entra's shape. */
      readonly error: string;
      /** The AADSTS number, for Entra's shape. */
      readonly code: number;
      readonly message: string;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      /** A body sent as it is. */
      readonly type: "text";
      readonly status: number;
      readonly body: string;
      readonly contentType: string;
      readonly headers: Readonly<Record<string, string>>;
    };

/** An answer about to be written: status, headers (lower-case names) and body. */
export interface OutgoingAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

// A Python dict printed where JSON was meant: a classic way to send a body no JSON parser reads.
const MALFORMED_JSON = "{'token_type': 'Bearer', 'expires_in': 3599, 'error': None}";

/** Another tenant's GUID, for `foreign-issuer` documents. */
export const FOREIGN_TENANT_ID = "f0f0f0f0-0000-4000-8000-00000000fa17";

function gatewayPage(status: number): string {
  const title = `${status} ${status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : status === 504 ? "Gateway Timeout" : "Error"}`;
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n` +
    `<body><h1>${title}</h1><p>The proxy server received an invalid response from an upstream server.</p><hr><address>proxy</address></body></html>\n`
  );
}

function retryAfterHeader(fault: Fault, fallback?: number): Record<string, string> {
  const seconds = fault.retryAfter ?? fallback;
  return seconds === undefined ? {} : { "retry-after": String(seconds) };
}

/**
 * The answer of a fault that answers in place of the endpoint (`status`, `throttle`, `html`,
 * `malformed-json`; the endpoint then never sees the request); `undefined` for the other kinds.
 */
export function faultReplacement(fault: Fault): FaultReplacement | undefined {
  switch (fault.kind) {
    case "status": {
      const status = fault.status ?? FAULT_DEFAULTS.statusStatus;
      const headers = retryAfterHeader(fault);
      if (fault.body !== undefined) return { type: "text", status, body: fault.body, contentType: "text/plain; charset=utf-8", headers };
      const unavailable = status === 503;
      return {
        type: "error",
        status,
        error: unavailable ? "temporarily_unavailable" : "server_error",
        code: unavailable ? 90033 : 50000,
        message: fault.message ?? (unavailable ? "The service is temporarily unavailable. Try again later." : "There was an error issuing a token."),
        headers,
      };
    }
    case "throttle":
      return {
        type: "error",
        status: fault.status ?? FAULT_DEFAULTS.throttleStatus,
        error: "temporarily_unavailable",
        code: 90055,
        message: fault.message ?? "There are too many incoming requests. Try again after the time in Retry-After.",
        headers: retryAfterHeader(fault, FAULT_DEFAULTS.throttleRetryAfter),
      };
    case "html": {
      const status = fault.status ?? FAULT_DEFAULTS.htmlStatus;
      return { type: "text", status, body: gatewayPage(status), contentType: "text/html; charset=utf-8", headers: retryAfterHeader(fault) };
    }
    case "malformed-json":
      return {
        type: "text",
        status: fault.status ?? FAULT_DEFAULTS.malformedJsonStatus,
        body: MALFORMED_JSON,
        contentType: "application/json; charset=utf-8",
        headers: {},
      };
    default:
      return undefined;
  }
}

function withForeignIssuer(body: string): string {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof document !== "object" || document === null || typeof (document as { issuer?: unknown }).issuer !== "string") return body;
  const issuer = (document as { issuer: string }).issuer.replace(/^(https:\/\/[^/]+\/)[^/]+/, `$1${FOREIGN_TENANT_ID}`);
  return JSON.stringify({ ...document, issuer });
}

/** Resolves after `ms`, or as soon as the client goes away. */
function waitOrClose(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

function write(res: ServerResponse, answer: OutgoingAnswer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}

/**
 * Writes an answer, changed by `fault` when one applies: the one place answers of both the
 * emulator's server and its managed identity listeners leave. Delays and stalls end when the client
 * goes away (or the emulator closes).
 *
 * @returns The status sent, 0 when the connection is dropped without an answer.
 */
export function deliver(res: ServerResponse, answer: OutgoingAnswer, fault?: Fault): number {
  switch (fault?.kind) {
    case "reset":
      res.destroy();
      return 0;
    case "truncated-json": {
      const bytes = Buffer.from(answer.body);
      write(res, { ...answer, body: bytes.subarray(0, Math.floor(bytes.length / 2)).toString("utf8") });
      return answer.status;
    }
    case "wrong-content-type":
      write(res, { ...answer, headers: { ...answer.headers, "content-type": "text/html; charset=utf-8" } });
      return answer.status;
    case "foreign-issuer":
      write(res, { ...answer, body: withForeignIssuer(answer.body) });
      return answer.status;
    case "delay-headers":
      void waitOrClose(res, fault.delayMs ?? FAULT_DEFAULTS.delayMs).then(() => write(res, answer));
      return answer.status;
    case "stall-body": {
      const bytes = Buffer.from(answer.body);
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(bytes.length) });
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      // The rest never comes: the connection stays open until the client gives up, or is dropped after delayMs.
      if (fault.delayMs !== undefined) void waitOrClose(res, fault.delayMs).then(() => res.destroy());
      return answer.status;
    }
    default:
      write(res, answer);
      return answer.status;
  }
}
