/**
 * One POST to a token endpoint, and the reading of its answer (RFC 6749 §5).
 *
 * @module
 */
import { NetworkError } from "../errors.js";
import { formEncode, readBodyText, toTransportError, type HttpClient, type HttpRequestInit } from "../http/index.js";
import type { ErrorResponse, TokenEndpointResponse } from "./wire.js";

/** The answer of a token endpoint: tokens, or the error it sent. */
export type TokenOutcome =
  | { readonly ok: true; readonly response: TokenEndpointResponse }
  | { readonly ok: false; readonly error: ErrorResponse };

/** An endpoint as messages name it: origin and path, never the query. */
export function describeEndpoint(url: string, fallback = "the token endpoint"): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return fallback;
  }
}

const describe = (url: string): string => describeEndpoint(url);

/**
 * POSTs a form and parses the JSON answer. A transport failure throws the transport error; a body
 * that is not JSON throws {@link NetworkError} naming the status and content type, never the body.
 */
export async function postForm(
  http: HttpClient,
  url: string,
  body: Readonly<Record<string, string | undefined>>,
  headers: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<{ readonly res: Response; readonly json: unknown }> {
  const all = Object.assign({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, headers);
  const form = formEncode(body);
  const init: HttpRequestInit = signal ? { method: "POST", headers: all, body: form, signal } : { method: "POST", headers: all, body: form };
  let res: Response;
  try {
    res = await http(url, init);
  } catch (cause) {
    throw toTransportError(cause, url, signal);
  }
  const text = await readBodyText(res, url, signal);
  try {
    return { res, json: JSON.parse(text) as unknown };
  } catch (cause) {
    throw new NetworkError(
      res.status >= 500 ? "ERR_HTTP_STATUS" : "ERR_INVALID_RESPONSE",
      `${describe(url)} answered HTTP ${res.status} with a body that is not JSON` +
        ` (content-type ${res.headers.get("content-type") ?? "none"})`,
      { cause, status: res.status },
    );
  }
}

/**
 * Sends a token request and reads the answer. A JSON body with `error` is an error outcome,
 * whatever the status (Entra sends 400 and 401, and 429/5xx with an `error` too); a JSON body with
 * `access_token` is a success. Anything else — a 5xx without an OAuth error, a body that is not
 * JSON, JSON with neither field — cannot be acted on and throws {@link NetworkError}. The body is
 * never quoted in the message: it may hold tokens.
 */
export function postTokenRequest(
  http: HttpClient,
  tokenEndpoint: string,
  body: Readonly<Record<string, string | undefined>>,
  headers: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<TokenOutcome> {
  // A continuation rather than an async function: one suspended frame fewer on every request.
  return postForm(http, tokenEndpoint, body, headers, signal).then(({ res, json }) => tokenOutcome(tokenEndpoint, res, json));
}

function tokenOutcome(tokenEndpoint: string, res: Response, json: unknown): TokenOutcome {
  if (typeof json === "object" && json !== null && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    if (typeof o.error === "string" && o.error) return { ok: false, error: o as unknown as ErrorResponse };
    if (res.status < 300 && typeof o.access_token === "string" && o.access_token) {
      return { ok: true, response: o as unknown as TokenEndpointResponse };
    }
  }
  throw new NetworkError(
    res.status >= 300 ? "ERR_HTTP_STATUS" : "ERR_INVALID_RESPONSE",
    res.status >= 300
      ? `${describe(tokenEndpoint)} answered HTTP ${res.status} without an OAuth error`
      : `${describe(tokenEndpoint)} answered HTTP ${res.status} with neither access_token nor error`,
    { status: res.status },
  );
}
