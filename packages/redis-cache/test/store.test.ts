import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, beforeEach, describe, test } from "node:test";
import { SerializableTokenCache } from "@msal-ts/msal";
import { createClient, createClientPool } from "redis";
import type { Logger } from "@msal-ts/msal";
import { RedisTokenCacheError, RedisTokenCacheStore, appPartitionKey, userPartitionKey } from "../src/index.js";
import { CLIENT_ID, ENVIRONMENT, TENANT, addAppToken, addUserTokens, documentOf, secretsOf } from "./support/events.js";
import { connect, watched } from "./support/redis.js";
import type { Client } from "./support/redis.js";
import { startRedisServer } from "./support/redis-server.js";
import type { RedisServer } from "./support/redis-server.js";

let server: RedisServer;
let redis: Client;

before(async () => {
  server = await startRedisServer();
  redis = await connect(server.url);
});

after(async () => {
  redis.destroy();
  await server.stop();
});

beforeEach(async () => {
  await redis.flushAll();
});

const APP = appPartitionKey(CLIENT_ID, TENANT);
const ADELE = { uid: "adele", username: "adele@contoso.example" };
const ADELE_PARTITION = userPartitionKey(`adele.${TENANT}`);

/** Waits until Redis has dropped a key; fails after `seconds`. */
async function gone(key: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while ((await redis.exists(key)) === 1) {
    if (Date.now() > deadline) assert.fail(`${key} still exists after ${seconds} s (PTTL ${await redis.pTTL(key)})`);
    await sleep(100);
  }
}

describe("reading and writing partitions", () => {
  test("what one app instance writes, another reads", async () => {
    const first = new RedisTokenCacheStore(redis);
    const second = new RedisTokenCacheStore(redis);
    const written = await first.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE));
    const seen = await second.withPartition(ADELE_PARTITION, (cache) => ({
      accounts: cache.getAccounts().map((a) => a.home_account_id),
      secrets: secretsOf(cache, "AccessToken"),
      counts: cache.count(),
    }));
    assert.deepEqual(seen.accounts, [written.homeAccountId]);
    assert.deepEqual(seen.secrets, [written.accessToken]);
    assert.deepEqual(seen.counts, { AccessToken: 1, RefreshToken: 1, IdToken: 1, Account: 1, AppMetadata: 1 });
  });

  test("the partition is a hash: one field per entry, plus its version", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE));
    const hash = await redis.hGetAll(store.redisKey(ADELE_PARTITION));
    const fields = Object.keys(hash).sort();
    assert.equal(fields.length, 6);
    assert.ok(fields.includes("version"));
    assert.deepEqual(fields.filter((f) => f !== "version").map((f) => (JSON.parse(f) as string[])[0]).sort(), [
      "AccessToken", "Account", "AppMetadata", "IdToken", "RefreshToken",
    ]);
  });

  test("a callback that only reads writes nothing", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    const key = store.redisKey(APP);
    const version = await redis.hGet(key, "version");
    const found = await store.withPartition(APP, (cache) =>
      cache.findAccessToken({ home_account_id: null, environment: ENVIRONMENT, client_id: CLIENT_ID, realm: TENANT, scopes: ["api://a/.default"] }),
    );
    assert.ok(found);
    assert.equal(await redis.hGet(key, "version"), version);
  });

  test("a callback that throws writes nothing, and its error comes through", async () => {
    const store = new RedisTokenCacheStore(redis);
    await assert.rejects(
      store.withPartition(APP, (cache) => {
        addAppToken(cache, "api://a/.default");
        throw new Error("the request failed");
      }),
      /the request failed/,
    );
    assert.equal(await redis.exists(store.redisKey(APP)), 0);
  });

  test("the prefix makes the Redis key", async () => {
    const store = new RedisTokenCacheStore(redis, { prefix: "tenant-a:tokens:" });
    assert.equal(store.redisKey(APP), `tenant-a:tokens:${APP}`);
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    assert.equal(await redis.exists(`tenant-a:tokens:${APP}`), 1);
  });

  test("a session saves what changed since it was opened, and again what changed since that save", async () => {
    const store = new RedisTokenCacheStore(redis);
    const session = await store.open(APP);
    assert.equal(await session.save(), false);
    addAppToken(session.cache, "api://a/.default");
    assert.equal(await session.save(), true);
    assert.equal(await session.save(), false);
    addAppToken(session.cache, "api://b/.default");
    assert.equal(await session.save(), true);
    const other = await new RedisTokenCacheStore(redis).open(APP);
    assert.equal(other.cache.count().AccessToken, 2);
  });

  test("removePartition deletes it (a user signing out everywhere)", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE));
    assert.equal(await store.removePartition(ADELE_PARTITION), true);
    assert.equal(await store.removePartition(ADELE_PARTITION), false);
    assert.equal(await store.withPartition(ADELE_PARTITION, (cache) => cache.count().AccessToken), 0);
  });

  test("any node-redis client will do: RESP2 or RESP3, a single client or a pool", async () => {
    const resp2 = createClient({ url: server.url, RESP: 2 });
    const pool = createClientPool({ url: server.url });
    await Promise.all([resp2.connect(), pool.connect()]);
    try {
      const written = await new RedisTokenCacheStore(resp2).withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
      for (const client of [resp2, pool, redis]) {
        assert.deepEqual(await new RedisTokenCacheStore(client).withPartition(APP, (cache) => secretsOf(cache, "AccessToken")), [written]);
      }
    } finally {
      resp2.destroy();
      pool.destroy();
    }
  });

  test("a script Redis forgot (a restart, a failover) is sent again", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    await redis.scriptFlush();
    assert.equal(await store.withPartition(APP, (cache) => cache.count().AccessToken), 1);
  });
});

