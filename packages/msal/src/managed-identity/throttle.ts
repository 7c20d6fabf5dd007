/**
 * Throttling of managed identity requests: a source that answered 429, a 5xx, or an error with
 * `Retry-After` is not asked the same thing again until that time is up; its answer is replayed.
 * It is the applications' throttling (see `createThrottledHttpClient`) with one rule only, as in
 * MSAL Python: no 400 replay, and never a 2xx, since these answers carry tokens.
 *
 * @module
 */
import type { HttpCache, HttpClient } from "../http/index.js";
import { replayingHttpClient, requestHash, retryAfterSeconds, type ReplayRule } from "../http/throttled-http-client.js";

/** Seconds an answer is replayed when it gives no (integer) `Retry-After`. */
export const DEFAULT_RETRY_AFTER = 5;

/**
 * The key of a request: the endpoint, then a hash of the query and the body, as MSAL Python keys
 * its managed identity requests. Headers are left out, so a secret never shapes the key.
 *
 * @param url The request's URL.
 * @param body Its body (Cloud Shell POSTs its resource), if any.
 * @returns The key.
 */
export function throttleKey(url: string, body: string | undefined): string {
  const u = new URL(url);
  return `REQ ${u.origin}${u.pathname} hash=${requestHash(u.search, body ?? "")} 429/5xx/Retry-After`;
}

const RETRY_AFTER: ReplayRule = {
  covers: () => true,
  key: (url, init) => throttleKey(url.href, init.body),
  lifetime: (status, headers) => retryAfterSeconds(status, headers.get("retry-after"), DEFAULT_RETRY_AFTER),
};

/**
 * Wraps an HTTP client so that throttled answers are replayed from `store` without a request.
 *
 * @param http - The client that sends.
 * @param store - Throttling state: the caller's `httpCache`, or a private `MemoryHttpCache`.
 *   Entries are `{ value, created_at, expires_at }` records, as every user of the HTTP cache writes them.
 * @param clock - Epoch seconds (tests inject one).
 * @returns A client with the same signature.
 */
export function throttled(http: HttpClient, store: HttpCache, clock?: () => number): HttpClient {
  return replayingHttpClient(http, store, [RETRY_AFTER], clock);
}
