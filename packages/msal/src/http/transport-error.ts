/**
 * The one translation of transport failures into what msal-ts throws.
 *
 * @module
 */

import { isMsalError, NetworkError } from "../errors.js";

// undici's own timers (connect, headers, body) fail with these codes.
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

/**
 * Turns whatever an {@link HttpClient} threw into the error msal-ts throws.
 *
 * - An error msal-ts already made (the default client maps its own failures) is kept.
 * - When the caller's `signal` is aborted, its `reason` is thrown as is, as `fetch` and
 *   `signal.throwIfAborted()` do: by default a `DOMException` named `AbortError`.
 * - A timeout (`DOMException` `TimeoutError`, or one of undici's timers) becomes a
 *   {@link NetworkError} with code `ERR_TIMEOUT`.
 * - Anything else becomes a {@link NetworkError} with code `ERR_NETWORK` that names the host and
 *   the underlying reason (`self-signed certificate`, `connect ECONNREFUSED …`), with the
 *   original error as `cause`.
 *
 * @param error - What the client threw.
 * @param url - The request's URL; only its host is quoted.
 * @param signal - The caller's signal, if any.
 * @param proxy - The URL of the proxy the request went through, if any; only its host is quoted.
 * @returns The error to throw.
 */
export function toTransportError(error: unknown, url: string, signal?: AbortSignal, proxy?: string): unknown {
  if (signal?.aborted) return signal.reason;
  if (isMsalError(error)) return error;
  // Only the proxy's host is named: its URL may hold credentials.
  const host = proxy === undefined ? hostOf(url) : `${hostOf(url)} through the proxy ${hostOf(proxy)}`;
  if (isTimeout(error)) {
    return new NetworkError("ERR_TIMEOUT", `${host} did not answer in time (${reasonOf(error)}).`, { cause: error });
  }
  if (error instanceof Error && error.name === "AbortError") return error;
  return new NetworkError(
    "ERR_NETWORK",
    `Could not reach ${host}: ${reasonOf(error)}. Check the network, the proxy and the TLS trust settings.`,
    { cause: error },
  );
}

/**
 * Reads a response's body as text. A failure while the body streams in (the connection reset
 * after the headers came, which undici reports as a bare `TypeError: terminated`) is a transport
 * failure too, and becomes what {@link toTransportError} makes of it.
 *
 * @param response - A response from an `HttpClient`.
 * @param url - The request's URL; only its host is quoted.
 * @param signal - The caller's signal, if any.
 * @returns The body.
 */
export function readBodyText(response: Response, url: string, signal?: AbortSignal): Promise<string> {
  const fail = (error: unknown): never => {
    throw toTransportError(error, url, signal);
  };
  // Not an async function: a token request reads one body, and this spares it a turn of the loop.
  try {
    return response.text().then(undefined, fail);
  } catch (error) {
    return Promise.reject(toTransportError(error, url, signal));
  }
}

/** True when `error`, or an error it wraps, is a timeout. */
export function isTimeout(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (e instanceof Error && e.name === "TimeoutError") return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && TIMEOUT_CODES.has(code)) return true;
  }
  return false;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the server";
  }
}

/**
 * The innermost reason: undici's `fetch` reports `fetch failed` and keeps the socket or TLS
 * error as `cause`; a refused connection to several addresses is an `AggregateError`.
 */
function reasonOf(error: unknown): string {
  const chain = causeChain(error);
  const inner = chain[chain.length - 1];
  if (!(inner instanceof Error)) return String(inner);
  const code = (inner as { code?: unknown }).code;
  const message = inner.message || inner.name;
  return typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let e: unknown = error;
  while (e !== undefined && e !== null && chain.length < 8 && !chain.includes(e)) {
    chain.push(e);
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else if (e instanceof Error && e.cause !== undefined) e = e.cause;
    else break;
  }
  return chain;
}
