/**
 * Throttling (MSAL Python's `ThrottledHttpClient`): an answer the authority asked the client to
 * wait on, a plain OAuth 400 for the very same request, or a successful GET is replayed from the
 * HTTP cache for a while instead of being asked for again.
 *
 * What is kept holds no secret: keys name the endpoint and hash whatever in the request could be
 * one; the answers kept are failures (whose bodies are OAuth errors, never tokens) and the
 * answers to GETs (discovery documents, user realms, federation metadata), never a token
 * response.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { HttpCache, HttpCacheRecord } from "./http-cache.js";
import { readHttpCacheRecord, writeHttpCacheRecord } from "./http-cache.js";
import type { HttpClient, HttpRequestInit } from "./http-client.js";

/** The longest a failure is replayed, whatever its `Retry-After` says: an hour. */
export const MAX_RETRY_AFTER_SECONDS = 3600;
/** How long a plain 400 is replayed to the very same request. */
export const UI_REQUIRED_SECONDS = 60;
/** How long a 2xx answer to a GET is reused: a day. */
export const GET_ANSWER_SECONDS = 86_400;

// Device code polling expects its 400 authorization_pending answers; RFC 8628's name and the short
// one are both exempt from the 400 replay.
const DEVICE_CODE_GRANTS = new Set(["urn:ietf:params:oauth:grant-type:device_code", "device_code"]);

/** The response headers worth replaying: the ones a reader of the answer looks at. */
const KEPT_HEADERS = ["content-type", "retry-after", "www-authenticate", "x-ms-request-id", "client-request-id", "x-ms-clitelem"];

// Statuses whose responses carry no body; `new Response` refuses one for them.
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Options of {@link createThrottledHttpClient}. */
export interface ThrottleOptions {
  /**
   * Seconds a 429 or 5xx is replayed when it gives no integer `Retry-After` (an HTTP date, say):
   * MSAL Python uses 60 for public clients and 5 for confidential ones.
   */
  readonly defaultRetryAfterSeconds: number;
  /** Epoch seconds; tests inject a clock. */
  readonly clock?: (() => number) | undefined;
  /**
   * Only this client writes POST answers to `cache` (an application's own default store). It then
   * knows when none can be there, and a POST skips working out its keys (hashing its body) until
   * one is kept. A cache the application passed in may be shared, and is always looked in.
   */
  readonly privateCache?: boolean | undefined;
}

/**
 * One kind of replay: which requests it covers, and how long it keeps an answer.
 *
 * @internal
 */
export interface ReplayRule {
  /** Whether the rule may cover a request of this method (a cheap test before {@link key}). */
  covers(init: HttpRequestInit): boolean;
  /** The key of a request under this rule (it must hold no secret), or `undefined` when the rule does not cover it. */
  key(url: URL, init: HttpRequestInit): string | undefined;
  /** Seconds to replay an answer to a covered request; 0 to keep none. */
  lifetime(status: number, headers: Headers): number;
}

