/**
 * The in-memory state of a token cache: the sections as parsed (unknown ones included) plus the
 * indexes that make lookups independent of the cache's size. Internal to the cache folder.
 *
 * @module
 */

import { MsalError } from "../errors.js";
import { CredentialType, isCredentialType } from "./credential-type.js";
import { AccessTokenIndex } from "./access-token-index.js";
import type { ScopeBucket } from "./access-token-index.js";
import { MultiIndex } from "./multi-index.js";

/** The entry fields any index is built from. */
const INDEXED_FIELDS = ["environment", "client_id", "home_account_id", "realm", "target", "userAssertionHash"] as const;
/** A stored entry. Frozen, so nobody can change an indexed field behind the indexes' back. */
export type StoredEntry = Readonly<Record<string, unknown>>;

/** Separates the parts of an index key; no field of a real entry contains it. */
const SEP = "\u0000";

/**
 * The index form of an identity field: `null`, absent and `""` are all "none" (MSAL Python writes
 * `null` for an app-only token's `home_account_id`, MSAL JS writes `""`). A non-string value
 * cannot equal any query, so such an entry is simply not indexed.
 *
 * @param value A field value.
 * @returns The string to index by, or `undefined` for an unindexable value.
 */
export function indexPart(value: unknown): string | undefined {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : undefined;
}

/**
 * The scopes of a `target`, lowercased and de-duplicated: scope matching is case-insensitive.
 *
 * @param target A `target` field value.
 * @returns The scopes; empty for an absent or malformed target.
 */
export function scopesOf(target: unknown): Set<string> {
  const out = new Set<string>();
  if (typeof target !== "string") return out;
  for (const s of target.split(/\s+/)) if (s !== "") out.add(s.toLowerCase());
  return out;
}

/**
 * Index key of the (home account, environment) pair.
 *
 * @param homeAccountId Index form of `home_account_id`.
 * @param environment Index form of `environment`.
 * @returns The composite.
 */
export function accountIndexKey(homeAccountId: string, environment: string): string {
  return homeAccountId + SEP + environment;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** Field values appear in no message, since they may be secrets; keys do, cut short. */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 120 ? `${key.slice(0, 117)}...` : key);
}

/** Whether two entries have the same fields with identical values (nested values compared by reference). */
export function sameFields(a: StoredEntry, b: Readonly<Record<string, unknown>>): boolean {
  let count = 0;
  for (const name in b) {
    const value = b[name];
    if (value !== a[name] || (value === undefined && !Object.hasOwn(a, name))) return false;
    count++;
  }
  // Entries are plain objects (literals, or parsed JSON): what for-in lists is their own fields.
  for (const _name in a) count--;
  return count === 0;
}

/**
 * Sections, entries and indexes, kept consistent on every write. It knows nothing of expiry or
 * matching rules; {@link TokenCache} does.
 */
