/**
 * A process-wide memo of discovery answers, with in-flight de-duplication.
 *
 * @module
 */

/** How long a discovery answer is reused: a day, as MSAL Python's HTTP cache keeps 2xx GETs. */
export const DISCOVERY_TTL_MS = 24 * 60 * 60 * 1000;

/** What a load yields: the value, and when it stops being fresh if not a full TTL from now. */
export interface Loaded<T> {
  readonly value: T;
  /** Epoch milliseconds; default now + the cache's TTL. */
  readonly expiresAt?: number | undefined;
}

/**
 * A string-keyed memo of values loaded asynchronously and shared by every caller in the
 * process. Concurrent loads of one key run once (as jose's remote JWKS shares its pending
 * fetch); failures are not kept, so the next caller tries again.
 *
 * @internal
 */
export class SharedCache<T> {
  readonly #done = new Map<string, { value: T; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<T>>();
  readonly #ttlMs: number;
  #generation = 0;

  constructor(ttlMs: number = DISCOVERY_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** The value for `key` when it has been loaded and is still fresh. */
  peek(key: string, now: number = Date.now()): T | undefined {
    const entry = this.#done.get(key);
    if (entry === undefined) return undefined;
    if (now < entry.expiresAt) return entry.value;
    this.#done.delete(key);
    return undefined;
  }

  /**
   * The value for `key`, loading it when needed.
   *
   * The load itself is not tied to any caller's signal: one caller giving up must not fail the
   * others waiting for the same answer. Each caller stops waiting when its own signal aborts. A
   * load may say when its value expires (one read from a persisted HTTP cache is older than now).
   */
  get(key: string, load: () => Promise<Loaded<T>>, signal?: AbortSignal): Promise<T> {
    const hit = this.peek(key);
    if (hit !== undefined) return Promise.resolve(hit);
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      const generation = this.#generation;
      const self: { promise?: Promise<T> } = {};
      const loading = (async (): Promise<T> => {
        // One tick first, so that the clean-up below never runs before `self.promise` is set.
        await undefined;
        try {
          const { value, expiresAt } = await load();
          // A clear() while loading means the answer belongs to a forgotten generation.
          if (generation === this.#generation) {
            this.#done.set(key, { value, expiresAt: Math.min(expiresAt ?? Number.POSITIVE_INFINITY, Date.now() + this.#ttlMs) });
          }
          return value;
        } finally {
          if (this.#pending.get(key) === self.promise) this.#pending.delete(key);
        }
      })();
      // Every caller may have stopped waiting; the failure is theirs to see, not the process's.
      self.promise = loading;
      loading.catch(() => undefined);
      this.#pending.set(key, loading);
      pending = loading;
    }
    return signal ? raceSignal(pending, signal) : pending;
  }

  /** Forgets every value and pending load. */
  clear(): void {
    this.#generation++;
    this.#done.clear();
    this.#pending.clear();
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts.
 *
 * @param promise What the caller waits for; it goes on either way.
 * @param signal The caller's signal.
 * @param onAbort Called once the caller has stopped waiting because the signal aborted.
 * @returns The caller's promise.
 * @internal
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => {
      reject(signal.reason as unknown);
      onAbort?.();
    };
    signal.addEventListener("abort", stop, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", stop);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", stop);
        reject(error);
      },
    );
  });
}
