/**
 * The cache an application works on while a partition is open.
 *
 * @module
 */

import { SerializableTokenCache } from "@msal-ts/msal";

let exportOf!: (cache: PartitionTokenCache) => Record<string, unknown>;
let load!: (cache: PartitionTokenCache, state: Record<string, unknown>) => void;
let changed!: (cache: PartitionTokenCache) => boolean;

/**
 * A {@link SerializableTokenCache} filled from a partition. It remembers whether anything changed
 * since it was filled on its own, so that an application calling `serialize()` (which resets
 * `hasStateChanged`) or `deserialize()` still has its changes written back.
 */
export class PartitionTokenCache extends SerializableTokenCache {
  #filled = false;
  #changed = false;

  static {
    // Module-private access to the protected state, so the object an application gets has no
    // extra methods.
    exportOf = (cache) => cache.exportState();
    load = (cache, state) => {
      cache.importState(state);
      cache.#filled = true;
    };
    changed = (cache) => cache.#changed;
  }

  protected override stateChanged(): void {
    super.stateChanged();
    this.#changed = true;
  }

  protected override importState(state: unknown): void {
    super.importState(state);
    if (this.#filled) this.#changed = true;
  }
}

/**
 * A cache holding a partition's state.
 *
 * @param state The state (its entries are shared, not copied; they are frozen).
 * @returns The cache, with `hasStateChanged` false.
 */
export function openCache(state: Record<string, unknown>): PartitionTokenCache {
  const cache = new PartitionTokenCache();
  load(cache, state);
  return cache;
}

/** The cache's whole state: fresh top-level and section objects around its (frozen) entries. */
export function cacheState(cache: PartitionTokenCache): Record<string, unknown> {
  return exportOf(cache);
}

/** Whether anything was added, changed, removed or loaded since {@link openCache}. */
export function cacheChanged(cache: PartitionTokenCache): boolean {
  return changed(cache);
}
