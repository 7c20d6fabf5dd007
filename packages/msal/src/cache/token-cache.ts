/**
 * The unified token cache, in memory.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { invalidArgType } from "../errors.js";
import type { AccessTokenEntry, AccountEntry, AppMetadataEntry, CacheEntryBySection, IdTokenEntry, RefreshTokenEntry } from "./cache-entries.js";
import { RecentKeys, accessTokenKey, cacheKeyFor } from "./cache-keys.js";
import { groupHas, groupKeys, groupSize } from "./access-token-index.js";
import type { KeyGroup } from "./access-token-index.js";
import { CacheStore, indexPart, sameFields, scopesOf } from "./cache-store.js";
import type { StoredEntry } from "./cache-store.js";
import { CredentialType, isCredentialType } from "./credential-type.js";
import { entriesFromEvent } from "./entries-from-event.js";
import { nowSeconds, parseSeconds } from "./seconds.js";
import type { TokenCacheEvent } from "./token-cache-event.js";

/** What {@link TokenCache.findAccessToken} looks for. */
export interface AccessTokenQuery {
  /** `null` (or `""`) for an app-only token. */
  readonly home_account_id: string | null;
  /** The authority host the token was cached under, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The app the token was issued to. */
  readonly client_id: string;
  /** The tenant the token was issued in (the token endpoint's first path segment). */
  readonly realm: string;
  /** Every one must be in the token's target (compared case-insensitively); more are fine. */
  readonly scopes: readonly string[];
  /** When given, only a token bound to this key (SSH certificate, PoP) matches. */
  readonly key_id?: string;
  /**
   * When given, only a token of this type (compared case-insensitively; an entry without a type is
   * a `Bearer` one) matches. The application layer always passes it, so that bearer, PoP and
   * SSH-certificate tokens for the same scopes never answer for one another.
   */
  readonly token_type?: string;
}

/** How {@link TokenCache.findAccessToken} judges a token's remaining lifetime. */
export interface AccessTokenLookupOptions {
  /** Epoch seconds; defaults to the system clock. */
  readonly now?: number;
  /**
   * Skip (without deleting) tokens expiring within this many seconds; the application layer
   * passes 300. Default 0: any unexpired token.
   */
  readonly minRemainingSeconds?: number;
}

/**
 * What {@link TokenCache.findAccessTokenForUserAssertion} looks for: an on-behalf-of token, found by
 * the hash of the assertion it was obtained with rather than by account.
 */
export interface UserAssertionAccessTokenQuery extends Omit<AccessTokenQuery, "home_account_id"> {
  /** base64url SHA-256 of the incoming assertion (the `userAssertionHash` MSAL Node writes). */
  readonly user_assertion_hash: string;
}

/** What {@link TokenCache.findRefreshTokens} looks for. `realm` and `target` never matter for a refresh token. */
export interface RefreshTokenQuery {
  /** The account's `home_account_id`. */
  readonly home_account_id: string;
  /** The authority host the token was cached under, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** Only tokens issued to this client. */
  readonly client_id?: string;
  /** Only family tokens of this family (FOCI, `"1"`). */
  readonly family_id?: string;
}

/** What {@link TokenCache.findIdToken} looks for. */
export interface IdTokenQuery {
  /** The account's `home_account_id`. */
  readonly home_account_id: string;
  /** The authority host the token was cached under, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The tenant the token was issued in. */
  readonly realm: string;
  /** The app the token was issued to. */
  readonly client_id: string;
}

/** Identifies an account across tenants: what {@link TokenCache.removeAccount} removes. */
export interface AccountIdentity {
  /** The account's `home_account_id`. */
  readonly home_account_id: string;
  /** The authority host the account signed in through; other hosts' entries are left alone. */
  readonly environment: string;
}

/** How many entries each known section holds. */
export type SectionCounts = { readonly [section in CredentialType]: number };

