/**
 * A recording, in-memory HttpClient for discovery tests: the one seam msal-ts has.
 */
import type { HttpClient, HttpRequestInit } from "../../src/http/index.js";

export interface RecordedRequest {
  url: string;
  init: HttpRequestInit;
}

export type Answer = Response | (() => Response | Promise<Response>);

const ALLOWED_INIT_KEYS = new Set(["method", "headers", "body", "signal"]);

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

/**
 * A client answering from `routes` (keyed by exact URL); an unknown URL is a 404. It rejects
 * options msal-ts has no business sending, as MSAL Python's test client does.
 */
export function fakeHttpClient(routes: Record<string, Answer | Answer[]>): HttpClient & { requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const queues = new Map<string, Answer[]>();
  for (const [url, answer] of Object.entries(routes)) queues.set(url, Array.isArray(answer) ? [...answer] : [answer]);
  const client = async (url: string, init: HttpRequestInit): Promise<Response> => {
    for (const key of Object.keys(init)) {
      if (!ALLOWED_INIT_KEYS.has(key)) throw new Error(`unexpected request option ${key}`);
    }
    requests.push({ url, init });
    const queue = queues.get(url);
    if (!queue || queue.length === 0) return new Response("not found", { status: 404 });
    // The last answer repeats once the others are used up.
    const answer = queue.length > 1 ? queue.shift()! : queue[0]!;
    return typeof answer === "function" ? answer() : answer.clone();
  };
  return Object.assign(client, { requests });
}

/** An OpenID configuration document whose endpoints live under `base` (e.g. `https://host/tenant`). */
export function openIdDocument(base: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    issuer: `${base}/v2.0`,
    tenant_region_scope: "WW",
    ...extra,
  };
}

/** A promise with its resolve function, for holding an answer back. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
