/** Remembers single-use values (assertion `jti`s) until they expire. */
export class ReplayCache {
  readonly #expiries = new Map<string, number>();
  #pruneAt = 1024;

  /**
   * Records `key` as used until `expiresAt` (epoch seconds).
   *
   * @returns false when `key` was already used and has not expired.
   */
  use(key: string, expiresAt: number, now: number): boolean {
    const seen = this.#expiries.get(key);
    if (seen !== undefined && seen >= now) return false;
    this.#expiries.set(key, expiresAt);
    if (this.#expiries.size >= this.#pruneAt) {
      for (const [k, e] of this.#expiries) if (e < now) this.#expiries.delete(k);
      this.#pruneAt = Math.max(1024, this.#expiries.size * 2);
    }
    return true;
  }
}