type AccountScopedSection = "AccessToken" | "RefreshToken" | "IdToken" | "Account";

function sameIdentity(entryValue: unknown, queryValue: string | null): boolean {
  return indexPart(entryValue) === (queryValue ?? "");
}

const WHITESPACE = /\s/;

/** Lowercased, de-duplicated, blank-free: the form scopes are indexed in. */
function lowercasedScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 1) {
    // The common case, one scope with nothing to split, without a regular expression.
    const only = scopes[0] as string;
    if (only !== "" && !WHITESPACE.test(only)) return [only.toLowerCase()];
  }
  const out: string[] = [];
  for (const raw of scopes) {
    for (const part of raw.split(/\s+/)) {
      const scope = part.toLowerCase();
      if (scope !== "" && !out.includes(scope)) out.push(scope);
    }
  }
  return out;
}

/** The index narrows by these fields already; checking them again guards against a foreign entry's odd values. */
function matchesAccessTokenQuery(entry: StoredEntry, query: AccessTokenQuery): boolean {
  return (
    sameIdentity(entry["home_account_id"], query.home_account_id) &&
    entry["environment"] === query.environment &&
    entry["client_id"] === query.client_id &&
    entry["realm"] === query.realm
  );
}

/** Token types compare case-insensitively (AD FS says `bearer`); an entry without one is a bearer token. */
function sameTokenType(stored: unknown, wanted: string): boolean {
  const type = typeof stored === "string" && stored !== "" ? stored : "Bearer";
  return type === wanted || type.toLowerCase() === wanted.toLowerCase();
}

/** A remembered access-token hit: the query it answered, and the store version it was found in. */
interface LastHit {
  readonly store: CacheStore;
  readonly version: number;
  readonly scope: string;
  readonly clientId: string;
  readonly realm: string;
  readonly environment: string;
  readonly home: string | null;
  readonly tokenType: string | undefined;
  readonly keyId: string | undefined;
  readonly minRemaining: number;
  readonly now: number;
  readonly entry: StoredEntry;
}

/** A credential entry holds a token only when its `secret` is a non-empty string; another MSAL's entry may hold anything. */
function hasSecret(entry: StoredEntry): boolean {
  const secret = entry["secret"];
  return typeof secret === "string" && secret !== "";
}

/** What a lookup may do with an access token it looked at. */
const Verdict = { USABLE: 0, EXPIRED: 1, UNSUITABLE: 2, SHORT_LIVED: 3 } as const;
type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * Whether a token can be returned. Expiry is judged first, so an expired token is reported (and
 * deleted) whatever else is wrong with it, as in MSAL Python; a malformed one is merely unsuitable.
 */
function judgeAccessToken(entry: StoredEntry, query: AccessTokenQuery, now: number, minRemaining: number): Verdict {
  if (entry["credential_type"] !== CredentialType.ACCESS_TOKEN || !hasSecret(entry)) return Verdict.UNSUITABLE;
  const expiresOn = parseSeconds(entry["expires_on"]);
  if (expiresOn === undefined) return Verdict.UNSUITABLE;
  if (expiresOn <= now) return Verdict.EXPIRED;
  if (query.key_id !== undefined && entry["key_id"] !== query.key_id) return Verdict.UNSUITABLE;
  if (query.token_type !== undefined) {
    const stored = entry["token_type"];
    if (stored !== query.token_type && !sameTokenType(stored, query.token_type)) return Verdict.UNSUITABLE;
  }
  return expiresOn - now >= minRemaining ? Verdict.USABLE : Verdict.SHORT_LIVED;
}

/**
 * The unified token cache shared by every MSAL: AccessToken, RefreshToken, IdToken, Account and
 * AppMetadata entries in the schema's snake_case, with other MSALs' entries, fields and sections
 * kept as they are.
 *
 * Every lookup goes through an index on entry field values (never through recomputed keys, since
 * other MSALs key entries differently), so a hit costs the same in a cache of ten entries or ten
 * million. Lookups skip malformed foreign entries instead of throwing.
 *
 * Entries returned are the stored objects, frozen: change them through {@link modify},
 * {@link updateRefreshToken} or {@link remove}.
 */
