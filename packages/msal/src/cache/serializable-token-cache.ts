/**
 * A token cache that can be saved and loaded as the unified JSON document.
 *
 * @module
 */

import { MsalError, invalidArgType } from "../errors.js";
import { TokenCache } from "./token-cache.js";

/**
 * A {@link TokenCache} that serializes to, and deserializes from, the JSON document every MSAL
 * reads and writes (MSAL Python, .NET, Node, Azure CLI's `msal_token_cache.json`). Sections,
 * entries and fields this library does not know are kept verbatim.
 *
 * This class does not persist anything itself: save `serialize()` when
 * {@link SerializableTokenCache.hasStateChanged} says so, and `deserialize()` what you saved.
 *
 * @example
 * ```ts
 * const cache = new SerializableTokenCache();
 * cache.deserialize(existsSync(path) ? readFileSync(path, "utf8") : null);
 * // … use the cache with an application …
 * if (cache.hasStateChanged) writeFileSync(path, cache.serialize());
 * ```
 */
export class SerializableTokenCache extends TokenCache {
  #changed = false;

  /**
   * Whether the cache changed since the last {@link serialize} or {@link deserialize}: true after
   * any `add()` and any modification or removal that changed something (including expired access
   * tokens a lookup deleted).
   */
  get hasStateChanged(): boolean {
    return this.#changed;
  }

  /** Set it to `false` once the state is saved by other means, as MSAL Python's attribute allows. */
  set hasStateChanged(value: boolean) {
    this.#changed = value;
  }

  /**
   * Replaces the whole cache with a previously serialized state.
   *
   * @param state The JSON text; empty, `null` or `undefined` means an empty cache.
   * @throws {@link MsalError} `ERR_CACHE_FORMAT` when the text is not JSON, not a JSON object, or
   *   one of the five known sections or one of their entries is not an object; the cache keeps
   *   its previous state then. `TypeError` (`ERR_INVALID_ARG_TYPE`) when `state` is not a string.
   */
  deserialize(state: string | null | undefined): void {
    if (state !== null && state !== undefined && typeof state !== "string") {
      throw invalidArgType(`state must be a string, null or undefined, got ${typeof state}`);
    }
    let parsed: unknown = {};
    if (state) {
      try {
        parsed = JSON.parse(state);
      } catch (cause) {
        // The parser's message may quote the text, which holds secrets; give only the position.
        const where = cause instanceof SyntaxError ? (/position \d+/.exec(cause.message)?.[0] ?? "") : "";
        throw new MsalError("ERR_CACHE_FORMAT", `The token cache is not valid JSON${where ? ` (at ${where})` : ""}.`);
      }
    }
    this.importState(parsed);
    this.#changed = false;
  }

  /**
   * The whole cache as JSON text. It is compact, as MSAL Node writes it: MSAL Python indents by
   * four spaces, which no reader depends on, and which would make a large cache half again as
   * long (V8 cannot hold a string over about 512 MiB).
   *
   * @returns The JSON text; `{}` for an empty cache.
   */
  serialize(): string {
    const text = JSON.stringify(this.exportState());
    this.#changed = false;
    return text;
  }

  protected override stateChanged(): void {
    this.#changed = true;
  }
}
