/**
 * Redis token cache benchmark: what a token served from the distributed cache costs, and how many
 * writes per second one process gets through.
 *
 *   node --conditions=source --import tsx bench/redis-cache.ts            every case
 *   node --conditions=source --import tsx bench/redis-cache.ts --quick    shorter warm-up and measurement
 *   … bench/redis-cache.ts --redis=redis://127.0.0.1:6379                 an existing server (default: start one)
 *   … bench/redis-cache.ts '^hit/'                                         cases whose name matches
 *
 * A redis-server of its own is started on a free loopback port (as the tests do) unless --redis
 * names one; its database is flushed, so never point it at one that matters. The identity provider
 * is in-process (./simulator.ts), so the figures are the cache's and the library's cost plus Redis
 * round trips on loopback, not the network's.
 *
 * Hit latency: each operation is one request of a web app: open the partition, build a
 * confidential client application on its cache, get a token (from the cache: each case checks that
 * no request reached the token endpoint), write back nothing. Measured with harness.ts (awaited
 * calls in a loop, the cases' batches interleaved), as µs per request. "memory" is the same call on
 * one long-lived application with an in-memory cache: the floor; "memory-per-request" builds an
 * application per call on that cache, which is the part of each Redis case that is not the store's.
 *
 * Write throughput: requests that each write one token. "sequential" awaits each (µs per write);
 * "concurrent" keeps 64 in flight for the measurement time and counts them (writes per second),
 * spread over 1,000 partitions or all on one hot partition, where most writes find another's in
 * between and merge. After each case every partition is checked to hold exactly the tokens written.
 *
 * @module
 */

import { cpus } from "node:os";
import { ConfidentialClientApplication, SerializableTokenCache } from "@msal-ts/msal";
import type { HttpClient, TokenCache } from "@msal-ts/msal";
import { RedisTokenCacheStore, appPartitionKey, userPartitionKey } from "@msal-ts/redis-cache";
import { createClient } from "redis";
import { startRedisServer } from "../packages/redis-cache/test/support/redis-server.js";
import { measureInterleaved, warmUp } from "./harness.js";
import type { MeasureOptions } from "./harness.js";
import { CLIENT_ID, CLIENT_SECRET, FakeTokenService, HOST, authorityFor, tokenEndpointFor } from "./simulator.js";

interface Options {
  quick: boolean;
  redis: string | undefined;
  filter: RegExp | undefined;
}

const USAGE = "usage: node --conditions=source --import tsx bench/redis-cache.ts [--quick] [--redis=URL] [--filter=REGEX | REGEX]";

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, redis: undefined, filter: undefined };
  for (const arg of argv) {
    const eq = arg.indexOf("=");
    const [flag, value] = eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === "--quick") {
      options.quick = true;
    } else if (flag === "--redis" && value) {
      options.redis = value;
    } else if (flag === "--filter" && value !== undefined) {
      options.filter = new RegExp(value);
    } else if (!arg.startsWith("-")) {
      options.filter = new RegExp(arg);
    } else {
      console.error(`unknown argument "${arg}"\n${USAGE}`);
      process.exit(2);
    }
  }
  return options;
}

const RESPONSE_HEADERS = new Headers({ "content-type": "application/json; charset=utf-8" });

/** The in-process identity provider as a fetch-compatible function (see msal-ts-adapter.ts). */
function httpClientFor(service: FakeTokenService): HttpClient {
  return (url, init) => {
    const body = init.method === "POST" ? service.tokenResponse(init.body ?? "") : service.discovery(url);
    return Promise.resolve({ status: 200, ok: true, headers: RESPONSE_HEADERS, text: () => Promise.resolve(body) } as unknown as Response);
  };
}

