/**
 * The distributed token cache: partitions of the unified cache in Redis, opened per request.
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import type { Logger, SerializableTokenCache } from "@msal-ts/msal";
import { MsalError } from "@msal-ts/msal";
import { RedisTokenCacheError, describeCause } from "./errors.js";
import { LocalPartitionCache } from "./local-cache.js";
import { userPartitionKey } from "./partition-keys.js";
import {
  EMPTY_SNAPSHOT,
  PartitionFormatError,
  applyDiff,
  diffPartition,
  isRecord,
  partitionExpiry,
  setOwn,
  snapshotFromHash,
  stateOf,
} from "./partition-state.js";
import type { PartitionSnapshot } from "./partition-state.js";
import { cacheChanged, cacheState, openCache } from "./partition-token-cache.js";
import type { PartitionTokenCache } from "./partition-token-cache.js";
import { READ_SCRIPT, WRITE_SCRIPT, runScript } from "./scripts.js";
import type { RedisScriptClient } from "./scripts.js";

/** Options of {@link RedisTokenCacheStore}. */
export interface RedisTokenCacheStoreOptions {
  /**
   * Put in front of every partition key to make the Redis key; lets several apps or environments
   * share one Redis.
   *
   * @default "msal:"
   */
  readonly prefix?: string;
  /**
   * Seconds a refresh token is kept after it was last written (issued or redeemed). The cache
   * schema gives refresh tokens no expiry; Entra's expire after 90 days without use.
   *
   * @default 7776000 (90 days)
   */
  readonly refreshTokenLifetime?: number;
  /**
   * The in-process copy of recently used partitions, or `false` for none. A copy is used only
   * after Redis confirmed it is current (every open costs one round trip either way); it saves
   * transferring and parsing the partition.
   *
   * @default { maxEntries: 1000, maxAge: 300 }
   */
  readonly localCache?:
    | false
    | {
        /** How many partitions are held, least recently used dropped first; `0` holds none. Default 1000. */
        readonly maxEntries?: number;
        /** Seconds a copy is held after it was fetched or written; an older one is fetched again. Default 300. */
        readonly maxAge?: number;
      };
  /** Diagnostics. Tokens and partition keys (which may name users) are never passed to it. */
  readonly logger?: Logger;
}

/**
 * A partition opened for one request: its cache, and the way to write the cache's changes back.
 * {@link RedisTokenCacheStore.withPartition} does both around a callback; use this in a framework
 * that loads at the start of a request and saves at its end.
 *
 * @example
 * ```ts
 * const session = await store.open(userPartitionKey(homeAccountId));
 * const app = new ConfidentialClientApplication(clientId, { clientCredential, authority, tokenCache: session.cache });
 * const result = await app.acquireTokenSilent(["User.Read"], account);
 * await session.save();
 * ```
 */
export interface PartitionSession {
  /** The partition key it was opened with. */
  readonly partitionKey: string;
  /** The partition's tokens, for one application (`tokenCache` option) or directly. */
  readonly cache: SerializableTokenCache;
  /**
   * Writes what changed in {@link PartitionSession.cache} since it was opened (or last saved)
   * back to Redis, entry by entry, merged with whatever other instances wrote meanwhile; nothing
   * is lost on either side. Refreshes the partition's TTL from its tokens' expiry.
   *
   * @returns Whether anything was written.
   * @throws {@link RedisTokenCacheError} `ERR_REDIS_COMMAND` when Redis cannot be reached.
   */
  save(): Promise<boolean>;
}

const DEFAULT_PREFIX = "msal:";
const DEFAULT_RT_LIFETIME = 90 * 24 * 3600;
const DEFAULT_LOCAL_ENTRIES = 1000;
const DEFAULT_LOCAL_AGE = 300;
/** A version no partition has: a base that must not be taken for the partition's exact state. */
const UNKNOWN_VERSION = "\u0000unknown";