describe("instances writing the same partition at once", () => {
  test("two sessions open on one partition both keep their tokens", async () => {
    const a = await new RedisTokenCacheStore(redis).open(APP);
    const b = await new RedisTokenCacheStore(redis).open(APP);
    const tokenA = addAppToken(a.cache, "api://a/.default");
    const tokenB = addAppToken(b.cache, "api://b/.default");
    await a.save();
    await b.save();
    const cache = (await new RedisTokenCacheStore(redis).open(APP)).cache;
    assert.deepEqual(secretsOf(cache, "AccessToken").sort(), [tokenA, tokenB].sort());
  });

  test("a hundred concurrent requests of one process, each adding a token, lose none", async () => {
    const store = new RedisTokenCacheStore(redis);
    const tokens = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.withPartition(APP, (cache) => addAppToken(cache, `api://r${i}/.default`))),
    );
    const secrets = await store.withPartition(APP, (cache) => secretsOf(cache, "AccessToken"));
    assert.deepEqual(secrets.sort(), tokens.sort());
  });

  test("a removal does not take away what another instance wrote since", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(APP, (cache) => {
      addAppToken(cache, "api://a/.default");
      addAppToken(cache, "api://b/.default");
    });
    const query = (scope: string) => ({ home_account_id: null, environment: ENVIRONMENT, client_id: CLIENT_ID, realm: TENANT, scopes: [scope] });
    const remover = await store.open(APP);
    // Meanwhile another instance renews the token for "a".
    const renewed = await new RedisTokenCacheStore(redis).withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    for (const scope of ["api://a/.default", "api://b/.default"]) {
      const entry = remover.cache.findAccessToken(query(scope));
      assert.ok(entry);
      remover.cache.remove("AccessToken", entry);
    }
    await remover.save();
    const secrets = await store.withPartition(APP, (cache) => secretsOf(cache, "AccessToken"));
    assert.deepEqual(secrets, [renewed]);
  });

  test("a refresh token redeemed by two instances at once keeps one of the new secrets, and the rest of both writes", async () => {
    const store = new RedisTokenCacheStore(redis);
    const { homeAccountId } = await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE));
    const sessions = await Promise.all([store.open(ADELE_PARTITION), new RedisTokenCacheStore(redis).open(ADELE_PARTITION)]);
    const added = sessions.map((s, i) => {
      const [rt] = s.cache.findRefreshTokens({ home_account_id: homeAccountId, environment: ENVIRONMENT });
      assert.ok(rt);
      s.cache.updateRefreshToken(rt, `rt-redeemed-${i}`);
      return addUserTokens(s.cache, ADELE, { scopes: [`Scope${i}`], tag: String(i) }).accessToken;
    });
    await Promise.all(sessions.map((s) => s.save()));
    const cache = (await store.open(ADELE_PARTITION)).cache;
    const rtSecrets = secretsOf(cache, "RefreshToken");
    assert.ok(rtSecrets.some((s) => s === "rt-redeemed-0" || s === "rt-redeemed-1"), rtSecrets.join());
    for (const token of added) assert.ok(secretsOf(cache, "AccessToken").includes(token));
  });
});

