/**
 * The application's HTTP cache (MSAL Python's `http_cache`): where HTTP-level state that holds no
 * secret is kept — discovery answers now, throttling state later — so that it can outlive the
 * process when the application persists it.
 *
 * @module
 */

import { invalidArgType } from "../errors.js";

/**
 * What the `httpCache` option takes: a `Map`-like store of JSON values under string keys. A
 * `Map` is one (process-lifetime); `FilePersistedHttpCache` is one that several processes share
 * through a file.
 *
 * msal-ts writes plain JSON values (objects, arrays, strings, numbers) wrapped in an
 * {@link HttpCacheRecord}, under keys that hold no secret, and never a token.
 */
export interface HttpCache {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  delete(key: string): unknown;
}

/**
 * How msal-ts stores a value: with the epoch seconds it was stored at and expires at. It is
 * valid while `created_at <= now < expires_at`, so a clock that moved backwards invalidates it,
 * as in MSAL Python's expiring mapping.
 */
export interface HttpCacheRecord {
  readonly value: unknown;
  readonly created_at: number;
  readonly expires_at: number;
}

/**
 * Checks an `httpCache` option.
 *
 * @param value The option.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) unless it has `get`, `set` and `delete` methods.
 */
export function checkHttpCache(value: unknown): asserts value is HttpCache {
  const cache = value as Partial<Record<keyof HttpCache, unknown>> | null;
  if (
    typeof value !== "object" ||
    cache === null ||
    typeof cache.get !== "function" ||
    typeof cache.set !== "function" ||
    typeof cache.delete !== "function"
  ) {
    throw invalidArgType("httpCache must be a Map, or an object with get(key), set(key, value) and delete(key) methods");
  }
}

function isRecord(value: unknown): value is HttpCacheRecord {
  if (typeof value !== "object" || value === null) return false;
  const { created_at: created, expires_at: expires } = value as Partial<HttpCacheRecord>;
  return typeof created === "number" && typeof expires === "number" && "value" in value;
}

/**
 * The value stored under a key, when it is still valid. An expired, future-dated or malformed
 * record is deleted, as MSAL Python purges lazily on read.
 *
 * @param cache The application's HTTP cache.
 * @param key The key.
 * @param now Epoch seconds.
 * @returns The record, or `undefined`.
 */
export function readHttpCacheRecord(cache: HttpCache, key: string, now: number): HttpCacheRecord | undefined {
  const stored = cache.get(key);
  if (stored === undefined) return undefined;
  if (isRecord(stored) && stored.created_at <= now && now < stored.expires_at) return stored;
  cache.delete(key);
  return undefined;
}

/**
 * Stores a value for a while.
 *
 * @param cache The application's HTTP cache.
 * @param key The key; it must hold no secret.
 * @param value A plain JSON value; it must hold no secret.
 * @param lifetimeSeconds How long it stays valid.
 * @param now Epoch seconds.
 */
export function writeHttpCacheRecord(cache: HttpCache, key: string, value: unknown, lifetimeSeconds: number, now: number): void {
  const record: HttpCacheRecord = { value, created_at: now, expires_at: now + lifetimeSeconds };
  cache.set(key, record);
}
