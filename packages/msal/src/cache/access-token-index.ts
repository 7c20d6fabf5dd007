/**
 * The index behind access-token lookups: (home account, environment, client, realm) → scope →
 * cache keys, as nested maps.
 *
 * @module
 */

/** The cache keys filed under one scope: a lone key inline, several in a set. */
export type KeyGroup = string | ReadonlySet<string>;

/** One bucket: every token of one account, environment, client and realm, by lowercased scope. */
export type ScopeBucket = ReadonlyMap<string, KeyGroup>;

type Bucket = Map<string, string | Set<string>>;

/**
 * How many keys a group holds.
 *
 * @param group A group, or `undefined` for a scope no token has.
 * @returns The count.
 */
export function groupSize(group: KeyGroup | undefined): number {
  if (group === undefined) return 0;
  return typeof group === "string" ? 1 : group.size;
}

/**
 * Whether a group holds a key.
 *
 * @param group A group, or `undefined`.
 * @param key A cache key.
 * @returns `true` when it does.
 */
export function groupHas(group: KeyGroup | undefined, key: string): boolean {
  if (group === undefined) return false;
  return typeof group === "string" ? group === key : group.has(key);
}

/**
 * The keys of a group.
 *
 * @param group A group, or `undefined`.
 * @returns The keys; the live set for a set, so do not change the index while iterating it.
 */
export function groupKeys(group: KeyGroup | undefined): Iterable<string> {
  if (group === undefined) return [];
  return typeof group === "string" ? [group] : group;
}

/**
 * Nested maps keyed by the entry's own field strings. A lookup then probes short strings the
 * caller already holds (its client id, tenant, scope) instead of hashing a freshly concatenated
 * composite key on every call, which costs several times more in a large map.
 */
export class AccessTokenIndex {
  readonly #root = new Map<string, Map<string, Map<string, Map<string, Bucket>>>>();
  // The bucket found last, and what it was found for: an application asks for the same account,
  // environment, client and realm call after call, and four map probes in a cache that has gone
  // cold (one of many applications') cost more than the rest of the lookup.
  #lastHome = "";
  #lastEnvironment = "";
  #lastClientId = "";
  #lastRealm = "";
  #lastBucket: Bucket | undefined;

  /**
   * The bucket of a query.
   *
   * @param home Index form of `home_account_id` (`""` for app-only).
   * @param environment The environment.
   * @param clientId The client id.
   * @param realm The realm.
   * @returns Scope → keys, or `undefined` when no token is filed there.
   */
  bucket(home: string, environment: string, clientId: string, realm: string): ScopeBucket | undefined {
    if (
      this.#lastBucket !== undefined &&
      realm === this.#lastRealm &&
      clientId === this.#lastClientId &&
      environment === this.#lastEnvironment &&
      home === this.#lastHome
    ) {
      return this.#lastBucket;
    }
    const bucket = this.#root.get(home)?.get(environment)?.get(clientId)?.get(realm);
    if (bucket !== undefined) {
      this.#lastHome = home;
      this.#lastEnvironment = environment;
      this.#lastClientId = clientId;
      this.#lastRealm = realm;
      this.#lastBucket = bucket;
    }
    return bucket;
  }

  /**
   * Files a key under each of its scopes.
   *
   * @param home Index form of `home_account_id`.
   * @param environment The environment.
   * @param clientId The client id.
   * @param realm The realm.
   * @param scopes Lowercased scopes (`""` for a targetless token).
   * @param key The cache key.
   */
  add(home: string, environment: string, clientId: string, realm: string, scopes: Iterable<string>, key: string): void {
    const byEnvironment = getOrCreate(this.#root, home);
    const byClient = getOrCreate(byEnvironment, environment);
    const byRealm = getOrCreate(byClient, clientId);
    let bucket = byRealm.get(realm);
    if (bucket === undefined) {
      bucket = new Map();
      byRealm.set(realm, bucket);
    }
    for (const scope of scopes) {
      const current = bucket.get(scope);
      if (current === undefined) bucket.set(scope, key);
      else if (typeof current === "string") {
        if (current !== key) bucket.set(scope, new Set([current, key]));
      } else current.add(key);
    }
  }

  /**
   * Unfiles a key from each of its scopes, pruning maps left empty.
   *
   * @param home Index form of `home_account_id`.
   * @param environment The environment.
   * @param clientId The client id.
   * @param realm The realm.
   * @param scopes The scopes it was filed under.
   * @param key The cache key.
   */
  delete(home: string, environment: string, clientId: string, realm: string, scopes: Iterable<string>, key: string): void {
    const byEnvironment = this.#root.get(home);
    const byClient = byEnvironment?.get(environment);
    const byRealm = byClient?.get(clientId);
    const bucket = byRealm?.get(realm);
    if (byEnvironment === undefined || byClient === undefined || byRealm === undefined || bucket === undefined) return;
    for (const scope of scopes) {
      const current = bucket.get(scope);
      if (current === undefined) continue;
      if (typeof current === "string") {
        if (current === key) bucket.delete(scope);
        continue;
      }
      current.delete(key);
      if (current.size === 1) {
        const [only] = current;
        if (only !== undefined) bucket.set(scope, only);
      } else if (current.size === 0) bucket.delete(scope);
    }
    if (bucket.size > 0) return;
    if (this.#lastBucket === bucket) this.#lastBucket = undefined;
    byRealm.delete(realm);
    if (byRealm.size > 0) return;
    byClient.delete(clientId);
    if (byClient.size > 0) return;
    byEnvironment.delete(environment);
    if (byEnvironment.size === 0) this.#root.delete(home);
  }
}

function getOrCreate<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let value = map.get(key);
  if (value === undefined) {
    value = new Map();
    map.set(key, value);
  }
  return value;
}
