import { randomBytes } from "node:crypto";

/** A random, URL-safe identifier of `bytes` random bytes (codes, refresh tokens, session and flow ids). */
export function randomId(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/**
 * An in-memory map whose entries disappear after a deadline (epoch seconds, judged by the caller's
 * clock, so tests with an injected clock see expiry). Expired entries are pruned as the map grows.
 */
export class ExpiringStore<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly until: number }>();
  #pruneAt = 1024;

  /** Stores `value` under `key` until `until` (epoch seconds). */
  set(key: string, value: V, until: number, now: number): void {
    this.#entries.set(key, { value, until });
    if (this.#entries.size >= this.#pruneAt) {
      for (const [k, e] of this.#entries) if (e.until < now) this.#entries.delete(k);
      this.#pruneAt = Math.max(1024, this.#entries.size * 2);
    }
  }

  /** The value under `key`, unless absent or past its deadline. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.until < now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Forgets `key`. */
  delete(key: string): void {
    this.#entries.delete(key);
  }
}
