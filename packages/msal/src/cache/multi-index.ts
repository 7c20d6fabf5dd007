/**
 * A map from an index key to a set of cache keys, built for millions of entries.
 *
 * @module
 */

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Index key → cache keys. Most index keys point at exactly one cache key (one token per tenant,
 * one account per home id), so a lone key is stored inline and a `Set` is created only for the
 * second one; that keeps a million-entry cache from paying for a million one-element sets.
 */
export class MultiIndex {
  readonly #map = new Map<string, string | Set<string>>();

  /**
   * Records that `indexKey` leads to `key`.
   *
   * @param indexKey The composite of field values.
   * @param key The cache key.
   */
  add(indexKey: string, key: string): void {
    const current = this.#map.get(indexKey);
    if (current === undefined) this.#map.set(indexKey, key);
    else if (typeof current === "string") {
      if (current !== key) this.#map.set(indexKey, new Set([current, key]));
    } else current.add(key);
  }

  /**
   * Forgets that `indexKey` leads to `key`.
   *
   * @param indexKey The composite of field values.
   * @param key The cache key.
   */
  delete(indexKey: string, key: string): void {
    const current = this.#map.get(indexKey);
    if (current === undefined) return;
    if (typeof current === "string") {
      if (current === key) this.#map.delete(indexKey);
      return;
    }
    current.delete(key);
    if (current.size === 1) {
      const [only] = current;
      if (only !== undefined) this.#map.set(indexKey, only);
    } else if (current.size === 0) this.#map.delete(indexKey);
  }

  /**
   * Tells whether `indexKey` leads to `key`.
   *
   * @param indexKey The composite of field values.
   * @param key The cache key.
   * @returns `true` when indexed.
   */
  has(indexKey: string, key: string): boolean {
    const current = this.#map.get(indexKey);
    if (current === undefined) return false;
    return typeof current === "string" ? current === key : current.has(key);
  }

  /**
   * How many cache keys `indexKey` leads to, without touching them.
   *
   * @param indexKey The composite of field values.
   * @returns The count; 0 when the index key is unknown.
   */
  count(indexKey: string): number {
    const current = this.#map.get(indexKey);
    if (current === undefined) return 0;
    return typeof current === "string" ? 1 : current.size;
  }

  /**
   * The cache keys `indexKey` leads to. The live set is returned, not a copy: callers must not
   * add or delete through this index while iterating it.
   *
   * @param indexKey The composite of field values.
   * @returns The cache keys, in insertion order.
   */
  get(indexKey: string): Iterable<string> {
    const current = this.#map.get(indexKey);
    if (current === undefined) return EMPTY;
    return typeof current === "string" ? [current] : current;
  }
}