/** A replayable answer, as plain JSON (a persisted HTTP cache may hold it). */
interface Replay {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/** The client each throttled client sends through, and where it keeps its state. */
const throttledClients = new WeakMap<HttpClient, { readonly inner: HttpClient; readonly cache: HttpCache; readonly clock: () => number }>();

const nowSeconds = (): number => Date.now() / 1000;

/**
 * A hash of parts of a request: what keys show instead of anything that may be a secret.
 *
 * @param parts The parts (a missing one as `null`); their order matters.
 * @returns The SHA-256 of their JSON array, in hex.
 * @internal
 */
export function requestHash(...parts: ReadonlyArray<string | null>): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** The endpoint a key names: origin and path; the query goes into the key's hash. */
function endpointOf(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * How long to replay an answer under the `Retry-After` rule, in seconds; 0 for one that is not
 * replayed.
 *
 * A success is never replayed (MSAL Python would replay a 2xx carrying `Retry-After`; that would
 * keep a token in the HTTP cache). A failure is, when it is a 429 or a 5xx or carries
 * `Retry-After`: for that many seconds when it is an integer (what Entra sends), else
 * `defaultSeconds`, never more than {@link MAX_RETRY_AFTER_SECONDS}.
 *
 * @param status The answer's status.
 * @param retryAfter Its `Retry-After` header, or `null`.
 * @param defaultSeconds The time for a missing or non-integer `Retry-After`.
 * @returns Seconds.
 * @internal
 */
export function retryAfterSeconds(status: number, retryAfter: string | null, defaultSeconds: number): number {
  if (status < 400 || status > 599) return 0;
  if (status !== 429 && status < 500 && retryAfter === null) return 0;
  const given = retryAfter !== null && /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) : defaultSeconds;
  return Math.min(given, MAX_RETRY_AFTER_SECONDS);
}

function headerOf(init: HttpRequestInit, name: string): string | undefined {
  for (const [key, value] of Object.entries(init.headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** The fields of a form body; an empty set for another body (a SOAP envelope), as in MSAL Python. */
function formOf(init: HttpRequestInit): URLSearchParams {
  const type = headerOf(init, "content-type");
  const isForm = type === undefined || /^\s*application\/x-www-form-urlencoded\b/i.test(type);
  return new URLSearchParams(isForm ? (init.body ?? "") : "");
}

/**
 * Layer 2, the "UI required" replay: an exact 400 without `Retry-After` (an OAuth error such as
 * `invalid_grant`) is replayed for {@link UI_REQUIRED_SECONDS} to a POST with the very same body,
 * device code polling excepted. Other 4xx are not: they may depend on headers (407, say).
 */
const UI_REQUIRED: ReplayRule = {
  covers: (init) => init.method === "POST",
  key(url, init) {
    if (init.method !== "POST" || DEVICE_CODE_GRANTS.has(formOf(init).get("grant_type") ?? "")) return undefined;
    return `POST ${endpointOf(url)} hash=${requestHash(url.search, init.body ?? "")} 400`;
  },
  lifetime: (status, headers) => (status === 400 && !headers.has("retry-after") ? UI_REQUIRED_SECONDS : 0),
};

/**
 * Layer 1, the `Retry-After` replay of POSTs: a 429, a 5xx, or a failure with `Retry-After`,
 * replayed to every POST for the same endpoint, client, scope and "account" (the refresh token,
 * else the authorization code, else the username: hashed), whatever the grant.
 */
function retryAfterRule(defaultSeconds: number): ReplayRule {
  return {
    covers: (init) => init.method === "POST",
    key(url, init) {
      if (init.method !== "POST") return undefined;
      const form = formOf(init);
      const account = form.get("refresh_token") ?? form.get("code") ?? form.get("username");
      const hash = requestHash(url.search, account);
      return `POST ${endpointOf(url)} client_id=${form.get("client_id") ?? ""} scope=${form.get("scope") ?? ""} hash=${hash} 429/5xx/Retry-After`;
    },
    lifetime: (status, headers) => retryAfterSeconds(status, headers.get("retry-after"), defaultSeconds),
  };
}

/**
 * The key under which a GET's 2xx answer is kept. Headers are not part of it, and neither is the
 * path in clear: a user realm lookup names the user there (MSAL Python keeps it readable in its
 * keys; a persisted HTTP cache should not list who signed in).
 */
function getKey(url: URL): string {
  return `GET ${url.origin} hash=${requestHash(url.pathname, url.search)} 2xx`;
}

/**
 * The GET replay: a 2xx answer to a GET (instance discovery, OpenID configuration, user realm,
 * federation metadata) is reused for {@link GET_ANSWER_SECONDS}. The applications' GETs never
 * return a token; managed identity's do, and go through their own client.
 */
const GET_ANSWERS: ReplayRule = {
  covers: (init) => init.method === "GET",
  key: (url, init) => (init.method === "GET" ? getKey(url) : undefined),
  lifetime: (status) => (status >= 200 && status < 300 ? GET_ANSWER_SECONDS : 0),
};

function isReplay(value: unknown): value is Replay {
  const v = value as Partial<Replay> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    Number.isInteger(v.status) &&
    typeof v.body === "string" &&
    Array.isArray(v.headers) &&
    v.headers.every((h: unknown) => Array.isArray(h) && h.length === 2 && typeof h[0] === "string" && typeof h[1] === "string")
  );
}

/** A fresh response for a replay, answering `url`. Throws for a status or header `Response` refuses. */
function responseOf(replay: Replay, url: string): Response {
  const body = NULL_BODY_STATUSES.has(replay.status) ? null : replay.body;
  const response = new Response(body, { status: replay.status, headers: replay.headers.map(([k, v]) => [k, v]) });
  Object.defineProperty(response, "url", { value: url });
  return response;
}

/** A fresh response for a stored value, or `undefined` when it cannot make one (changed by hand, say). */
function storedResponse(value: unknown, url: string): Response | undefined {
  if (!isReplay(value)) return undefined;
  try {
    return responseOf(value, url);
  } catch {
    return undefined;
  }
}

async function replayOf(response: Response): Promise<Replay> {
  const body = await response.text();
  const headers: Array<[string, string]> = [];
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers.push([name, value]);
  }
  return { status: response.status, headers, body };
}

/** One request's key under each rule, worked out on first use. */
class RequestKeys {
  readonly #url: string;
  readonly #init: HttpRequestInit;
  readonly #rules: readonly ReplayRule[];
  readonly #keys: Array<string | undefined | null>;
  #where: URL | null | undefined;

  constructor(url: string, init: HttpRequestInit, rules: readonly ReplayRule[]) {
    this.#url = url;
    this.#init = init;
    this.#rules = rules;
    this.#keys = new Array<string | undefined | null>(rules.length).fill(null);
  }

  /** The key under rule `i`, or `undefined` when the rule does not cover the request. */
  of(i: number): string | undefined {
    // A URL that does not parse is the sender's to refuse.
    this.#where ??= URL.canParse(this.#url) ? new URL(this.#url) : null;
    const where = this.#where;
    return (this.#keys[i] ??= where === null ? undefined : (this.#rules[i] as ReplayRule).key(where, this.#init));
  }
}

/**
 * Wraps an HTTP client so that answers the rules keep are replayed from `cache` without a request.
 * Rules are consulted in order; the first valid record wins. A record that is not one of ours (or
 * was changed into something unusable) is dropped and the request made. Wrapping a client this
 * module made wraps the client it sends through, so that nothing is throttled twice.
 *
 * @param inner The client that sends.
 * @param cache Where the records go.
 * @param rules What is kept, and how long.
 * @param clock Epoch seconds.
 * @returns A client with the same signature.
 * @internal
 */
export function replayingHttpClient(
  inner: HttpClient,
  cache: HttpCache,
  rules: readonly ReplayRule[],
  clock: () => number = nowSeconds,
  privateCache = false,
): HttpClient {
  const sender = throttledClients.get(inner)?.inner ?? inner;
  // With a private cache: until when a POST answer this client kept may still be replayed.
  let postReplaysUntil = 0;
  const client: HttpClient = async (url, init) => {
    init.signal?.throwIfAborted();
    // Keys are worked out when needed, rule by rule (a POST's means hashing its body).
    let keys: RequestKeys | undefined;
    const now = clock();
    if (!privateCache || init.method !== "POST" || now < postReplaysUntil) {
      keys = new RequestKeys(url, init, rules);
      for (let i = 0; i < rules.length; i++) {
        const key = keys.of(i);
        if (key === undefined) continue;
        const record = readHttpCacheRecord(cache, key, now);
        if (record === undefined) continue;
        const replayed = storedResponse(record.value, url);
        if (replayed !== undefined) return replayed;
        cache.delete(key);
      }
    }
    const response = await sender(url, init);
    // No rule keeps an answer below 400 to anything but a GET: a token response is never kept.
    if (init.method !== "GET" && response.status < 400) return response;
    let kept: Replay | undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as ReplayRule;
      if (!rule.covers(init)) continue;
      const seconds = rule.lifetime(response.status, response.headers);
      if (!(seconds > 0)) continue;
      const key = (keys ??= new RequestKeys(url, init, rules)).of(i);
      if (key === undefined) continue;
      kept ??= await replayOf(response);
      const at = clock();
      writeHttpCacheRecord(cache, key, kept, seconds, at);
      if (init.method === "POST") postReplaysUntil = Math.max(postReplaysUntil, at + seconds);
    }
    return kept === undefined ? response : responseOf(kept, url);
  };
  throttledClients.set(client, { inner: sender, cache, clock });
  return client;
}

/**
 * Throttles an application's HTTP client, as MSAL Python does every application's (a caller's own
 * client included), keeping its state in `cache`:
 *
 * 1. a POST answered with an exact 400 and no `Retry-After` gets that answer back, without a
 *    request, for 60 s when its body is the same (device code polling excepted);
 * 2. a POST answered with a 429, a 5xx or any `Retry-After` makes every POST for the same endpoint,
 *    `client_id`, `scope` and account (refresh token, else code, else username) get that answer
 *    back for `Retry-After` seconds (an integer), else `defaultRetryAfterSeconds`, at most an hour;
 * 3. a GET answered with a 2xx gets that answer back for a day (headers are not part of the key).
 *
 * A replayed answer is a new `Response` with the original's status, body and the headers msal-ts
 * reads (`content-type`, `retry-after`, `www-authenticate`, `x-ms-request-id`, `client-request-id`,
 * `x-ms-clitelem`). Only what the token cache cannot answer reaches this client, so a successful
 * interactive sign-in unblocks silent calls; `forceRefresh` does not get past it.
 *
 * @param inner The client that sends.
 * @param cache The application's HTTP cache (keys and values are plain JSON, without secrets).
 * @param options The default `Retry-After`, and a clock for tests.
 * @returns The throttled client.
 */
export function createThrottledHttpClient(inner: HttpClient, cache: HttpCache, options: ThrottleOptions): HttpClient {
  const rules = [UI_REQUIRED, retryAfterRule(options.defaultRetryAfterSeconds), GET_ANSWERS];
  return replayingHttpClient(inner, cache, rules, options.clock, options.privateCache === true);
}

/**
 * The record a throttled client keeps of a GET's 2xx answer, if it keeps one.
 *
 * @param client A client from {@link createThrottledHttpClient}; any other has none.
 * @param url The GET's URL.
 * @returns The record (its `expires_at` in the client's clock), or `undefined`.
 * @internal
 */
export function cachedGetRecord(client: HttpClient, url: string): HttpCacheRecord | undefined {
  const state = throttledClients.get(client);
  if (state === undefined || !URL.canParse(url)) return undefined;
  return readHttpCacheRecord(state.cache, getKey(new URL(url)), state.clock());
}

/**
 * Drops the record a throttled client keeps of a GET's answer: one its reader found unusable, so
 * that the next GET asks again.
 *
 * @param client A client from {@link createThrottledHttpClient}; for any other this does nothing.
 * @param url The GET's URL.
 * @internal
 */
export function forgetCachedGet(client: HttpClient, url: string): void {
  const state = throttledClients.get(client);
  if (state !== undefined && URL.canParse(url)) state.cache.delete(getKey(new URL(url)));
}