const TENANT = 0;
const REALM = `tenant_${TENANT}`;
const ENVIRONMENT = new URL(HOST).hostname;
const SCOPE = "scope";
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Writes `count` app tokens (scope_0…) and the one the hit cases ask for. */
function addAppTokens(cache: TokenCache, count: number): void {
  for (let i = 0; i < count; i++) {
    const scope = i === 0 ? SCOPE : `scope_${i}`;
    cache.add({
      client_id: CLIENT_ID,
      scope: [scope],
      token_endpoint: tokenEndpointFor(TENANT),
      grant_type: "client_credentials",
      environment: ENVIRONMENT,
      response: { access_token: `AT for ${scope}`, token_type: "Bearer", expires_in: 3600 },
    });
  }
}

/** Writes what a user's sign-in writes: access, refresh and ID token, account, app metadata. */
function addUserTokens(cache: TokenCache, uid: string, secret = `AT for ${uid}`): string {
  const claims = { iss: `${authorityFor(TENANT)}/v2.0`, aud: CLIENT_ID, tid: REALM, oid: uid, sub: uid, preferred_username: `${uid}@example.com` };
  cache.add({
    client_id: CLIENT_ID,
    scope: [SCOPE],
    token_endpoint: tokenEndpointFor(TENANT),
    grant_type: "authorization_code",
    environment: ENVIRONMENT,
    response: {
      access_token: secret,
      token_type: "Bearer",
      expires_in: 3600,
      refresh_token: `RT for ${uid}`,
      id_token: `${b64url({ alg: "none" })}.${b64url(claims)}.`,
      client_info: b64url({ uid, utid: REALM }),
      scope: `${SCOPE} openid profile offline_access`,
    },
  });
  return `${uid}.${REALM}`;
}

interface TokenLike {
  access_token?: unknown;
  token_source?: unknown;
}

function expectCached(result: TokenLike | null, what: string): void {
  if (result?.token_source !== "cache") throw new Error(`${what}: the token did not come from the cache`);
}

/** Three significant figures or so; thousands separated. */
const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

