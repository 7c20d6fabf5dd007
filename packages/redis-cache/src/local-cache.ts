/**
 * The in-process copy of recently used partitions.
 *
 * @module
 */

import type { PartitionSnapshot } from "./partition-state.js";

interface Held {
  readonly snapshot: PartitionSnapshot;
  /** `Date.now()` when it was stored. */
  readonly storedAt: number;
}

/**
 * Recently used partitions, least recently used first out, at most `maxEntries` of them and none
 * older than `maxAgeMs`. A copy is only ever used after Redis confirmed its version, so this saves
 * transferring and parsing a partition, never a round trip: it cannot serve stale tokens.
 */
export class LocalPartitionCache {
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #held = new Map<string, Held>();

  constructor(maxEntries: number, maxAgeMs: number) {
    this.#maxEntries = maxEntries;
    this.#maxAgeMs = maxAgeMs;
  }

  /** How many partitions are held. */
  get size(): number {
    return this.#held.size;
  }

  /**
   * The copy of a partition, if one is held and young enough.
   *
   * @param key The partition's Redis key.
   * @param now `Date.now()`.
   * @returns The snapshot, or `undefined`.
   */
  get(key: string, now: number): PartitionSnapshot | undefined {
    const held = this.#held.get(key);
    if (held === undefined) return undefined;
    this.#held.delete(key);
    if (now - held.storedAt > this.#maxAgeMs) return undefined;
    this.#held.set(key, held);
    return held.snapshot;
  }

  /**
   * Holds a copy, evicting the least recently used beyond the bound.
   *
   * @param key The partition's Redis key.
   * @param snapshot The partition as Redis has it at `snapshot.version`.
   * @param now `Date.now()`.
   */
  set(key: string, snapshot: PartitionSnapshot, now: number): void {
    if (this.#maxEntries <= 0) return;
    this.#held.delete(key);
    this.#held.set(key, { snapshot, storedAt: now });
    while (this.#held.size > this.#maxEntries) {
      const oldest = this.#held.keys().next();
      if (oldest.done) break;
      this.#held.delete(oldest.value);
    }
  }

  /** Forgets a partition. */
  delete(key: string): void {
    this.#held.delete(key);
  }

  /** Forgets every partition. */
  clear(): void {
    this.#held.clear();
  }
}