function badOption(message: string): TypeError {
  const e = new TypeError(message);
  (e as TypeError & { code: string }).code = "ERR_INVALID_ARG_VALUE";
  return e;
}

function checkPartitionKey(partitionKey: unknown): asserts partitionKey is string {
  if (typeof partitionKey !== "string" || partitionKey === "") {
    const e = new TypeError("partitionKey must be a non-empty string, e.g. userPartitionKey(account.home_account_id)");
    (e as TypeError & { code: string }).code = "ERR_INVALID_ARG_TYPE";
    throw e;
  }
}

function checkClient(client: unknown): asserts client is RedisScriptClient {
  const c = client as Partial<RedisScriptClient> | null;
  if (typeof c !== "object" || c === null || typeof c.eval !== "function" || typeof c.evalSha !== "function" || typeof c.del !== "function") {
    const e = new TypeError("client must be a connected node-redis client: createClient(), createClientPool() or createCluster() from \"redis\"");
    (e as TypeError & { code: string }).code = "ERR_INVALID_ARG_TYPE";
    throw e;
  }
}

/**
 * A token cache for apps that run on many machines: the unified MSAL cache, split into small
 * partitions (one per user, one per app and tenant, one per on-behalf-of assertion) kept in Redis.
 *
 * A request opens the partition it needs, hands its cache to an application, and writes back
 * what changed. Writes are entry by entry and atomic (a Lua script), so instances that update
 * the same partition at the same time never lose each other's tokens, and a removal never takes
 * away an entry another instance wrote since. Each partition expires in Redis when its last token
 * does (a refresh token after {@link RedisTokenCacheStoreOptions.refreshTokenLifetime}), so Redis
 * does not grow forever. Recently used partitions are kept in process, and used only after Redis
 * confirms they are current.
 *
 * The store does not own the client: connect it first, listen for its `error` events, close it
 * when the app stops.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { ConfidentialClientApplication } from "@msal-ts/msal";
 * import { RedisTokenCacheStore, userPartitionKey } from "@msal-ts/redis-cache";
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).on("error", console.error).connect();
 * const store = new RedisTokenCacheStore(redis);
 *
 * // In a request handler, for the signed-in user:
 * const result = await store.withPartition(userPartitionKey(session.homeAccountId), async (cache) => {
 *   const app = new ConfidentialClientApplication(clientId, { clientCredential, authority, tokenCache: cache });
 *   const [account] = await app.getAccounts();
 *   return account ? app.acquireTokenSilent(["User.Read"], account) : null;
 * });
 * ```
 */
export class RedisTokenCacheStore {
  readonly #client: RedisScriptClient;
  readonly #prefix: string;
  readonly #refreshTokenLifetime: number;
  readonly #local: LocalPartitionCache;
  readonly #log: Logger | undefined;

  /**
   * @param client A connected node-redis client (`createClient()`), client pool or cluster client.
   * @param options Prefix, refresh-token lifetime, the in-process copy, logger.
   * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a client without the
   *   needed commands or an option out of range.
   */
  constructor(client: RedisScriptClient, options: RedisTokenCacheStoreOptions = {}) {
    checkClient(client);
    if (typeof options !== "object" || options === null) throw badOption("options must be an object");
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    if (typeof prefix !== "string") throw badOption("prefix must be a string, e.g. \"msal:\"");
    const lifetime = options.refreshTokenLifetime ?? DEFAULT_RT_LIFETIME;
    if (typeof lifetime !== "number" || !(lifetime > 0) || !Number.isFinite(lifetime)) {
      throw badOption("refreshTokenLifetime must be a positive number of seconds");
    }
    const local = options.localCache === false ? { maxEntries: 0 } : (options.localCache ?? {});
    const maxEntries = local.maxEntries ?? DEFAULT_LOCAL_ENTRIES;
    const maxAge = local.maxAge ?? DEFAULT_LOCAL_AGE;
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw badOption("localCache.maxEntries must be an integer, 0 or more");
    if (typeof maxAge !== "number" || !(maxAge > 0)) throw badOption("localCache.maxAge must be a positive number of seconds");
    this.#client = client;
    this.#prefix = prefix;
    this.#refreshTokenLifetime = lifetime;
    this.#local = new LocalPartitionCache(maxEntries, maxAge * 1000);
    this.#log = options.logger;
  }

