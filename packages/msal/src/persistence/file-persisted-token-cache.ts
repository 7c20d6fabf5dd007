/**
 * A token cache kept in a file that several processes share.
 *
 * @module
 */

import { MsalError } from "../errors.js";
import { SerializableTokenCache } from "../cache/index.js";
import type {
  AccessTokenEntry,
  AccessTokenLookupOptions,
  AccessTokenQuery,
  AccountEntry,
  AccountIdentity,
  AppMetadataEntry,
  CacheEntryBySection,
  CredentialType,
  IdTokenEntry,
  IdTokenQuery,
  RefreshTokenEntry,
  RefreshTokenQuery,
  SectionCounts,
  TokenCacheEvent,
  UserAssertionAccessTokenQuery,
} from "../cache/index.js";
import { PersistedFile } from "./persisted-file.js";
import type { FilePersistenceOptions, Loader } from "./persisted-file.js";

/**
 * A {@link SerializableTokenCache} bound to a file, which any number of processes (and other
 * instances in this one) may share, as MSAL Python's extensions share `msal_token_cache.json`.
 * Pass it as an application's `tokenCache`; there is nothing to save by hand.
 *
 * - **Reads** (every lookup an application makes) first `stat` the file, and reload it when
 *   another process replaced it since; a hit costs one `stat` more than in memory.
 * - **Writes** (`add`, `modify`, `updateRefreshToken`, `remove`, `removeAccount`,
 *   `removeAccessTokensForClient`, `deserialize`) take a cross-process lock, reload the file if
 *   it changed, apply the same operation to that latest state, and replace the file atomically
 *   (a temporary file, flushed to disk, renamed over the old one), mode 0600. So concurrent
 *   writers merge: a token another process added meanwhile is kept, not overwritten by this
 *   instance's older copy.
 * - The file is the unified cache JSON every MSAL reads, unless an `encryptionKey` is given:
 *   then it is encrypted with AES-256-GCM (see {@link FilePersistenceOptions.encryptionKey}).
 * - A file that is not a token cache, or that cannot be decrypted, makes every operation throw
 *   {@link MsalError} (`ERR_CACHE_FORMAT`, `ERR_CACHE_DECRYPT`) and is never written over.
 * - A lock left by a process that died holding it is broken after `lockStaleSeconds`.
 *
 * The methods stay synchronous, as MSAL Python's are: a write blocks the thread for the lock
 * and one file write, usually a few milliseconds; waiting for another process's lock sleeps in
 * short steps. {@link SerializableTokenCache.hasStateChanged} is `false` after every write, as
 * everything is saved already. Lookups delete expired access tokens in memory only; the next
 * write saves that.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplication, FilePersistedTokenCache } from "@msal-ts/msal";
 *
 * let clientSecret!: string;
 * const tokenCache = new FilePersistedTokenCache("/var/lib/daemon/msal_token_cache.json");
 * const app = new ConfidentialClientApplication("my-client-id", {
 *   authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
 *   clientCredential: clientSecret,
 *   tokenCache,
 * });
 * // Every process running this shares the tokens; none asks the authority for one another has.
 * const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
 * ```
 *
 * @example Encrypted at rest, with the key from the application's secret store:
 * ```ts
 * let key!: Uint8Array; // 32 bytes
 * const tokenCache = new FilePersistedTokenCache("cache.bin", { encryptionKey: key, lockStaleSeconds: 5 });
 * ```
 */
export class FilePersistedTokenCache extends SerializableTokenCache {
  readonly #file: PersistedFile;
  /** Above 0 while an operation runs under the lock: nested calls neither reload nor lock again. */
  #depth = 0;
  readonly #load: Loader = (text) => this.#replaceState(text);

  /**
   * Binds a cache to a file. Nothing is read until the first operation; a missing file is an
   * empty cache, created (with its directory, mode 0700) on the first write.
   *
   * @param path The cache file.
   * @param options The encryption key and the lock's timing.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a path that is not a
   *   non-empty string, a key that is not 32 bytes, or a lock time that is not a positive number.
   */
  constructor(path: string, options?: FilePersistenceOptions) {
    super();
    this.#file = new PersistedFile(path, options, "token cache");
  }

