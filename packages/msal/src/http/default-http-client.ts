/**
 * The HTTP client msal-ts uses when the application brings none: undici's `fetch` with one
 * pooled dispatcher per client, honouring MSAL Python's `verify`, `proxies` and `timeout`.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { Agent, fetch as undiciFetch, ProxyAgent } from "undici";
import type { Dispatcher } from "undici";
import { invalidArgType, invalidArgValue, NetworkError } from "../errors.js";
import type { HttpClient, HttpRequestInit } from "./http-client.js";
import { toTransportError } from "./transport-error.js";

/** Options of {@link createDefaultHttpClient}; the names and meanings are MSAL Python's. */
export interface DefaultHttpClientOptions {
  /**
   * How to check the server's TLS certificate.
   *
   * - `true` (the default): against Node.js's bundled root certificates.
   * - a string: the path of a PEM bundle of CA certificates to trust instead (as in Python's
   *   `requests`, the bundle replaces the default roots).
   * - `{ ca }`: the PEM text (or buffer) of the CA certificates to trust instead.
   * - `false`: no check at all. For tests against a local server only; never in production,
   *   where it lets anyone on the path read and forge tokens.
   */
  verify?: boolean | string | { ca: string | Buffer } | undefined;
  /**
   * Proxy for outgoing requests: one URL (`http://proxy:3128`, credentials allowed as
   * `http://user:pass@proxy:3128`) for every request, or Python's `{ http, https }` map keyed by
   * the scheme of the request's URL. Requests to https URLs are tunnelled with `CONNECT`.
   * Environment variables such as `HTTPS_PROXY` are not read.
   */
  proxies?: string | { https?: string | undefined; http?: string | undefined } | undefined;
  /** Seconds a request may take, from sending to the end of the body. No limit when unset. */
  timeout?: number | undefined;
}

/** The default {@link HttpClient}, with a way to close its pooled connections. */
export type DefaultHttpClient = HttpClient & {
  /** Closes the pooled connections (a later request opens new ones). */
  close(): Promise<void>;
};

type TlsOptions = { ca?: string | Buffer; rejectUnauthorized?: boolean };

// Statuses whose responses must not carry a body; `new Response` rejects one for them.
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Creates the default HTTP client.
 *
 * The client reads each response body in full before returning it, so a timeout or a dropped
 * connection during the body is reported like any other failure and the connection goes back
 * to the pool at once.
 *
 * Failures are thrown as:
 * - {@link NetworkError} `ERR_TIMEOUT` when `timeout` elapses;
 * - the `reason` of the caller's `signal` when it aborts (a `DOMException` named `AbortError`
 *   unless the caller gave another reason), exactly as `fetch` does;
 * - {@link NetworkError} `ERR_NETWORK` for DNS, connection, proxy and TLS failures, naming the host
 *   and the reason (e.g. `self-signed certificate`), with undici's error as `cause`.
 *
 * @param options - `verify`, `proxies` and `timeout`, as in MSAL Python.
 * @returns A fetch-compatible {@link HttpClient} that reuses one dispatcher per route.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a bad option, or a
 *   CA bundle path that cannot be read.
 */
export function createDefaultHttpClient(options: DefaultHttpClientOptions = {}): DefaultHttpClient {
  const tls = tlsOptions(options.verify);
  const timeoutMs = timeoutOf(options.timeout);
  const proxies = proxiesOf(options.proxies);

  const dispatchers = new Map<string, Dispatcher>();
  const proxyFor = (protocol: string): string | undefined =>
    protocol === "https:" ? proxies.https : protocol === "http:" ? proxies.http : undefined;
  const dispatcherFor = (proxy: string | undefined): Dispatcher => {
    const key = proxy ?? "";
    let d = dispatchers.get(key);
    if (d === undefined) {
      // The proxy's own TLS (an https:// proxy) is checked with the same trust as the target's.
      d = proxy === undefined ? new Agent({ connect: tls }) : new ProxyAgent({ uri: proxy, requestTls: tls, proxyTls: tls });
      dispatchers.set(key, d);
    }
    return d;
  };

  const client = async (url: string, init: HttpRequestInit): Promise<Response> => {
    const callerSignal = init.signal;
    callerSignal?.throwIfAborted();
    const timeoutSignal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const proxy = proxyFor(new URL(url).protocol);
    const signal =
      callerSignal && timeoutSignal ? AbortSignal.any([callerSignal, timeoutSignal]) : (callerSignal ?? timeoutSignal);
    try {
      const response = await undiciFetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(signal ? { signal } : {}),
        dispatcher: dispatcherFor(proxy),
        // GETs follow redirects as Python's requests does; a POST never does, so that a form
        // holding a secret or a code cannot be replayed to wherever a 307 points.
        redirect: init.method === "GET" ? "follow" : "manual",
      });
      const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
      const buffered = new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: [...response.headers],
      });
      // A constructed Response has an empty url; keep the one fetch reports (after redirects).
      Object.defineProperty(buffered, "url", { value: response.url });
      return buffered;
    } catch (e) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeoutSignal?.aborted) {
        throw new NetworkError("ERR_TIMEOUT", `${new URL(url).host} did not answer within ${options.timeout} s.`, {
          cause: e,
        });
      }
      throw toTransportError(e, url, undefined, proxy);
    }
  };

  return Object.assign(client, {
    async close(): Promise<void> {
      const all = [...dispatchers.values()];
      dispatchers.clear();
      await Promise.all(all.map((d) => d.close()));
    },
  });
}

function tlsOptions(verify: DefaultHttpClientOptions["verify"]): TlsOptions {
  if (verify === undefined || verify === true) return {};
  if (verify === false) return { rejectUnauthorized: false };
  if (typeof verify === "string") {
    try {
      return { ca: readFileSync(verify) };
    } catch (e) {
      const err = invalidArgValue(`verify: cannot read the CA bundle at ${verify}: ${(e as Error).message}`);
      err.cause = e;
      throw err;
    }
  }
  if (typeof verify === "object" && verify !== null && (typeof verify.ca === "string" || Buffer.isBuffer(verify.ca))) {
    return { ca: verify.ca };
  }
  throw invalidArgType("verify must be a boolean, the path of a PEM CA bundle, or { ca: string | Buffer }.");
}

function timeoutOf(timeout: number | undefined): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0) {
    throw invalidArgValue(`timeout must be a positive number of seconds; got ${String(timeout)}.`);
  }
  return Math.ceil(timeout * 1000);
}

function proxiesOf(proxies: DefaultHttpClientOptions["proxies"]): { https?: string; http?: string } {
  if (proxies === undefined) return {};
  if (typeof proxies === "string") {
    const p = proxyUrl(proxies, "proxies");
    return { https: p, http: p };
  }
  if (typeof proxies !== "object" || proxies === null) {
    throw invalidArgType("proxies must be a proxy URL or an object { http?, https? } of proxy URLs.");
  }
  const out: { https?: string; http?: string } = {};
  if (proxies.https) out.https = proxyUrl(proxies.https, "proxies.https");
  if (proxies.http) out.http = proxyUrl(proxies.http, "proxies.http");
  return out;
}

function proxyUrl(value: unknown, name: string): string {
  if (typeof value !== "string") throw invalidArgType(`${name} must be a proxy URL string.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgValue(`${name} is not a URL: ${redact(value)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalidArgValue(`${name} must be an http:// or https:// proxy URL; got ${url.protocol}//${url.host}.`);
  }
  return value;
}

// A proxy URL may hold credentials; messages quote it without them.
function redact(value: string): string {
  return value.replace(/\/\/[^@/]*@/, "//***@");
}