/** Keeps `concurrency` calls of `op` in flight for `ms`; returns [completed calls, seconds]. */
async function throughput(op: (n: number) => Promise<unknown>, concurrency: number, ms: number): Promise<[number, number]> {
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let started = 0;
  const worker = async (): Promise<void> => {
    while (process.hrtime.bigint() < end) await op(started++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return [started, Number(process.hrtime.bigint() - start) / 1e9];
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const timing: MeasureOptions = options.quick
    ? { warmupMs: 100, targetMs: 300, batches: 3, minWarmupIterations: 10 }
    : { warmupMs: 500, targetMs: 1500, batches: 6, minWarmupIterations: 50 };
  const throughputMs = options.quick ? 500 : 2000;

  const server = options.redis === undefined ? await startRedisServer() : undefined;
  const url = options.redis ?? server?.url ?? "";
  const redis = createClient({ url });
  redis.on("error", (e: unknown) => console.error("redis:", e));
  await redis.connect();
  await redis.flushAll();
  const info = await redis.info("server");
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";

  console.log(
    `redis-cache benchmark — node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} ×${cpus().length}, ` +
      `redis-server ${redisVersion} on loopback${options.quick ? ", quick" : ""}`,
  );

  const service = new FakeTokenService();
  const http = httpClientFor(service);
  const appOn = (cache: TokenCache): ConfidentialClientApplication =>
    new ConfidentialClientApplication(CLIENT_ID, {
      clientCredential: CLIENT_SECRET,
      authority: authorityFor(TENANT),
      instanceDiscovery: false,
      httpClient: http,
      tokenCache: cache,
    });
  const selected = (name: string): boolean => !options.filter || options.filter.test(name);

  try {
    // ---- hit latency ----
    const withLocal = new RedisTokenCacheStore(redis);
    const withoutLocal = new RedisTokenCacheStore(redis, { localCache: false });
    const small = appPartitionKey(CLIENT_ID, "small.example");
    const large = appPartitionKey(CLIENT_ID, "large.example");
    const user = userPartitionKey("bench-user.tenant_0");
    await withLocal.withPartition(small, (cache) => addAppTokens(cache, 1));
    await withLocal.withPartition(large, (cache) => addAppTokens(cache, 100));
    await withLocal.withSignIn((cache) => addUserTokens(cache, "bench-user"));
    const memoryCache = new SerializableTokenCache();
    addAppTokens(memoryCache, 1);
    const memoryApp = appOn(memoryCache);

    const appHit = (store: RedisTokenCacheStore, key: string) => (): Promise<unknown> =>
      store.withPartition(key, (cache) => appOn(cache).acquireTokenForClient([SCOPE]));
    const userHit = (store: RedisTokenCacheStore) => (): Promise<unknown> =>
      store.withPartition(user, async (cache) => {
        const app = appOn(cache);
        const [account] = await app.getAccounts();
        return app.acquireTokenSilent([SCOPE], account);
      });
    const hitCases = [
      { name: "hit/memory", label: "memory: one app, in-process cache (floor)", op: () => memoryApp.acquireTokenForClient([SCOPE]) },
      { name: "hit/memory-per-request", label: "memory: an app per request, in-process cache", op: () => appOn(memoryCache).acquireTokenForClient([SCOPE]) },
      { name: "hit/app-1/local", label: "app partition, 1 token, local copy", op: appHit(withLocal, small) },
      { name: "hit/app-1/no-local", label: "app partition, 1 token, no local copy", op: appHit(withoutLocal, small) },
      { name: "hit/app-100/local", label: "app partition, 100 tokens, local copy", op: appHit(withLocal, large) },
      { name: "hit/app-100/no-local", label: "app partition, 100 tokens, no local copy", op: appHit(withoutLocal, large) },
      { name: "hit/user/local", label: "user partition, acquireTokenSilent, local copy", op: userHit(withLocal) },
      { name: "hit/user/no-local", label: "user partition, acquireTokenSilent, no local copy", op: userHit(withoutLocal) },
      { name: "hit/open-only/local", label: "open + close a user partition only, local copy", op: () => withLocal.withPartition(user, () => undefined) },
    ].filter((c) => selected(c.name));

    const rows: string[][] = [];
    if (hitCases.length > 0) {
      for (const c of hitCases) {
        if (c.name.includes("open-only")) continue;
        expectCached((await c.op()) as TokenLike, c.name);
      }
      // JIT-warm the common paths first, so the first case measured is not the one paying.
      for (const c of hitCases) await warmUp(c.op, options.quick ? 100 : 500);
      const posts = service.posts;
      const measurements = await measureInterleaved(
        hitCases.map((c) => c.op),
        timing,
      );
      if (service.posts !== posts) throw new Error(`hit cases made ${service.posts - posts} token requests`);
      hitCases.forEach((c, i) => {
        const m = measurements[i];
        if (!m) return;
        console.log(`  ${c.name.padEnd(22)} ${fmt(m.usPerOp).padStart(8)} µs/op (batches ${fmt(m.minBatchUsPerOp)}–${fmt(m.maxBatchUsPerOp)}, n=${m.iterations})`);
        rows.push([c.label, `${fmt(m.usPerOp)} µs`, `${fmt(1e6 / m.usPerOp)}/s`]);
      });
    }

    // ---- write throughput ----
    const writer = new RedisTokenCacheStore(redis);
    const PARTITIONS = 1000;
    const spread = Array.from({ length: PARTITIONS }, (_, i) => appPartitionKey(CLIENT_ID, `w${i}.example`));
    const hot = appPartitionKey(CLIENT_ID, "hot.example");
    const HOT_KEYS = 64;
    /** Writes (overwrites) the token for one scope: one entry changes per write. */
    const writeToken = (key: string, scope: string, secret: string): Promise<unknown> =>
      writer.withPartition(key, (cache) =>
        cache.add({
          client_id: CLIENT_ID,
          scope: [scope],
          token_endpoint: tokenEndpointFor(TENANT),
          grant_type: "client_credentials",
          environment: ENVIRONMENT,
          response: { access_token: secret, token_type: "Bearer", expires_in: 3600 },
        }),
      );
    /** Every partition must hold exactly one token per scope written, each the last secret written. */
    const verify = async (keys: readonly string[], perPartition: number, what: string): Promise<void> => {
      const reader = new RedisTokenCacheStore(redis, { localCache: false });
      for (const key of keys) {
        const count = await reader.withPartition(key, (cache) => cache.count().AccessToken);
        if (count !== perPartition) throw new Error(`${what}: a partition holds ${count} tokens, expected ${perPartition}`);
      }
    };

    const writeCases = [
      {
        name: "write/sequential",
        label: "write 1 token, sequential, 1,000 partitions",
        run: async () => {
          let n = 0;
          const op = () => writeToken(spread[n % PARTITIONS] ?? "", SCOPE, `secret ${n++}`);
          await warmUp(op, options.quick ? 100 : 500);
          const [m] = await measureInterleaved([op], timing);
          if (!m) throw new Error("unreachable");
          await verify(spread, 1, "write/sequential");
          return { usPerOp: m.usPerOp, perSecond: 1e6 / m.usPerOp, detail: `n=${m.iterations}` };
        },
      },
      {
        name: "write/sign-in",
        label: "sign-in (5 entries), sequential, new users",
        run: async () => {
          let n = 0;
          const op = () => writer.withSignIn((cache) => addUserTokens(cache, `signin-${n++}`));
          await warmUp(op, options.quick ? 100 : 500);
          const [m] = await measureInterleaved([op], timing);
          if (!m) throw new Error("unreachable");
          await verify([userPartitionKey(`signin-${n - 1}.${REALM}`)], 1, "write/sign-in");
          return { usPerOp: m.usPerOp, perSecond: 1e6 / m.usPerOp, detail: `n=${m.iterations}` };
        },
      },
      {
        name: "write/concurrent-spread",
        label: "write 1 token, 64 in flight, 1,000 partitions",
        run: async () => {
          await throughput((n) => writeToken(spread[n % PARTITIONS] ?? "", SCOPE, `secret ${n}`), 64, throughputMs / 4);
          const [count, seconds] = await throughput((n) => writeToken(spread[n % PARTITIONS] ?? "", SCOPE, `secret ${n}`), 64, throughputMs);
          await verify(spread, 1, "write/concurrent-spread");
          return { usPerOp: (64 * seconds * 1e6) / count, perSecond: count / seconds, detail: `n=${count}` };
        },
      },
      {
        name: "write/concurrent-hot",
        label: "write 1 of 64 tokens, 64 in flight, 1 hot partition",
        run: async () => {
          let merged = 0;
          const hotWriter = new RedisTokenCacheStore(redis, {
            logger: (level, message) => {
              if (level === "verbose" && message.includes("merged")) merged++;
            },
          });
          const op = (n: number) =>
            hotWriter.withPartition(hot, (cache) =>
              cache.add({
                client_id: CLIENT_ID,
                scope: [`hot_${n % HOT_KEYS}`],
                token_endpoint: tokenEndpointFor(TENANT),
                grant_type: "client_credentials",
                environment: ENVIRONMENT,
                response: { access_token: `secret ${n}`, token_type: "Bearer", expires_in: 3600 },
              }),
            );
          await throughput(op, 64, throughputMs / 4);
          merged = 0;
          const [count, seconds] = await throughput(op, 64, throughputMs);
          await verify([hot], HOT_KEYS, "write/concurrent-hot");
          return { usPerOp: (64 * seconds * 1e6) / count, perSecond: count / seconds, detail: `n=${count}, ${fmt((100 * merged) / count)}% merged` };
        },
      },
    ].filter((c) => selected(c.name));

    for (const c of writeCases) {
      const r = await c.run();
      console.log(`  ${c.name.padEnd(22)} ${fmt(r.usPerOp).padStart(8)} µs/op, ${fmt(r.perSecond).padStart(7)} writes/s (${r.detail})`);
      rows.push([c.label, `${fmt(r.usPerOp)} µs`, `${fmt(r.perSecond)}/s`]);
    }

    console.log();
    printTable(["case", "latency per request", "requests per second (one process)"], rows);
  } finally {
    redis.destroy();
    await server?.stop();
  }
}

await main();