  /** The absolute path of the cache file. */
  get path(): string {
    return this.#file.path;
  }

  override add(event: TokenCacheEvent, now?: number): void {
    this.#write(() => super.add(event, now));
  }

  override findAccessToken(query: AccessTokenQuery, options?: AccessTokenLookupOptions | number): AccessTokenEntry | undefined {
    this.#read();
    return super.findAccessToken(query, options);
  }

  /** @internal */
  override findAccessTokenWithin(query: AccessTokenQuery, now: number, minRemaining: number): AccessTokenEntry | null | undefined {
    this.#read();
    return super.findAccessTokenWithin(query, now, minRemaining);
  }

  override findAccessTokenForUserAssertion(
    query: UserAssertionAccessTokenQuery,
    options?: AccessTokenLookupOptions | number,
  ): AccessTokenEntry | undefined {
    this.#read();
    return super.findAccessTokenForUserAssertion(query, options);
  }

  override findRefreshTokens(query: RefreshTokenQuery): RefreshTokenEntry[] {
    this.#read();
    return super.findRefreshTokens(query);
  }

  override findIdToken(query: IdTokenQuery): IdTokenEntry | undefined {
    this.#read();
    return super.findIdToken(query);
  }

  override getAccounts(environment?: string): AccountEntry[] {
    this.#read();
    return super.getAccounts(environment);
  }

  override getAppMetadata(client_id: string, environment: string): AppMetadataEntry | undefined {
    this.#read();
    return super.getAppMetadata(client_id, environment);
  }

  override removeAccessTokensForClient(client_id: string, environments: readonly string[]): number {
    return this.#write(() => super.removeAccessTokensForClient(client_id, environments));
  }

  override removeAccount(account: AccountIdentity, client_id: string, family_id?: string): number {
    return this.#write(() => super.removeAccount(account, client_id, family_id));
  }

  override updateRefreshToken(entry: RefreshTokenEntry, newSecret: string, now?: number): RefreshTokenEntry {
    return this.#write(() => super.updateRefreshToken(entry, newSecret, now));
  }

  override modify<S extends CredentialType>(
    section: S,
    entry: CacheEntryBySection[S],
    changes: Readonly<Record<string, unknown>>,
  ): CacheEntryBySection[S] {
    return this.#write(() => super.modify(section, entry, changes));
  }

  override remove<S extends CredentialType>(section: S, entry: CacheEntryBySection[S]): boolean {
    return this.#write(() => super.remove(section, entry));
  }

  override count(): SectionCounts {
    this.#read();
    return super.count();
  }

  /**
   * Replaces the whole cache, in the file too, with a previously serialized state (under the
   * lock, like every write): what other processes added is replaced as well.
   *
   * @param state The JSON text; empty, `null` or `undefined` means an empty cache.
   * @throws {@link MsalError} `ERR_CACHE_FORMAT` for text that is not a token cache (nothing is
   *   written then); the errors of any write.
   */
  override deserialize(state: string | null | undefined): void {
    this.#write(() => {
      super.deserialize(state);
      this.hasStateChanged = true;
    });
  }

  /**
   * The cache as JSON text, as the file holds it now (reloaded first if another process changed
   * it), decrypted.
   *
   * @returns The JSON text.
   */
  override serialize(): string {
    this.#read();
    return super.serialize();
  }

  #read(): void {
    if (this.#depth === 0) this.#file.refresh(this.#load);
  }

  /** Runs a change under the lock on the latest state of the file, and saves it if it changed anything. */
  #write<T>(operation: () => T): T {
    if (this.#depth > 0) return operation();
    let result!: T;
    this.#depth++;
    try {
      this.#file.update(this.#load, () => {
        this.hasStateChanged = false;
        result = operation();
        return this.hasStateChanged ? super.serialize() : undefined;
      });
    } finally {
      this.#depth--;
    }
    return result;
  }

  #replaceState(text: string | null): void {
    try {
      super.deserialize(text);
    } catch (error) {
      if (error instanceof MsalError && error.code === "ERR_CACHE_FORMAT") {
        throw new MsalError(
          "ERR_CACHE_FORMAT",
          `${this.#file.what} is not a token cache: ${error.message} It was left as it is; repair or delete it.`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
