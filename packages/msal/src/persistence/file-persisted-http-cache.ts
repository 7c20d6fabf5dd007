/**
 * An HTTP cache kept in a file that several processes share.
 *
 * @module
 */

import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";
import type { HttpCache } from "../http/index.js";
import { PersistedFile } from "./persisted-file.js";
import type { FilePersistenceOptions, Loader } from "./persisted-file.js";

/** The options of a {@link FilePersistedHttpCache}. */
export interface FilePersistedHttpCacheOptions extends FilePersistenceOptions {
  /**
   * At most this many entries are kept; beyond it, the ones expiring soonest go first (as in
   * MSAL Python's HTTP cache). Default 1024.
   */
  readonly maxEntries?: number;
}

const DEFAULT_MAX_ENTRIES = 1024;

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An entry's `expires_at` (epoch seconds), or `-Infinity` for a value that carries none. */
function expiryOf(value: unknown): number {
  const expires = isJsonObject(value) ? value["expires_at"] : undefined;
  return typeof expires === "number" ? expires : Number.NEGATIVE_INFINITY;
}

/**
 * A `Map`-like store of JSON values in a file: pass it as an application's `httpCache`, and the
 * authority discovery answers (instance discovery, OpenID configuration; valid a day) that one
 * process fetched are there for every other process and every later run, which then ask the
 * authority nothing. It holds no token and no secret, ever.
 *
 * It works as {@link FilePersistedTokenCache} does: each read reloads the file when another
 * process replaced it; each `set`, `delete` and `clear` takes the cross-process lock, applies
 * itself to the latest file and replaces it atomically (mode 0600); encryption is optional; a
 * corrupt or undecryptable file throws {@link MsalError} and is never written over.
 *
 * The file is one JSON object, key → value. Values msal-ts writes carry `created_at` and
 * `expires_at` (epoch seconds): every write drops the expired ones, and when more than
 * `maxEntries` remain, the ones expiring soonest (a value without `expires_at` first).
 * Values are copied in as JSON: `set` throws for one `JSON.stringify` cannot represent.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplication, FilePersistedHttpCache, FilePersistedTokenCache } from "@msal-ts/msal";
 *
 * let clientSecret!: string;
 * const app = new ConfidentialClientApplication("my-client-id", {
 *   authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
 *   clientCredential: clientSecret,
 *   tokenCache: new FilePersistedTokenCache("state/msal_token_cache.json"),
 *   // A second process (or the next run) starts without discovery requests.
 *   httpCache: new FilePersistedHttpCache("state/msal_http_cache.json"),
 * });
 * ```
 */
export class FilePersistedHttpCache implements HttpCache {
  readonly #file: PersistedFile;
  readonly #maxEntries: number;
  #entries = new Map<string, unknown>();
  #depth = 0;
  readonly #load: Loader = (text) => this.#replaceState(text);

  /**
   * Binds the store to a file. Nothing is read until the first operation; a missing file is an
   * empty store, created on the first write.
   *
   * @param path The file.
   * @param options The encryption key, the lock's timing, and the size bound.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a bad path or option.
   */
  constructor(path: string, options?: FilePersistedHttpCacheOptions) {
    this.#file = new PersistedFile(path, options, "HTTP cache");
    const max = options?.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (!Number.isSafeInteger(max) || max < 1) throw invalidArgValue("maxEntries must be a positive integer");
    this.#maxEntries = max;
  }

  /** The absolute path of the file. */
  get path(): string {
    return this.#file.path;
  }

  /** How many entries the file holds now. */
  get size(): number {
    this.#read();
    return this.#entries.size;
  }

  /**
   * The value stored under a key, as the file holds it now.
   *
   * @param key The key.
   * @returns The value (do not change it), or `undefined`.
   */
  get(key: string): unknown {
    this.#read();
    return this.#entries.get(key);
  }

  /**
   * Whether a key is stored.
   *
   * @param key The key.
   * @returns `true` when it is.
   */
  has(key: string): boolean {
    this.#read();
    return this.#entries.has(key);
  }

  /**
   * The keys, as the file holds them now.
   *
   * @returns A snapshot of the keys, oldest first.
   */
  keys(): IterableIterator<string> {
    this.#read();
    return [...this.#entries.keys()][Symbol.iterator]();
  }

  /**
   * Stores a JSON copy of a value, dropping expired entries and keeping within `maxEntries`.
   *
   * @param key The key.
   * @param value A value `JSON.stringify` can represent.
   * @returns This store.
   * @throws `TypeError` for a non-string key or a value JSON cannot hold; the errors of any write.
   */
  set(key: string, value: unknown): this {
    if (typeof key !== "string") throw invalidArgType("key must be a string");
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (cause) {
      throw invalidArgValue(`the value for ${JSON.stringify(key)} cannot be stored as JSON: ${String(cause)}`);
    }
    if (json === undefined) throw invalidArgValue(`the value for ${JSON.stringify(key)} cannot be stored as JSON`);
    const copy: unknown = JSON.parse(json);
    this.#write(() => {
      this.#entries.delete(key); // re-inserted last: the newest entry is the last one listed
      this.#entries.set(key, copy);
      this.#prune(Date.now() / 1000);
      return true;
    });
    return this;
  }

  /**
   * Removes a key.
   *
   * @param key The key.
   * @returns `true` when it was stored.
   */
  delete(key: string): boolean {
    return this.#write(() => this.#entries.delete(key));
  }

  /** Removes every entry. */
  clear(): void {
    this.#write(() => {
      const had = this.#entries.size > 0;
      this.#entries.clear();
      return had;
    });
  }

  /** Drops the expired entries, then the soonest-expiring ones beyond the bound. */
  #prune(now: number): void {
    for (const [key, value] of this.#entries) {
      if (!isJsonObject(value)) continue;
      const { created_at: created, expires_at: expires } = value;
      if ((typeof expires === "number" && expires <= now) || (typeof created === "number" && created > now)) this.#entries.delete(key);
    }
    const excess = this.#entries.size - this.#maxEntries;
    if (excess <= 0) return;
    // A stable sort: among equals, the older entry goes first.
    const byExpiry = [...this.#entries].sort(([, a], [, b]) => expiryOf(a) - expiryOf(b) || 0);
    for (const [key] of byExpiry.slice(0, excess)) this.#entries.delete(key);
  }

  #read(): void {
    if (this.#depth === 0) this.#file.refresh(this.#load);
  }

  /** Applies a change under the lock to the latest file; writes when it reports a change. */
  #write(change: () => boolean): boolean {
    let changed = false;
    this.#depth++;
    try {
      this.#file.update(this.#load, () => {
        changed = change();
        return changed ? JSON.stringify(Object.fromEntries(this.#entries)) : undefined;
      });
    } finally {
      this.#depth--;
    }
    return changed;
  }

  #replaceState(text: string | null): void {
    if (text === null || text.trim() === "") {
      this.#entries = new Map();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      // The parser's message may quote the text; give only the position.
      const where = cause instanceof SyntaxError ? (/position \d+/.exec(cause.message)?.[0] ?? "") : "";
      throw new MsalError(
        "ERR_CACHE_FORMAT",
        `${this.#file.what} is not valid JSON${where ? ` (at ${where})` : ""}. It was left as it is; repair or delete it.`,
      );
    }
    if (!isJsonObject(parsed)) {
      throw new MsalError("ERR_CACHE_FORMAT", `${this.#file.what} must hold a JSON object. It was left as it is; repair or delete it.`);
    }
    this.#entries = new Map(Object.entries(parsed));
  }
}
