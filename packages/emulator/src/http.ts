import type { IncomingHttpHeaders } from "node:http";

// The emulator's request/response model: handlers get a parsed request and return a typed result;
// the server turns results into HTTP responses.

/** Facts a handler learns that the request log should keep (never secrets). */
export interface RequestNotes {
  /** Resolved tenant id, or the path segment when it names no tenant. */
  tenant?: string;
  clientId?: string;
  grantType?: string;
}

/** A request as handlers see it. */
export interface EmulatorRequest {
  readonly method: string;
  /** The URL path, undecoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased header names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The `application/x-www-form-urlencoded` body; empty for other requests. */
  readonly form: URLSearchParams;
  /** The raw body as UTF-8 text (a SOAP envelope, say); empty for GET and HEAD. */
  readonly body: string;
  /** Route parameters, decoded (e.g. `tenant`). */
  readonly params: Readonly<Record<string, string>>;
  /** `host[:port]` to use in URLs produced for this request; for a regional host, its central host. */
  readonly host: string;
  /**
   * The regional `host[:port]` (ESTS-R, e.g. `westus2.localhost:8443`) the request was sent to, when
   * it was one; `host` is then the central host it stands for, so issuers stay central.
   */
  readonly regionalHost?: string | undefined;
  /** Arrival time, epoch seconds (from the emulator's clock). */
  readonly now: number;
  /** The client's `client-request-id` (header or query), else a fresh GUID. */
  readonly correlationId: string;
  /** This request's id (`x-ms-request-id`, `trace_id`). */
  readonly requestId: string;
  readonly notes: RequestNotes;
}

/** A JSON response. */
export interface JsonResult {
  readonly type: "json";
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A text response (HTML pages use `contentType: "text/html; charset=utf-8"`). */
export interface TextResult {
  readonly type: "text";
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A redirect. */
export interface RedirectResult {
  readonly type: "redirect";
  readonly status: 302 | 303;
  readonly location: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a handler returns. */
export type HandlerResult = JsonResult | TextResult | RedirectResult;

/** Handles one route. May throw an `EntraError`, which the server renders in Entra's error shape. */
export type Handler = (request: EmulatorRequest) => HandlerResult | Promise<HandlerResult>;

/** Headers Entra sends on token-endpoint responses. */
export const TOKEN_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store, no-cache",
  pragma: "no-cache",
};

/** Headers Entra sends on discovery documents. */
export const DISCOVERY_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "max-age=86400, private",
  "access-control-allow-origin": "*",
};

/** Builds a JSON result. */
export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): JsonResult {
  return headers ? { type: "json", status, body, headers } : { type: "json", status, body };
}