  /**
   * The Redis key of a partition: the prefix, then the partition key. For operations (inspecting a
   * partition's TTL, say); the hash's layout is this package's own.
   *
   * @param partitionKey A key from {@link userPartitionKey}, {@link appPartitionKey} or {@link oboPartitionKey}.
   * @returns The Redis key.
   *
   * @example
   * ```ts
   * const ttlMs = await redis.pTTL(store.redisKey(appPartitionKey(clientId, tenantId)));
   * ```
   */
  redisKey(partitionKey: string): string {
    checkPartitionKey(partitionKey);
    return this.#prefix + partitionKey;
  }

  /**
   * Opens a partition, runs `callback` with its cache, and writes back what the callback changed
   * (only if it changed something). Build the request's application on the cache inside the
   * callback; the cache is not to be used after the callback's promise settles.
   *
   * If the callback throws, nothing is written and the error propagates.
   *
   * @param partitionKey Which partition: {@link userPartitionKey}, {@link appPartitionKey} or {@link oboPartitionKey}.
   * @param callback Works with the cache; its result is returned.
   * @returns What the callback returned.
   * @throws {@link RedisTokenCacheError} `ERR_REDIS_COMMAND` when Redis cannot be reached (before
   *   the callback runs, or when writing back: then what the callback got is not kept),
   *   `ERR_REDIS_CACHE_FORMAT` when the partition holds data this package cannot read.
   *
   * @example
   * ```ts
   * const result = await store.withPartition(appPartitionKey(clientId, tenantId), (cache) =>
   *   new ConfidentialClientApplication(clientId, { clientCredential, authority, tokenCache: cache })
   *     .acquireTokenForClient(["https://graph.microsoft.com/.default"]),
   * );
   * ```
   */
  async withPartition<T>(partitionKey: string, callback: (cache: SerializableTokenCache) => T | Promise<T>): Promise<T> {
    if (typeof callback !== "function") throw badOption("callback must be a function that uses the cache");
    const session = await this.open(partitionKey);
    const result = await callback(session.cache);
    await session.save();
    return result;
  }

  /**
   * Opens a partition for a request; write the changes back with {@link PartitionSession.save}.
   *
   * @param partitionKey Which partition.
   * @returns The session.
   * @throws {@link RedisTokenCacheError} as {@link withPartition} does.
   *
   * @example
   * ```ts
   * app.use(async (req, res, next) => {
   *   if (!req.session.homeAccountId) return next();
   *   req.tokens = await store.open(userPartitionKey(req.session.homeAccountId));
   *   res.on("finish", () => void req.tokens.save().catch(console.error));
   *   next();
   * });
   * ```
   */
  async open(partitionKey: string): Promise<PartitionSession> {
    const redisKey = this.redisKey(partitionKey);
    const snapshot = await this.#read(redisKey, partitionKey);
    let cache: PartitionTokenCache;
    try {
      cache = openCache(stateOf(snapshot.fields));
    } catch (e) {
      this.#local.delete(redisKey);
      throw new RedisTokenCacheError(
        "ERR_REDIS_CACHE_FORMAT",
        `The token cache partition in Redis cannot be read: ${e instanceof MsalError ? e.message : describeCause(e)} ` +
          "Remove it (removePartition) to start it afresh.",
        partitionKey,
        { cause: e },
      );
    }
    let base = snapshot;
    let saving: Promise<boolean> = Promise.resolve(false);
    const saveOnce = async (): Promise<boolean> => {
      if (!cacheChanged(cache)) return false;
      const after = cacheState(cache);
      const written = await this.#write(redisKey, partitionKey, base, after);
      base = written.next;
      return written.written;
    };
    return {
      partitionKey,
      cache,
      // One save at a time, each diffing against what the previous one left.
      save: () => (saving = saving.then(saveOnce, saveOnce)),
    };
  }

