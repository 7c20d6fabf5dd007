/**
 * Throttling of managed identity requests: a source that answered 429, a 5xx, or an error with
 * `Retry-After` is not asked the same thing again until that time is up; its answer is replayed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { HttpCache, HttpClient, HttpRequestInit } from "../http/index.js";
import { readHttpCacheRecord, writeHttpCacheRecord } from "../http/index.js";

/** Seconds an answer is replayed when it gives no (integer) `Retry-After`. */
export const DEFAULT_RETRY_AFTER = 5;
/** The longest replay, whatever `Retry-After` says. */
export const MAX_RETRY_AFTER = 3600;
/** How many throttled answers a `Map` keeps (other stores bound themselves). */
const CAPACITY = 1024;

/** A replayable answer, in plain JSON (a persisted store may hold it). No tokens: only failures are kept. */
interface Throttled {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

function isThrottled(value: unknown): value is Throttled {
  const v = value as Partial<Throttled> | null;
  return typeof v === "object" && v !== null && typeof v.status === "number" && typeof v.body === "string" && Array.isArray(v.headers);
}
/**
 * The key of a request: the endpoint, then a hash of the query and the body, as MSAL Python keys
 * its managed identity requests. Headers are left out, so a secret never shapes the key.
 */
export function throttleKey(url: string, body: string | undefined): string {
  const u = new URL(url);
  const hash = createHash("sha256").update(`${u.search}|${body ?? ""}`).digest("hex");
  return `REQ ${u.origin}${u.pathname} hash=${hash} 429/5xx/Retry-After`;
}

/**
 * How long to replay an answer, in seconds; 0 for one that is not replayed.
 *
 * A success is never replayed (MSAL Python would replay a 2xx that carries `Retry-After`; that
 * would keep a token in the HTTP cache). A failure is replayed when it is a 429 or a 5xx, or carries
 * `Retry-After`: for that many seconds when it is an integer, else {@link DEFAULT_RETRY_AFTER},
 * never more than {@link MAX_RETRY_AFTER}.
 */
export function replaySeconds(status: number, retryAfter: string | null): number {
  if (status < 400) return 0;
  if (status !== 429 && status < 500 && retryAfter === null) return 0;
  const given = retryAfter !== null && /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) : DEFAULT_RETRY_AFTER;
  return Math.min(given, MAX_RETRY_AFTER);
}

/** Headers worth replaying: the ones the response readers look at. */
const KEPT_HEADERS = ["content-type", "retry-after", "www-authenticate"];

/**
 * Wraps an HTTP client so that throttled answers are replayed from `store` without a request.
 *
 * @param http - The client that sends.
 * @param store - Throttling state: the caller's `httpCache`, or a private `Map`. Entries are
 *   `{ value, created_at, expires_at }` records, as every user of the HTTP cache writes them.
 * @param clock - Epoch seconds (tests inject one).
 * @returns A client with the same signature.
 */
export function throttled(http: HttpClient, store: HttpCache, clock: () => number = () => Date.now() / 1000): HttpClient {
  return async (url: string, init: HttpRequestInit): Promise<Response> => {
    const key = throttleKey(url, init.body);
    const kept = readHttpCacheRecord(store, key, clock());
    if (kept !== undefined) {
      if (isThrottled(kept.value)) {
        return new Response(kept.value.body, { status: kept.value.status, headers: kept.value.headers.map(([k, v]) => [k, v]) });
      }
      store.delete(key);
    }
    const response = await http(url, init);
    const seconds = replaySeconds(response.status, response.headers.get("retry-after"));
    if (seconds <= 0) return response;
    const body = await response.text();
    const headers: Array<[string, string]> = [];
    for (const name of KEPT_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) headers.push([name, value]);
    }
    const now = clock();
    const entry: Throttled = { status: response.status, headers, body };
    writeHttpCacheRecord(store, key, entry, seconds, now);
    if (store instanceof Map) prune(store, now);
    return new Response(body, { status: response.status, headers });
  };
}

/** Keeps a `Map` within {@link CAPACITY} of our entries: expired ones go first, then the soonest to expire. */
function prune(store: Map<string, unknown>, now: number): void {
  if (store.size <= CAPACITY) return;
  const ours: Array<[string, number]> = [];
  for (const key of store.keys()) {
    if (!key.startsWith("REQ ")) continue;
    const record = readHttpCacheRecord(store, key, now);
    if (record !== undefined) ours.push([key, record.expires_at]);
  }
  if (ours.length <= CAPACITY) return;
  ours.sort((x, y) => x[1] - y[1]);
  for (const [key] of ours.slice(0, ours.length - CAPACITY)) store.delete(key);
}