export class TokenCache {
  #store = new CacheStore();
  /**
   * The last single-scope hit of {@link findAccessToken}. While the store has seen no write or
   * deletion and the clock has not gone back, the same query with the same margin has the same
   * answer (candidates passed over then can only have become less usable since), so a repeated
   * query, the common case of an app asking for its one token, skips the index walk.
   */
  #lastHit: LastHit | undefined;
  /** The keys of the entries written last, for the next write of the same entries. */
  readonly #recentKeys = new RecentKeys();
  /** The AppMetadata entry written last, and the state of its section then. */
  #lastAppMetadata: { readonly store: CacheStore; readonly version: number; readonly entry: StoredEntry } | undefined;

  /**
   * Writes the entries a successful token response yields, as MSAL Python's `TokenCache.add()`
   * does: an AccessToken, an Account, an IdToken, a RefreshToken (each when the response has
   * what it needs) and an AppMetadata. An entry replaces the one stored under the same key.
   *
   * @param event The token-obtaining event.
   * @param now Epoch seconds of the write (integer); defaults to the system clock.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a malformed event,
   *   {@link MsalError} `ERR_INVALID_RESPONSE` for an unreadable response; nothing is written then.
   */
  add(event: TokenCacheEvent, now?: number): void {
    const entries = entriesFromEvent(event, nowSeconds(now));
    const store = this.#store;
    for (const { section, entry } of entries) {
      if (section !== CredentialType.APP_METADATA) {
        store.put(section, this.#recentKeys.keyFor(section, entry), entry);
        continue;
      }
      // The app metadata an app writes with every token is the same each time: when the store
      // still holds the entry this cache wrote last, unchanged, there is nothing to look up.
      const last = this.#lastAppMetadata;
      if (last !== undefined && last.store === store && last.version === store.appMetadataVersion && sameFields(last.entry, entry)) continue;
      const stored = store.put(section, this.#recentKeys.keyFor(section, entry), entry);
      this.#lastAppMetadata = { store, version: store.appMetadataVersion, entry: stored };
    }
    this.stateChanged();
  }

  /**
   * Finds an access token for a request: a token of the same account, environment, client and
   * realm whose target is a superset of the scopes. Among several, the one stored under the key
   * MSAL Python would compute for exactly these scopes comes first, as Python's O(1) key lookup
   * precedes its scan; the candidates come from the scope index, so neither costs a scan.
   *
   * Scopes compare case-insensitively on both paths. MSAL Python's exact-key path is
   * case-insensitive (keys are lowercased) but its superset scan is not; we follow MSAL JS and
   * treat scopes as case-insensitive throughout.
   *
   * Expired tokens this lookup looks at (`expires_on` at or before `now`) are deleted. MSAL Python
   * deletes every expired access token of the whole cache when a search runs to completion; that
   * is a full scan, so we only drop the expired ones we touch, and the rest go when a lookup
   * reaches them or their key is overwritten. Entries whose `expires_on` is not an integer are
   * skipped and left alone.
   *
   * @param query What the token must be for.
   * @param options The clock (`now`, or a bare number meaning `now`) and `minRemainingSeconds`.
   * @returns The first usable token, or `undefined`. The caller decides about `refresh_on`.
   */
  findAccessToken(query: AccessTokenQuery, options?: AccessTokenLookupOptions | number): AccessTokenEntry | undefined {
    const now = nowSeconds(typeof options === "number" ? options : options?.now);
    const minRemaining = (typeof options === "number" ? undefined : options?.minRemainingSeconds) ?? 0;
    return this.#findWithin(query, now, minRemaining) ?? undefined;
  }

  /**
   * {@link findAccessToken} for the acquire methods: one walk of the candidates tells a miss that
   * found nothing from one that found only tokens with less than `minRemaining` seconds left (which
   * telemetry reports as expired, as MSAL Python does).
   *
   * @param query What the token must be for.
   * @param now Epoch seconds (an integer).
   * @param minRemaining The seconds a token must have left.
   * @returns The first usable token; `null` when no token was usable but one would have been with a
   *   smaller margin; `undefined` when none would have been.
   * @internal
   */
  findAccessTokenWithin(query: AccessTokenQuery, now: number, minRemaining: number): AccessTokenEntry | null | undefined {
    return this.#findWithin(query, now, minRemaining);
  }

  #findWithin(query: AccessTokenQuery, now: number, minRemaining: number): AccessTokenEntry | null | undefined {
    const memo = this.#lastHit;
    const single = query.scopes.length === 1;
    if (memo !== undefined && single) {
      if (
        memo.store === this.#store &&
        memo.version === this.#store.version &&
        memo.scope === query.scopes[0] &&
        memo.clientId === query.client_id &&
        memo.realm === query.realm &&
        memo.environment === query.environment &&
        memo.home === query.home_account_id &&
        memo.tokenType === query.token_type &&
        memo.keyId === query.key_id &&
        memo.minRemaining === minRemaining &&
        memo.now <= now &&
        judgeAccessToken(memo.entry, query, now, minRemaining) === Verdict.USABLE
      ) {
        return memo.entry as AccessTokenEntry;
      }
    }
    const found = this.#firstUsable(this.#accessTokenCandidates(query), query, now, minRemaining);
    if (found && single) {
      this.#lastHit = {
        store: this.#store,
        version: this.#store.version,
        scope: query.scopes[0] as string,
        clientId: query.client_id,
        realm: query.realm,
        environment: query.environment,
        home: query.home_account_id,
        tokenType: query.token_type,
        keyId: query.key_id,
        minRemaining,
        now,
        entry: found,
      };
    }
    return found;
  }