  /**
   * Runs a call that signs a user in (auth code, device code, username and password) on an empty
   * cache, then files what it wrote into the partition of each account it signed in
   * ({@link userPartitionKey}), merged with what is there. Use it when the partition is not known
   * yet; every later request knows the account and uses {@link withPartition}.
   *
   * App metadata goes to every such partition. Entries of no account (app tokens) are not kept:
   * those belong in an {@link appPartitionKey} partition.
   *
   * @param callback Signs the user in with an application built on the cache.
   * @returns What the callback returned.
   * @throws {@link RedisTokenCacheError} `ERR_REDIS_COMMAND` when Redis cannot be reached.
   *
   * @example
   * ```ts
   * const { result, account } = await store.withSignIn(async (cache) => {
   *   const app = new ConfidentialClientApplication(clientId, { clientCredential, authority, tokenCache: cache });
   *   const result = await app.acquireTokenByAuthCodeFlow(req.session.flow, req.query);
   *   const [account] = await app.getAccounts();
   *   return { result, account };
   * });
   * if (account) req.session.homeAccountId = account.home_account_id;
   * ```
   */
  async withSignIn<T>(callback: (cache: SerializableTokenCache) => T | Promise<T>): Promise<T> {
    if (typeof callback !== "function") throw badOption("callback must be a function that uses the cache");
    const cache = openCache({});
    const result = await callback(cache);
    if (!cacheChanged(cache)) return result;
    const { accounts, skipped } = splitByAccount(cacheState(cache));
    if (skipped > 0) {
      this.#log?.("warning", `withSignIn: ${skipped} cache entries of no account were not stored; app tokens belong in an appPartitionKey partition.`);
    }
    // Not read first: what is there is unknown, so the write merges (and never shortens the TTL).
    const base: PartitionSnapshot = { version: UNKNOWN_VERSION, fields: EMPTY_SNAPSHOT.fields };
    await Promise.all(
      [...accounts].map(([home, state]) => {
        const partitionKey = userPartitionKey(home);
        return this.#write(this.redisKey(partitionKey), partitionKey, base, state);
      }),
    );
    return result;
  }

