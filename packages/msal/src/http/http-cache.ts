/**
 * The application's HTTP cache (MSAL Python's `http_cache`): where HTTP-level state that holds no
 * secret is kept — throttled failures to replay, and a day's worth of discovery answers — so that
 * it can outlive the process when the application persists it.
 *
 * @module
 */

import { invalidArgType, invalidArgValue } from "../errors.js";

/**
 * What the `httpCache` option takes: a `Map`-like store of JSON values under string keys. A
 * `Map` is one (process-lifetime); `FilePersistedHttpCache` is one that several processes share
 * through a file.
 *
 * msal-ts writes plain JSON values (objects, arrays, strings, numbers) wrapped in an
 * {@link HttpCacheRecord}, under keys that hold no secret, and never a token.
 */
export interface HttpCache {
  /** The value stored under `key`, or `undefined`; a value that is not a valid record is ignored. */
  get(key: string): unknown;
  /** Stores `value` under `key`, replacing what was there; the return value is ignored. */
  set(key: string, value: unknown): unknown;
  /** Removes what is stored under `key`, if anything; the return value is ignored. */
  delete(key: string): unknown;
}

/** How many records a {@link MemoryHttpCache} holds by default, as MSAL Python's expiring mapping. */
export const DEFAULT_HTTP_CACHE_CAPACITY = 1024;

/**
 * How msal-ts stores a value: with the epoch seconds it was stored at and expires at. It is
 * valid while `created_at <= now < expires_at`, so a clock that moved backwards invalidates it,
 * as in MSAL Python's expiring mapping.
 */
export interface HttpCacheRecord {
  /** The stored JSON value. */
  readonly value: unknown;
  /** When it was stored, in epoch seconds. */
  readonly created_at: number;
  /** When it stops being valid, in epoch seconds. */
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

/**
 * A bounded in-memory HTTP cache: what an application (or managed identity client) keeps its HTTP
 * state in when it was given no `httpCache`. At capacity, a new key first makes the expired
 * records go, then the one expiring soonest (a value that is not a record before any), as MSAL
 * Python's expiring mapping does; reads drop an expired record lazily.
 *
 * A `Map` given as `httpCache` is not bounded this way: the records msal-ts writes there expire
 * (after an hour at most for throttled failures, a day for GET answers) and are dropped when read
 * again after that, but a process that makes ever new requests grows it.
 */
export class MemoryHttpCache implements HttpCache {
  readonly #entries = new Map<string, unknown>();
  readonly #capacity: number;
  readonly #clock: () => number;

  /**
   * @param capacity How many keys it holds at most; default {@link DEFAULT_HTTP_CACHE_CAPACITY}.
   * @param clock Epoch seconds, for deciding what has expired (tests inject one).
   * @throws `TypeError` (`ERR_INVALID_ARG_VALUE`) for a capacity that is not a positive integer.
   */
  constructor(capacity: number = DEFAULT_HTTP_CACHE_CAPACITY, clock: () => number = () => Date.now() / 1000) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw invalidArgValue("capacity must be a positive integer");
    this.#capacity = capacity;
    this.#clock = clock;
  }

  /** How many keys it holds now, expired records included until they are dropped. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The value under a key, as stored (expired or not: {@link readHttpCacheRecord} decides).
   *
   * @param key The key.
   * @returns The value, or `undefined`.
   */
  get(key: string): unknown {
    return this.#entries.get(key);
  }

  /**
   * Stores a value, making room first when the cache is full and the key is new.
   *
   * @param key The key.
   * @param value The value.
   * @returns This cache.
   */
  set(key: string, value: unknown): this {
    if (!this.#entries.has(key) && this.#entries.size >= this.#capacity) this.#makeRoom();
    this.#entries.set(key, value);
    return this;
  }

  /**
   * Forgets a key.
   *
   * @param key The key.
   * @returns Whether it was there.
   */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** The stored key–value pairs, oldest first. */
  entries(): IterableIterator<[string, unknown]> {
    return this.#entries.entries();
  }

  // Expired records go; then, when still full, the value expiring soonest (one that is not a
  // record counts as expired long ago).
  #makeRoom(): void {
    const now = this.#clock();
    let soonest: string | undefined;
    let soonestExpiry = Number.POSITIVE_INFINITY;
    for (const [key, value] of this.#entries) {
      const expiry = isRecord(value) ? value.expires_at : Number.NEGATIVE_INFINITY;
      if (isRecord(value) && (value.created_at > now || now >= expiry)) {
        this.#entries.delete(key);
      } else if (expiry < soonestExpiry) {
        soonest = key;
        soonestExpiry = expiry;
      }
    }
    if (this.#entries.size >= this.#capacity && soonest !== undefined) this.#entries.delete(soonest);
  }
}
