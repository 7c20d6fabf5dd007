import { ExpiringStore } from "./expiring-store.js";

/** Remembers single-use values (assertion `jti`s) until they expire. */
export class ReplayCache {
  readonly #seen = new ExpiringStore<true>();

  /**
   * Records `key` as used until `expiresAt` (epoch seconds).
   *
   * @returns false when `key` was already used and has not expired.
   */
  use(key: string, expiresAt: number, now: number): boolean {
    if (this.#seen.get(key, now)) return false;
    this.#seen.set(key, true, expiresAt, now);
    return true;
  }
}