  /**
   * Deletes a partition (a user signing out everywhere, say).
   *
   * @param partitionKey Which partition.
   * @returns Whether it existed.
   * @throws {@link RedisTokenCacheError} `ERR_REDIS_COMMAND` when Redis cannot be reached.
   *
   * @example
   * ```ts
   * await store.removePartition(userPartitionKey(req.session.homeAccountId));
   * ```
   */
  async removePartition(partitionKey: string): Promise<boolean> {
    const redisKey = this.redisKey(partitionKey);
    try {
      return Number(await this.#client.del(redisKey)) > 0;
    } catch (e) {
      throw new RedisTokenCacheError("ERR_REDIS_COMMAND", `Removing the token cache partition from Redis failed: ${describeCause(e)}`, partitionKey, {
        cause: e,
      });
    } finally {
      this.#local.delete(redisKey);
    }
  }

  /** The partition as Redis has it, through the in-process copy when that is current. */
  async #read(redisKey: string, partitionKey: string): Promise<PartitionSnapshot> {
    const now = Date.now();
    const held = this.#local.get(redisKey, now);
    let reply: unknown;
    try {
      reply = await runScript(this.#client, READ_SCRIPT, redisKey, [held?.version ?? ""]);
    } catch (e) {
      throw new RedisTokenCacheError("ERR_REDIS_COMMAND", `Reading the token cache partition from Redis failed: ${describeCause(e)}`, partitionKey, {
        cause: e,
      });
    }
    if (held !== undefined && reply === held.version) return held;
    if (!Array.isArray(reply)) {
      throw new RedisTokenCacheError(
        "ERR_REDIS_CACHE_FORMAT",
        "Redis answered the read of a token cache partition with neither a version nor a hash; is the client set to map strings to Buffers?",
        partitionKey,
      );
    }
    let snapshot: PartitionSnapshot;
    try {
      snapshot = snapshotFromHash(reply);
    } catch (e) {
      this.#local.delete(redisKey);
      if (!(e instanceof PartitionFormatError)) throw e;
      throw new RedisTokenCacheError(
        "ERR_REDIS_CACHE_FORMAT",
        `The token cache partition in Redis cannot be read: ${e.message} Remove it (removePartition) to start it afresh.`,
        partitionKey,
        { cause: e },
      );
    }
    if (snapshot.version) this.#local.set(redisKey, snapshot, now);
    else this.#local.delete(redisKey);
    return snapshot;
  }

  /** Writes the difference between `base` and `after`; returns the new base for a later write. */
  async #write(
    redisKey: string,
    partitionKey: string,
    base: PartitionSnapshot,
    after: Readonly<Record<string, unknown>>,
  ): Promise<{ written: boolean; next: PartitionSnapshot }> {
    const diff = diffPartition(base.fields, after);
    if (diff.sets.length === 0 && diff.deletes.length === 0) return { written: false, next: base };
    const now = Date.now();
    const expiry = partitionExpiry(after, Math.floor(now / 1000), this.#refreshTokenLifetime);
    const ttlMs = expiry === undefined ? 0 : Math.max(0, expiry * 1000 - now);
    const version = randomBytes(12).toString("base64url");
    const args = [base.version, version, String(ttlMs), String(diff.sets.length)];
    for (const { field, stored } of diff.sets) args.push(field, stored.raw);
    for (const { field, expected } of diff.deletes) args.push(field, expected);
    let outcome: unknown;
    try {
      outcome = await runScript(this.#client, WRITE_SCRIPT, redisKey, args);
    } catch (e) {
      this.#local.delete(redisKey);
      throw new RedisTokenCacheError("ERR_REDIS_COMMAND", `Writing the token cache partition to Redis failed: ${describeCause(e)}`, partitionKey, {
        cause: e,
      });
    }
    const fields = applyDiff(base.fields, diff);
    if (outcome === "exact") {
      const next = { version, fields };
      this.#local.set(redisKey, next, Date.now());
      return { written: true, next };
    }
    this.#local.delete(redisKey);
    if (outcome === "deleted") return { written: true, next: EMPTY_SNAPSHOT };
    if (base.version !== UNKNOWN_VERSION) {
      this.#log?.("verbose", "Another instance wrote the token cache partition since it was read; the changes were merged entry by entry.");
    }
    return { written: true, next: { version: UNKNOWN_VERSION, fields } };
  }
}

/**
 * Splits a signed-in cache by account: each account's entries, plus the app metadata for all.
 *
 * @returns The documents by `home_account_id`, and how many entries belonged to no account.
 */
function splitByAccount(state: Readonly<Record<string, unknown>>): { accounts: Map<string, Record<string, Record<string, unknown>>>; skipped: number } {
  const accounts = new Map<string, Record<string, Record<string, unknown>>>();
  const shared: [string, string, unknown][] = [];
  let skipped = 0;
  for (const [section, entries] of Object.entries(state)) {
    if (!isRecord(entries)) {
      skipped++;
      continue;
    }
    for (const [key, entry] of Object.entries(entries)) {
      const home = isRecord(entry) ? entry["home_account_id"] : undefined;
      if (typeof home === "string" && home !== "") {
        let doc = accounts.get(home);
        if (doc === undefined) accounts.set(home, (doc = {}));
        setOwn((doc[section] ??= {}), key, entry);
      } else if (section === "AppMetadata") {
        shared.push([section, key, entry]);
      } else {
        skipped++;
      }
    }
  }
  for (const doc of accounts.values()) for (const [section, key, entry] of shared) setOwn((doc[section] ??= {}), key, entry);
  return { accounts, skipped };
}