describe("the in-process copy", () => {
  test("a current copy costs a version check; a write elsewhere is seen at once", async () => {
    const { client, watch } = watched(redis);
    const store = new RedisTokenCacheStore(client);
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    assert.deepEqual(watch.replies, ["hash", "exact"]);
    watch.replies.length = 0;
    assert.equal(await store.withPartition(APP, (cache) => cache.count().AccessToken), 1);
    assert.deepEqual(watch.replies, ["version"]);

    await new RedisTokenCacheStore(redis).withPartition(APP, (cache) => addAppToken(cache, "api://b/.default"));
    watch.replies.length = 0;
    assert.equal(await store.withPartition(APP, (cache) => cache.count().AccessToken), 2);
    assert.deepEqual(watch.replies, ["hash"]);
  });

  test("bounded: beyond maxEntries the least recently used partition is read in full again", async () => {
    const { client, watch } = watched(redis);
    const store = new RedisTokenCacheStore(client, { localCache: { maxEntries: 2 } });
    const keys = ["a", "b", "c"].map((t) => appPartitionKey(CLIENT_ID, `${t}.example`));
    for (const key of keys) await store.withPartition(key, (cache) => addAppToken(cache, "api://x/.default"));
    watch.replies.length = 0;
    for (const key of [keys[2], keys[1], keys[0]]) await store.withPartition(key ?? "", (cache) => cache.count());
    assert.deepEqual(watch.replies, ["version", "version", "hash"]);
  });

  test("localCache: false reads every partition in full", async () => {
    const { client, watch } = watched(redis);
    const store = new RedisTokenCacheStore(client, { localCache: false });
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    await store.withPartition(APP, (cache) => cache.count());
    assert.deepEqual(watch.replies, ["hash", "exact", "hash"]);
  });

  test("copies older than maxAge are read in full", async () => {
    const { client, watch } = watched(redis);
    const store = new RedisTokenCacheStore(client, { localCache: { maxAge: 0.05 } });
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    await sleep(80);
    await store.withPartition(APP, (cache) => cache.count());
    assert.deepEqual(watch.replies, ["hash", "exact", "hash"]);
  });
});

describe("signing in, when the partition is not known yet", () => {
  test("withSignIn files each account's tokens in its own partition and leaves app tokens out", async () => {
    const warnings: string[] = [];
    const logger: Logger = (level, message) => {
      if (level === "warning") warnings.push(message);
    };
    const store = new RedisTokenCacheStore(redis, { logger });
    const existing = await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE, { scopes: ["Mail.Read"] }));
    const [adele, megan] = await store.withSignIn((cache) => {
      const tokens = [addUserTokens(cache, ADELE), addUserTokens(cache, { uid: "megan", username: "megan@contoso.example" })];
      addAppToken(cache, "api://a/.default");
      return tokens;
    });
    assert.ok(adele && megan);
    const adeleCache = (await store.open(userPartitionKey(adele.homeAccountId))).cache;
    assert.deepEqual(secretsOf(adeleCache, "AccessToken").sort(), [existing.accessToken, adele.accessToken].sort());
    assert.equal(adeleCache.count().AppMetadata, 1);
    const meganCache = (await store.open(userPartitionKey(megan.homeAccountId))).cache;
    assert.deepEqual(secretsOf(meganCache, "AccessToken"), [megan.accessToken]);
    assert.equal(meganCache.count().AppMetadata, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /1 cache entries of no account/);
    assert.ok((await redis.pTTL(store.redisKey(userPartitionKey(megan.homeAccountId)))) > 0);
  });
});

describe("expiry in Redis", () => {
  test("an app partition lives as long as its latest access token", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(APP, (cache) => {
      addAppToken(cache, "api://a/.default", { expiresIn: 600 });
      addAppToken(cache, "api://b/.default", { expiresIn: 3600 });
    });
    const ttl = await redis.pTTL(store.redisKey(APP));
    assert.ok(ttl > 3590_000 && ttl <= 3600_000, String(ttl));
  });

  test("a user partition lives as long as its refresh token: refreshTokenLifetime after its last write", async () => {
    const store = new RedisTokenCacheStore(redis, { refreshTokenLifetime: 7 * 24 * 3600 });
    await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE, { expiresIn: 3600 }));
    const ttl = await redis.pTTL(store.redisKey(ADELE_PARTITION));
    assert.ok(ttl > (7 * 24 * 3600 - 10) * 1000 && ttl <= 7 * 24 * 3600 * 1000, String(ttl));
  });

  test("a partition whose last token is gone is deleted", async () => {
    const store = new RedisTokenCacheStore(redis);
    const { homeAccountId } = await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE));
    // Signing out: the account's tokens go, the app metadata stays, and so nothing lives on.
    await store.withPartition(ADELE_PARTITION, (cache) => cache.removeAccount({ home_account_id: homeAccountId, environment: ENVIRONMENT }, CLIENT_ID));
    assert.equal(await redis.exists(store.redisKey(ADELE_PARTITION)), 0);
  });

  test("expired partitions expire: an app token and a user's refresh token with short lifetimes", async () => {
    const store = new RedisTokenCacheStore(redis, { refreshTokenLifetime: 2 });
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default", { expiresIn: 1 }));
    await store.withPartition(ADELE_PARTITION, (cache) => addUserTokens(cache, ADELE, { expiresIn: 1 }));
    for (const key of [APP, ADELE_PARTITION]) {
      const ttl = await redis.pTTL(store.redisKey(key));
      assert.ok(ttl > 0 && ttl <= 2000, `${key}: ${ttl}`);
    }
    await gone(store.redisKey(APP), 15);
    await gone(store.redisKey(ADELE_PARTITION), 15);
  });

  test("a write merged with another's never shortens the partition's life", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(APP, (cache) => addAppToken(cache, "api://long/.default", { expiresIn: 3600 }));
    const stale = await store.open(APP);
    await new RedisTokenCacheStore(redis).withPartition(APP, (cache) => addAppToken(cache, "api://other/.default", { expiresIn: 7200 }));
    const entry = stale.cache.findAccessToken({ home_account_id: null, environment: ENVIRONMENT, client_id: CLIENT_ID, realm: TENANT, scopes: ["api://long/.default"] });
    assert.ok(entry);
    stale.cache.remove("AccessToken", entry);
    await stale.save();
    const ttl = await redis.pTTL(store.redisKey(APP));
    assert.ok(ttl > 7190_000, String(ttl));
    assert.equal((await store.open(APP)).cache.count().AccessToken, 1);
  });
});

