// The API's token caches in memory: one small serialized cache per incoming token, so a request only
// loads the tokens it can use and no caller's tokens are ever handed to another.
//
// On several machines, keep the partitions in a shared store instead: @msal-ts/redis-cache does this
// with the same key (`oboPartitionKey`).

/**
 * Serialized token caches keyed by `userAssertionHash(incoming token)`, the key msal-ts also files the
 * on-behalf-of tokens under; the incoming token itself is never kept.
 *
 * A partition is dropped when the incoming token it belongs to expires: the API refuses that token
 * from then on, so nothing could ever use its partition again. Beyond `maxEntries`, the least
 * recently used partitions go first.
 */
export class TokenCachePartitions {
  readonly #entries = new Map<string, { readonly state: string; readonly expiresAt: number }>();
  readonly #maxEntries: number;

  /** @param maxEntries - how many partitions to keep at most. */
  constructor(maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError("maxEntries must be a positive integer.");
    this.#maxEntries = maxEntries;
  }

  /** How many partitions are held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The serialized cache of `key`, unless there is none or it has expired. */
  get(key: string, now = Date.now() / 1000): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.#entries.set(key, entry); // now the most recently used
    return entry.state;
  }

  /** Keeps `state` under `key` until `expiresAt` (epoch seconds: the incoming token's `exp`). */
  set(key: string, state: string, expiresAt: number, now = Date.now() / 1000): void {
    this.#entries.delete(key);
    if (expiresAt <= now) return;
    this.#entries.set(key, { state, expiresAt });
    for (const [oldest] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }
}