export class CacheStore {
  /** Top-level keys in their original order: a known section holds a Map, anything else its JSON value. */
  readonly #top = new Map<string, unknown>();
  /** The AccessToken section, once it exists (the same Map as in `#top`): lookups skip `#top`. */
  #accessTokens: Map<string, StoredEntry> | undefined;
  #version = 0;
  #appMetadataVersion = 0;
  /** AccessToken: (home account, environment, client, realm) → scope → keys. Drives the superset search. */
  readonly #atByScope = new AccessTokenIndex();
  /** Per credential section: (home account, environment) → keys. Drives account-wide work. */
  readonly #byAccount: Record<"AccessToken" | "RefreshToken" | "IdToken" | "Account", MultiIndex> = {
    AccessToken: new MultiIndex(),
    RefreshToken: new MultiIndex(),
    IdToken: new MultiIndex(),
    Account: new MultiIndex(),
  };
  /** Account: environment → keys. */
  readonly #accountByEnvironment = new MultiIndex();
  /** AppMetadata: (environment, client) → keys. */
  readonly #appMetadataByClient = new MultiIndex();
  /** AccessToken: `userAssertionHash` (on-behalf-of tokens) → keys. */
  readonly #accessTokenByUserAssertion = new MultiIndex();

  /**
   * Builds a store from a parsed cache document, validating it completely first.
   *
   * @param state The parsed JSON.
   * @returns A new store; the caller swaps it in only once this returned.
   * @throws {@link MsalError} `ERR_CACHE_FORMAT` when the document is not an object, a known
   *   section is not an object, or an entry of a known section is not an object.
   */
  static fromState(state: unknown): CacheStore {
    if (!isRecord(state)) {
      throw new MsalError("ERR_CACHE_FORMAT", `A token cache must be a JSON object, but this one is ${kindOf(state)}.`);
    }
    // Validation and indexing share one pass (a million-entry section is slow to enumerate);
    // a failure throws this half-built store away, so the caller's store is never touched.
    const store = new CacheStore();
    for (const [name, section] of Object.entries(state)) {
      // Sections other MSALs add are theirs to shape; only the five known ones must be objects.
      if (!isCredentialType(name)) {
        store.#top.set(name, section);
        continue;
      }
      if (!isRecord(section)) {
        throw new MsalError("ERR_CACHE_FORMAT", `Section "${name}" of the token cache must be a JSON object of entries, but it is ${kindOf(section)}.`);
      }
      const entries = new Map<string, StoredEntry>();
      store.#top.set(name, entries);
      if (name === CredentialType.ACCESS_TOKEN) store.#accessTokens = entries;
      for (const [key, entry] of Object.entries(section)) {
        if (!isRecord(entry)) {
          throw new MsalError(
            "ERR_CACHE_FORMAT",
            `Entry ${quoteKey(key)} in section "${name}" of the token cache must be a JSON object, but it is ${kindOf(entry)}.`,
          );
        }
        store.put(name, key, entry);
      }
    }
    return store;
  }

  /**
   * The whole state as a plain object ready for `JSON.stringify`, unknown sections included.
   *
   * @returns A fresh object; entries are shared, frozen.
   */
  toState(): Record<string, unknown> {
    // Object.fromEntries defines own properties, so a key such as "__proto__" survives.
    return Object.fromEntries(
      [...this.#top].map(([name, value]) => [name, value instanceof Map ? Object.fromEntries(value) : value]),
    );
  }

  /**
   * The entries of a known section.
   *
   * @param section The section.
   * @returns Key → entry, or `undefined` when the section has never been written.
   */
  section(section: CredentialType): ReadonlyMap<string, StoredEntry> | undefined {
    const value = this.#top.get(section);
    return value instanceof Map ? (value as Map<string, StoredEntry>) : undefined;
  }

  /**
   * One entry by its stored key.
   *
   * @param section The section.
   * @param key The stored key.
   * @returns The entry, or `undefined`.
   */
  get(section: CredentialType, key: string): StoredEntry | undefined {
    return section === CredentialType.ACCESS_TOKEN ? this.#accessTokens?.get(key) : this.section(section)?.get(key);
  }

  /**
   * Counts the writes and deletions this store has seen: two equal readings of the same store
   * mean nothing in it changed in between, so a lookup remembered under the first still holds.
   */
  get version(): number {
    return this.#version;
  }

  /** Like {@link version}, for the AppMetadata section alone. */
  get appMetadataVersion(): number {
    return this.#appMetadataVersion;
  }

  /**
   * How many entries a section holds.
   *
   * @param section The section.
   * @returns The count, without iterating.
   */
  size(section: CredentialType): number {
    return this.section(section)?.size ?? 0;
  }

  /**
   * Stores an entry under a key, replacing (and un-indexing) whatever was there. The section is
   * created on first write, as MSAL Python does.
   *
   * @param section The section.
   * @param key The key to store under.
   * @param entry The entry; it is frozen in place.
   * @returns The stored (frozen) entry.
   */
  put(section: CredentialType, key: string, entry: Record<string, unknown>): StoredEntry {
    let entries = this.#top.get(section);
    if (!(entries instanceof Map)) {
      entries = new Map<string, StoredEntry>();
      this.#top.set(section, entries);
      if (section === CredentialType.ACCESS_TOKEN) this.#accessTokens = entries as Map<string, StoredEntry>;
    }
    const map = entries as Map<string, StoredEntry>;
    const old = map.get(key);
    // Rewriting an entry as it stands changes nothing: the stored object stays, so that a process
    // rewriting many caches' app metadata (or a token within the second it was issued) does not
    // keep replacing long-lived objects with new ones for the garbage collector to promote.
    if (old !== undefined && sameFields(old, entry)) return old;
    const stored = Object.freeze(entry);
    this.#version++;
    if (section === CredentialType.APP_METADATA) this.#appMetadataVersion++;
    // A token refreshed under the same key usually keeps every indexed field: then the indexes
    // already point at the key, and leaving them alone spares large Sets a delete + re-add
    // (which makes V8 rehash them).
    if (old !== undefined && INDEXED_FIELDS.every((f) => old[f] === stored[f])) {
      map.set(key, stored);
      return stored;
    }
    if (old !== undefined) this.#unindex(section, key, old);
    map.set(key, stored);
    this.#index(section, key, stored);
    return stored;
  }

  /**
   * Removes the entry stored under a key.
   *
   * @param section The section.
   * @param key The stored key.
   * @returns `true` when something was removed.
   */
  delete(section: CredentialType, key: string): boolean {
    const map = this.section(section) as Map<string, StoredEntry> | undefined;
    const old = map?.get(key);
    if (map === undefined || old === undefined) return false;
    this.#version++;
    if (section === CredentialType.APP_METADATA) this.#appMetadataVersion++;
    this.#unindex(section, key, old);
    map.delete(key);
    return true;
  }

  /**
   * The access tokens of one (home account, environment, client, realm), by lowercased scope.
   *
   * @param home Index form of `home_account_id` (`""` for app-only).
   * @param environment The environment.
   * @param clientId The client id.
   * @param realm The realm.
   * @returns The live bucket, or `undefined`; do not write to the store while iterating it.
   */
  accessTokenBucket(home: string, environment: string, clientId: string, realm: string): ScopeBucket | undefined {
    return this.#atByScope.bucket(home, environment, clientId, realm);
  }

  /**
   * Keys of a section's entries for one home account in one environment.
   *
   * @param section Any section but AppMetadata.
   * @param homeAccountId Index form of `home_account_id`.
   * @param environment The environment.
   * @returns The live key set; do not write to the store while iterating it.
   */
  keysByAccount(section: "AccessToken" | "RefreshToken" | "IdToken" | "Account", homeAccountId: string, environment: string): Iterable<string> {
    return this.#byAccount[section].get(accountIndexKey(homeAccountId, environment));
  }

  /**
   * Keys of the Account entries of one environment.
   *
   * @param environment The environment.
   * @returns The live key set.
   */
  accountKeysByEnvironment(environment: string): Iterable<string> {
    return this.#accountByEnvironment.get(environment);
  }

  /**
   * Keys of the AppMetadata entries of one client in one environment.
   *
   * @param environment The environment.
   * @param clientId The client id.
   * @returns The live key set.
   */
  appMetadataKeys(environment: string, clientId: string): Iterable<string> {
    return this.#appMetadataByClient.get(environment + SEP + clientId);
  }

  /**
   * Keys of the access tokens obtained on behalf of one incoming assertion.
   *
   * @param hash The assertion's `userAssertionHash`.
   * @returns The live key set.
   */
  accessTokenKeysByUserAssertion(hash: string): Iterable<string> {
    return this.#accessTokenByUserAssertion.get(hash);
  }

  #index(section: CredentialType, key: string, entry: StoredEntry): void {
    for (const [index, indexKey] of this.#indexKeysOf(section, entry)) index.add(indexKey, key);
    const filing = this.#accessTokenFiling(section, entry);
    if (filing !== undefined) this.#atByScope.add(...filing, key);
  }

  #unindex(section: CredentialType, key: string, entry: StoredEntry): void {
    for (const [index, indexKey] of this.#indexKeysOf(section, entry)) index.delete(indexKey, key);
    const filing = this.#accessTokenFiling(section, entry);
    if (filing !== undefined) this.#atByScope.delete(...filing, key);
  }

  /** One function lists an entry's index keys for both indexing and un-indexing, so they cannot drift apart. */
  #indexKeysOf(section: CredentialType, entry: StoredEntry): Array<[MultiIndex, string]> {
    const out: Array<[MultiIndex, string]> = [];
    const assertionHash = entry["userAssertionHash"];
    if (section === CredentialType.ACCESS_TOKEN && typeof assertionHash === "string" && assertionHash !== "") {
      out.push([this.#accessTokenByUserAssertion, assertionHash]);
    }
    const environment = indexPart(entry["environment"]);
    if (environment === undefined) return out;
    if (section === CredentialType.APP_METADATA) {
      const clientId = indexPart(entry["client_id"]);
      if (clientId !== undefined) out.push([this.#appMetadataByClient, environment + SEP + clientId]);
      return out;
    }
    if (section === CredentialType.ACCOUNT) out.push([this.#accountByEnvironment, environment]);
    const home = indexPart(entry["home_account_id"]);
    if (home !== undefined) out.push([this.#byAccount[section], accountIndexKey(home, environment)]);
    return out;
  }

  /** Where an access token is filed in the scope index; a targetless one under `""`, so it can still be located. */
  #accessTokenFiling(section: CredentialType, entry: StoredEntry): [string, string, string, string, Set<string>] | undefined {
    if (section !== CredentialType.ACCESS_TOKEN) return undefined;
    const home = indexPart(entry["home_account_id"]);
    const environment = indexPart(entry["environment"]);
    const clientId = indexPart(entry["client_id"]);
    const realm = indexPart(entry["realm"]);
    if (home === undefined || environment === undefined || clientId === undefined || realm === undefined) return undefined;
    const scopes = scopesOf(entry["target"]);
    if (scopes.size === 0) scopes.add("");
    return [home, environment, clientId, realm, scopes];
  }
}