describe("failures", () => {
  test("Redis unreachable: a typed error, and the callback does not run", async () => {
    const lost = await connect(server.url);
    const store = new RedisTokenCacheStore(lost);
    lost.destroy();
    let ran = false;
    await assert.rejects(
      store.withPartition(APP, () => {
        ran = true;
      }),
      (e: unknown) =>
        e instanceof RedisTokenCacheError &&
        e.code === "ERR_REDIS_COMMAND" &&
        e.name === "RedisTokenCacheError" &&
        e.partitionKey === APP &&
        /^Reading the token cache partition from Redis failed: /.test(e.message) &&
        e.cause instanceof Error,
    );
    assert.equal(ran, false);
  });

  test("a failed write leaves the partition as it was, and names no token", async () => {
    const { client, watch } = watched(redis);
    const store = new RedisTokenCacheStore(client);
    const first = await store.withPartition(APP, (cache) => addAppToken(cache, "api://a/.default"));
    watch.failNext = (args) => args.length > 1;
    let token = "";
    await assert.rejects(
      store.withPartition(APP, (cache) => {
        token = addAppToken(cache, "api://b/.default");
      }),
      (e: unknown) => e instanceof RedisTokenCacheError && e.code === "ERR_REDIS_COMMAND" && /^Writing/.test(e.message) && !e.message.includes(token),
    );
    assert.deepEqual(await store.withPartition(APP, (cache) => secretsOf(cache, "AccessToken")), [first]);
  });

  test("a partition holding data that is not this package's: ERR_REDIS_CACHE_FORMAT, quoting nothing; removePartition clears it", async () => {
    const store = new RedisTokenCacheStore(redis);
    const key = store.redisKey(APP);
    await redis.hSet(key, { version: "x", '["AccessToken","k"]': "secret-looking-garbage" });
    await assert.rejects(
      store.withPartition(APP, () => undefined),
      (e: unknown) =>
        e instanceof RedisTokenCacheError && e.code === "ERR_REDIS_CACHE_FORMAT" && /removePartition/.test(e.message) && !e.message.includes("garbage"),
    );
    await redis.hSet(key, { '["AccessToken","k"]': '"a string, not an entry"' });
    await assert.rejects(store.withPartition(APP, () => undefined), { name: "RedisTokenCacheError", code: "ERR_REDIS_CACHE_FORMAT" });
    await redis.del(key);
    await redis.set(key, "a plain string");
    await assert.rejects(store.withPartition(APP, () => undefined), { code: "ERR_REDIS_COMMAND" });
    assert.equal(await store.removePartition(APP), true);
    assert.equal(await store.withPartition(APP, (cache) => cache.count().AccessToken), 0);
  });

  test("bad arguments are refused before Redis is asked", async () => {
    assert.throws(() => new RedisTokenCacheStore({} as never), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
    for (const options of [{ refreshTokenLifetime: 0 }, { localCache: { maxEntries: -1 } }, { localCache: { maxAge: 0 } }, { prefix: 7 as unknown as string }]) {
      assert.throws(() => new RedisTokenCacheStore(redis, options), { name: "TypeError", code: "ERR_INVALID_ARG_VALUE" });
    }
    const store = new RedisTokenCacheStore(redis);
    await assert.rejects(store.withPartition("", () => undefined), { code: "ERR_INVALID_ARG_TYPE" });
    await assert.rejects(store.withPartition(APP, undefined as never), { code: "ERR_INVALID_ARG_VALUE" });
  });

  test("a cache handed out is a SerializableTokenCache an application accepts", async () => {
    const store = new RedisTokenCacheStore(redis);
    await store.withPartition(APP, (cache) => {
      assert.ok(cache instanceof SerializableTokenCache);
      assert.deepEqual(documentOf(cache), {});
    });
  });
});
