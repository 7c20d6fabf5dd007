// One instance of a web app, run as a process of its own by multi-process.test.ts: it shares the
// Redis token cache with the other instances and gets its tokens from the emulator.
//
// Its configuration comes in the APP_INSTANCE environment variable (JSON, see InstanceConfig); the
// emulator's CA in NODE_EXTRA_CA_CERTS, so that the global fetch (one connection pool for every
// per-request application) trusts it. It prints one line of JSON: what it saw (see InstanceReport).
// Tokens never leave it: it reports a short hash of each.
import { createHash } from "node:crypto";
import { ConfidentialClientApplication } from "@msal-ts/msal";
import type { AuthenticationResult, SerializableTokenCache, TokenResult } from "@msal-ts/msal";
import { createClient } from "redis";
import { RedisTokenCacheStore, appPartitionKey, userPartitionKey } from "../../src/index.js";

export interface InstanceConfig {
  readonly redisUrl: string;
  readonly authority: string;
  readonly instanceDiscovery: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly secret: string;
  /** The API whose delegated scopes are Read{n} and Write{n}, and whose `.default` the app may get. */
  readonly api: string;
  readonly users: readonly { readonly username: string; readonly password: string }[];
  /** `sign-in`: sign every user in, then get a second token silently. `serve`: get everything back from the cache. */
  readonly mode: "sign-in" | "serve";
  /** This instance's number: its scopes are Read{instance} and Write{instance}. */
  readonly instance: number;
  /** With `serve`: how many instances signed users in. */
  readonly instances: number;
  /** Users handled at once. */
  readonly concurrency: number;
}

/** What one user's partition gave an instance. */
export interface UserReport {
  readonly homeAccountId: string;
  /** Scope → token hash and where the token came from. */
  readonly tokens: Readonly<Record<string, { readonly hash: string; readonly source: string }>>;
}

export interface InstanceReport {
  /** Writes that found the partition changed by another instance since they read it, and merged. */
  readonly merged: number;
  /** Instance 0 (signing in) and the serving instance get the app's own token too. */
  readonly appToken?: { readonly hash: string; readonly source: string };
  readonly users: readonly UserReport[];
}

const config = JSON.parse(process.env["APP_INSTANCE"] ?? "null") as InstanceConfig;

const hash = (token: string): string => createHash("sha256").update(token).digest("hex").slice(0, 16);

function ok(result: AuthenticationResult | null, what: string): TokenResult {
  if (result === null) throw new Error(`${what}: nothing in the cache`);
  if ("error" in result) throw new Error(`${what}: ${result.error} ${result.error_description ?? ""}`);
  return result;
}

const redis = createClient({ url: config.redisUrl });
redis.on("error", (e: unknown) => console.error("redis:", e));
await redis.connect();
let merged = 0;
const store = new RedisTokenCacheStore(redis, {
  logger: (level, message) => {
    if (level === "verbose" && message.includes("merged")) merged++;
  },
});

/** The app a request builds on its partition's cache. */
const appOn = (cache: SerializableTokenCache): ConfidentialClientApplication =>
  new ConfidentialClientApplication(config.clientId, {
    clientCredential: config.secret,
    authority: config.authority,
    instanceDiscovery: config.instanceDiscovery,
    httpClient: fetch,
    tokenCache: cache,
  });

const seen = (r: TokenResult) => ({ hash: hash(r.access_token), source: r.token_source });

async function signIn(user: { username: string; password: string }): Promise<UserReport> {
  const read = `${config.api}/Read${config.instance}`;
  const write = `${config.api}/Write${config.instance}`;
  const first = await store.withSignIn(async (cache) => {
    const app = appOn(cache);
    const result = ok(await app.acquireTokenByUsernamePassword(user.username, user.password, [read]), user.username);
    const [account] = await app.getAccounts();
    if (!account) throw new Error(`${user.username}: no account after sign-in`);
    return { result, homeAccountId: account.home_account_id };
  });
  // A later request of the same user: a token for another scope, from the user's refresh token
  // (possibly one another instance wrote), which updates that refresh token in place.
  const second = await store.withPartition(userPartitionKey(first.homeAccountId), async (cache) => {
    const app = appOn(cache);
    const [account] = await app.getAccounts();
    return ok(await app.acquireTokenSilent([write], account), `${user.username} silent`);
  });
  return { homeAccountId: first.homeAccountId, tokens: { [read]: seen(first.result), [write]: seen(second) } };
}

async function serve(user: { username: string }, homeAccountId: string): Promise<UserReport> {
  return store.withPartition(userPartitionKey(homeAccountId), async (cache) => {
    const app = appOn(cache);
    const [account] = await app.getAccounts({ username: user.username });
    const tokens: Record<string, { hash: string; source: string }> = {};
    for (let i = 0; i < config.instances; i++) {
      for (const scope of [`${config.api}/Read${i}`, `${config.api}/Write${i}`]) {
        tokens[scope] = seen(ok(await app.acquireTokenSilent([scope], account), `${user.username} ${scope}`));
      }
    }
    return { homeAccountId, tokens };
  });
}

/** Runs `work` over `items`, `concurrency` at a time, keeping the order of the results. */
async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, run));
  return results;
}

const appToken =
  config.mode === "serve" || config.instance === 0
    ? await store.withPartition(appPartitionKey(config.clientId, config.tenant), (cache) =>
        appOn(cache).acquireTokenForClient([`${config.api}/.default`]),
      )
    : undefined;

let users: UserReport[];
if (config.mode === "sign-in") {
  users = await pool(config.users, config.concurrency, signIn);
} else {
  const homes = JSON.parse(process.env["APP_INSTANCE_HOMES"] ?? "[]") as string[];
  users = await pool(config.users, config.concurrency, (user, i) => serve(user, homes[i] ?? ""));
}

const report: InstanceReport = { merged, ...(appToken ? { appToken: seen(ok(appToken, "client credentials")) } : {}), users };
process.stdout.write(`${JSON.stringify(report)}\n`);
redis.destroy();