  /**
   * Finds an on-behalf-of access token by the assertion it was obtained with: a token of the same
   * environment, client and realm, carrying `userAssertionHash` equal to the query's, whose target
   * is a superset of the scopes. Expiry is judged as {@link findAccessToken} judges it.
   *
   * @param query What the token must be for, and the assertion's hash.
   * @param options The clock and `minRemainingSeconds`.
   * @returns The first usable token, or `undefined`.
   */
  findAccessTokenForUserAssertion(
    query: UserAssertionAccessTokenQuery,
    options?: AccessTokenLookupOptions | number,
  ): AccessTokenEntry | undefined {
    const wanted = lowercasedScopes(query.scopes);
    const keys = [...this.#store.accessTokenKeysByUserAssertion(query.user_assertion_hash)].filter((key) => {
      const entry = this.#store.get(CredentialType.ACCESS_TOKEN, key);
      if (entry === undefined || entry["userAssertionHash"] !== query.user_assertion_hash) return false;
      const granted = scopesOf(entry["target"]);
      return wanted.every((s) => granted.has(s));
    });
    return (
      this.#firstUsable(
        keys,
        (entry) => ({ ...query, home_account_id: typeof entry["home_account_id"] === "string" ? entry["home_account_id"] : null }),
        nowSeconds(typeof options === "number" ? options : options?.now),
        (typeof options === "number" ? undefined : options?.minRemainingSeconds) ?? 0,
      ) ?? undefined
    );
  }

  /**
   * Walks candidate keys in order; deletes the expired ones it met and returns the first usable
   * token, else `null` when it met a token that only lacked the margin, else `undefined`.
   */
  #firstUsable(
    keys: readonly string[],
    queryFor: AccessTokenQuery | ((entry: StoredEntry) => AccessTokenQuery),
    now: number,
    minRemaining: number,
  ): AccessTokenEntry | null | undefined {
    let found: StoredEntry | null | undefined;
    let expired: string[] | undefined;
    for (const key of keys) {
      const entry = this.#store.get(CredentialType.ACCESS_TOKEN, key);
      if (entry === undefined) continue;
      const query = typeof queryFor === "function" ? queryFor(entry) : queryFor;
      if (!matchesAccessTokenQuery(entry, query)) continue;
      const verdict = judgeAccessToken(entry, query, now, minRemaining);
      if (verdict === Verdict.USABLE) {
        found = entry;
        break;
      }
      if (verdict === Verdict.EXPIRED) (expired ??= []).push(key);
      else if (verdict === Verdict.SHORT_LIVED) found = null;
    }
    if (expired !== undefined) {
      for (const key of expired) this.#store.delete(CredentialType.ACCESS_TOKEN, key);
      this.stateChanged();
    }
    return found as AccessTokenEntry | null | undefined;
  }

  /**
   * Keys of the tokens that may answer a query, best first: those filed under the rarest
   * requested scope that the index also files under every other requested scope. A scope no
   * token has ends the search at once. When several qualify, the one under the key MSAL Python
   * would compute for these scopes goes first, as Python's O(1) path prefers it. Without scopes,
   * every token of the account is a candidate, as in MSAL Python.
   */
  #accessTokenCandidates(query: AccessTokenQuery): readonly string[] {
    const home = query.home_account_id ?? "";
    const only = query.scopes.length === 1 ? (query.scopes[0] as string) : "";
    if (only !== "" && !WHITESPACE.test(only)) {
      // One scope, the common case: its group is the answer, with no intersection to work out.
      const group = this.#store.accessTokenBucket(home, query.environment, query.client_id, query.realm)?.get(only.toLowerCase());
      if (group === undefined) return [];
      if (typeof group === "string") return [group];
      return this.#exactFirst([...group], query);
    }
    const wanted = lowercasedScopes(query.scopes);
    if (wanted.length === 0) return [...this.#store.keysByAccount(CredentialType.ACCESS_TOKEN, home, query.environment)];
    const bucket = this.#store.accessTokenBucket(home, query.environment, query.client_id, query.realm);
    if (bucket === undefined) return [];
    const groups: KeyGroup[] = [];
    let rarest = 0;
    for (const scope of wanted) {
      const group = bucket.get(scope);
      if (group === undefined) return [];
      if (groupSize(group) < groupSize(groups[rarest])) rarest = groups.length;
      groups.push(group);
    }
    const keys: string[] = [];
    // Copied out, because the caller deletes expired entries once the walk is over.
    for (const key of groupKeys(groups[rarest])) {
      let all = true;
      for (let i = 0; all && i < groups.length; i++) all = i === rarest || groupHas(groups[i], key);
      if (all) keys.push(key);
    }
    return this.#exactFirst(keys, query);
  }

  /** Moves the key MSAL Python would compute for exactly the query's scopes to the front. */
  #exactFirst(keys: string[], query: AccessTokenQuery): string[] {
    if (keys.length > 1) {
      const exact = accessTokenKey({ ...query, target: [...query.scopes].sort().join(" ") });
      const at = keys.indexOf(exact);
      if (at > 0) keys.unshift(...keys.splice(at, 1));
    }
    return keys;
  }

  /**
   * Finds the refresh tokens of an account, as MSAL Python's silent flow tries them: newest first
   * by `last_modification_time` (a missing or malformed one counts as oldest).
   *
   * @param query The account, and optionally the client or family the token must belong to.
   * @returns The matching tokens; empty when none.
   */
  findRefreshTokens(query: RefreshTokenQuery): RefreshTokenEntry[] {
    const found: Array<{ entry: StoredEntry; modified: number }> = [];
    for (const key of this.#store.keysByAccount(CredentialType.REFRESH_TOKEN, query.home_account_id, query.environment)) {
      const entry = this.#store.get(CredentialType.REFRESH_TOKEN, key);
      if (entry === undefined || !hasSecret(entry)) continue;
      if (entry["home_account_id"] !== query.home_account_id || entry["environment"] !== query.environment) continue;
      if (query.client_id !== undefined && entry["client_id"] !== query.client_id) continue;
      if (query.family_id !== undefined && entry["family_id"] !== query.family_id) continue;
      found.push({ entry, modified: parseSeconds(entry["last_modification_time"]) ?? 0 });
    }
    // Array#sort is stable: equally old tokens keep the cache's order, as in Python.
    found.sort((a, b) => b.modified - a.modified);
    return found.map((f) => f.entry as RefreshTokenEntry);
  }

  /**
   * Finds the ID token of an account in one tenant, issued to one client.
   *
   * @param query The account, tenant and client.
   * @returns The entry, or `undefined`.
   */
  findIdToken(query: IdTokenQuery): IdTokenEntry | undefined {
    for (const key of this.#store.keysByAccount(CredentialType.ID_TOKEN, query.home_account_id, query.environment)) {
      const entry = this.#store.get(CredentialType.ID_TOKEN, key);
      if (
        entry !== undefined &&
        hasSecret(entry) &&
        entry["home_account_id"] === query.home_account_id &&
        entry["environment"] === query.environment &&
        entry["realm"] === query.realm &&
        entry["client_id"] === query.client_id
      ) {
        return entry as IdTokenEntry;
      }
    }
    return undefined;
  }

  /**
   * Lists Account entries (one per account and tenant; the application layer groups them).
   *
   * @param environment Only accounts of this authority host; all accounts when omitted.
   * @returns The entries with a string `home_account_id`, in cache order.
   */
  getAccounts(environment?: string): AccountEntry[] {
    const out: AccountEntry[] = [];
    const accept = (entry: StoredEntry | undefined): void => {
      if (entry !== undefined && typeof entry["home_account_id"] === "string" && typeof entry["environment"] === "string") {
        out.push(entry as AccountEntry);
      }
    };
    if (environment === undefined) {
      for (const entry of this.#store.section(CredentialType.ACCOUNT)?.values() ?? []) accept(entry);
    } else {
      for (const key of this.#store.accountKeysByEnvironment(environment)) {
        const entry = this.#store.get(CredentialType.ACCOUNT, key);
        if (entry?.["environment"] === environment) accept(entry);
      }
    }
    return out;
  }

  /**
   * Finds what this app recorded about itself in an environment.
   *
   * @param client_id The app's client id.
   * @param environment The authority host.
   * @returns The entry (its `family_id` tells FOCI membership), or `undefined` if the app never
   *   obtained a token there.
   */
  getAppMetadata(client_id: string, environment: string): AppMetadataEntry | undefined {
    for (const key of this.#store.appMetadataKeys(environment, client_id)) {
      const entry = this.#store.get(CredentialType.APP_METADATA, key);
      if (entry?.["client_id"] === client_id && entry["environment"] === environment) return entry as AppMetadataEntry;
    }
    return undefined;
  }

  /**
   * Removes a confidential client's app-only access tokens (`home_account_id` null or empty) in
   * the given environments, as `remove_tokens_for_client()` does; user tokens stay.
   *
   * @param client_id The app's client id.
   * @param environments The authority host and its aliases.
   * @returns How many entries were removed.
   */
  removeAccessTokensForClient(client_id: string, environments: readonly string[]): number {
    let removed = 0;
    for (const environment of new Set(environments)) {
      const keys = [...this.#store.keysByAccount(CredentialType.ACCESS_TOKEN, "", environment)];
      for (const key of keys) {
        const entry = this.#store.get(CredentialType.ACCESS_TOKEN, key);
        if (entry !== undefined && entry["client_id"] === client_id && sameIdentity(entry["home_account_id"], null) && entry["environment"] === environment) {
          if (this.#store.delete(CredentialType.ACCESS_TOKEN, key)) removed++;
        }
      }
    }
    if (removed > 0) this.stateChanged();
    return removed;
  }

  /**
   * Signs an account out of this app and forgets it, in one environment and every tenant, as
   * MSAL Python's `remove_account()` does: refresh tokens of this client or of its family, every
   * access token (whatever its client: other apps keep their refresh tokens, so their SSO
   * survives), every ID token and every Account entry. AppMetadata stays; alias environments are
   * the caller's business.
   *
   * @param account The account's `home_account_id` and `environment`.
   * @param client_id The app's client id.
   * @param family_id The app's family; defaults to the `family_id` of this app's AppMetadata.
   * @returns How many entries were removed.
   */
  removeAccount(account: AccountIdentity, client_id: string, family_id?: string): number {
    if (typeof account !== "object" || account === null || typeof account.home_account_id !== "string" || typeof account.environment !== "string") {
      throw invalidArgType("account must have a string home_account_id and environment");
    }
    const family = family_id ?? this.getAppMetadata(client_id, account.environment)?.family_id;
    let removed = 0;
    const sections: AccountScopedSection[] = [CredentialType.REFRESH_TOKEN, CredentialType.ACCESS_TOKEN, CredentialType.ID_TOKEN, CredentialType.ACCOUNT];
    for (const section of sections) {
      const keys = [...this.#store.keysByAccount(section, account.home_account_id, account.environment)];
      for (const key of keys) {
        const entry = this.#store.get(section, key);
        if (entry === undefined || entry["home_account_id"] !== account.home_account_id || entry["environment"] !== account.environment) continue;
        // A precaution MSAL Python takes too: a cache shared with an unrelated app keeps that app's refresh tokens.
        if (section === CredentialType.REFRESH_TOKEN && entry["client_id"] !== client_id && !(family && entry["family_id"] === family)) continue;
        if (this.#store.delete(section, key)) removed++;
      }
    }
    if (removed > 0) this.stateChanged();
    return removed;
  }

  /**
   * Replaces a refresh token's secret in place after it was redeemed, wherever it is stored (a
   * family token used by a sibling app stays under the sibling's client id). If the entry is no
   * longer in the cache, it is written back with the new secret, as MSAL Python does.
   *
   * @param entry The refresh token that was used.
   * @param newSecret The refresh token the server returned.
   * @param now Epoch seconds for `last_modification_time`; defaults to the system clock.
   * @returns The stored entry.
   */
  updateRefreshToken(entry: RefreshTokenEntry, newSecret: string, now?: number): RefreshTokenEntry {
    if (typeof newSecret !== "string" || newSecret === "") throw invalidArgType("newSecret must be a non-empty string");
    return this.modify(CredentialType.REFRESH_TOKEN, entry, {
      secret: newSecret,
      last_modification_time: String(nowSeconds(now)),
    });
  }

  /**
   * Merges fields into an entry, keeping it under the key it is stored under (which, for an entry
   * another MSAL wrote, is not the key MSAL Python would compute). An entry not in the cache is
   * written under the key MSAL Python would use.
   *
   * @param section The entry's section.
   * @param entry The entry as found by a lookup (or an equal copy).
   * @param changes The fields to set.
   * @returns The stored entry.
   */
  modify<S extends CredentialType>(section: S, entry: CacheEntryBySection[S], changes: Readonly<Record<string, unknown>>): CacheEntryBySection[S] {
    checkSection(section);
    const key = this.#locate(section, entry) ?? cacheKeyFor(section, entry);
    const stored = this.#store.put(section, key, { ...(this.#store.get(section, key) ?? entry), ...changes });
    this.stateChanged();
    return stored as CacheEntryBySection[S];
  }

  /**
   * Removes one entry, wherever it is stored.
   *
   * @param section The entry's section.
   * @param entry The entry as found by a lookup (or an equal copy).
   * @returns `true` when it was in the cache.
   */
  remove<S extends CredentialType>(section: S, entry: CacheEntryBySection[S]): boolean {
    checkSection(section);
    const key = this.#locate(section, entry);
    if (key === undefined || !this.#store.delete(section, key)) return false;
    this.stateChanged();
    return true;
  }

  /**
   * How many entries each section holds, without iterating them.
   *
   * @returns Counts per section; 0 for a section never written.
   */
  count(): SectionCounts {
    return {
      AccessToken: this.#store.size(CredentialType.ACCESS_TOKEN),
      RefreshToken: this.#store.size(CredentialType.REFRESH_TOKEN),
      IdToken: this.#store.size(CredentialType.ID_TOKEN),
      Account: this.#store.size(CredentialType.ACCOUNT),
      AppMetadata: this.#store.size(CredentialType.APP_METADATA),
    };
  }

  /**
   * Called after every change to the cache's contents. A subclass overrides it to learn that
   * the state needs saving; the base does nothing.
   */
  protected stateChanged(): void {}

  /**
   * The whole state, unknown sections and fields included, for a subclass to serialize.
   *
   * @returns A plain object ready for `JSON.stringify`.
   */
  protected exportState(): Record<string, unknown> {
    return this.#store.toState();
  }

  /**
   * Replaces the whole state with a parsed cache document, for a subclass to deserialize. The
   * document is validated and indexed completely before it replaces anything.
   *
   * @param state The parsed JSON.
   * @throws {@link MsalError} `ERR_CACHE_FORMAT` for a malformed document; the state is unchanged then.
   */
  protected importState(state: unknown): void {
    this.#store = CacheStore.fromState(state);
  }

  /**
   * Finds the key an entry is stored under: the object itself first (lookups hand out the stored
   * objects), then an equal copy; by the key MSAL Python would compute, then through the indexes,
   * so entries under other MSALs' keys are found too.
   */
  #locate(section: CredentialType, entry: Readonly<Record<string, unknown>>): string | undefined {
    if (typeof entry !== "object" || entry === null) throw invalidArgType("entry must be an object");
    const computed = cacheKeyFor(section, entry);
    const atComputed = this.#store.get(section, computed);
    if (atComputed === entry) return computed;
    const candidates = [...this.#candidateKeys(section, entry)];
    for (const key of candidates) if (this.#store.get(section, key) === entry) return key;
    if (atComputed !== undefined && isDeepStrictEqual({ ...atComputed }, { ...entry })) return computed;
    for (const key of candidates) {
      const stored = this.#store.get(section, key);
      if (stored !== undefined && isDeepStrictEqual({ ...stored }, { ...entry })) return key;
    }
    return undefined;
  }

  /** The narrowest index bucket an entry with these fields would be filed in. */
  #candidateKeys(section: CredentialType, entry: Readonly<Record<string, unknown>>): Iterable<string> {
    const environment = indexPart(entry["environment"]);
    if (environment === undefined) return [];
    if (section === CredentialType.APP_METADATA) {
      const clientId = indexPart(entry["client_id"]);
      return clientId === undefined ? [] : this.#store.appMetadataKeys(environment, clientId);
    }
    const home = indexPart(entry["home_account_id"]);
    if (home === undefined) return [];
    if (section === CredentialType.ACCESS_TOKEN) {
      const clientId = indexPart(entry["client_id"]);
      const realm = indexPart(entry["realm"]);
      if (clientId !== undefined && realm !== undefined) {
        const [first = ""] = scopesOf(entry["target"]);
        return groupKeys(this.#store.accessTokenBucket(home, environment, clientId, realm)?.get(first));
      }
    }
    return this.#store.keysByAccount(section, home, environment);
  }
}

function checkSection(section: string): void {
  if (!isCredentialType(section)) throw invalidArgType(`section must be one of the CredentialType values, got ${JSON.stringify(section)}`);
}
