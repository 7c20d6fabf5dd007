// The partitions a web app and a web API use, end to end against the emulator: each "instance" is a
// store with a Redis connection of its own, as on another machine.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createEmulator, defaultTenant } from "@msal-ts/emulator";
import type { Emulator } from "@msal-ts/emulator";
import { ConfidentialClientApplication, PublicClientApplication } from "@msal-ts/msal";
import type { AuthenticationResult, ClientApplicationOptions, SerializableTokenCache, TokenResult } from "@msal-ts/msal";
import { RedisTokenCacheStore, appPartitionKey, oboPartitionKey, userPartitionKey } from "../src/index.js";
import { connect } from "./support/redis.js";
import type { Client } from "./support/redis.js";
import { startRedisServer } from "./support/redis-server.js";
import type { RedisServer } from "./support/redis-server.js";

const [DAEMON, WEB, DESKTOP, , ORDERS_API] = defaultTenant.apps;
const [ADELE] = defaultTenant.users;
const REDIRECT = "http://localhost:5123/auth/redirect";
const OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

let server: RedisServer;
let emu: Emulator;
let dir: string;
let options: ClientApplicationOptions;
const clients: Client[] = [];

/** A new app instance: its own Redis connection and its own store. */
async function instance(): Promise<RedisTokenCacheStore> {
  const client = await connect(server.url);
  clients.push(client);
  return new RedisTokenCacheStore(client);
}

before(async () => {
  server = await startRedisServer();
  emu = await createEmulator();
  dir = mkdtempSync(join(tmpdir(), "msal-ts-redis-cache-"));
  const caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
  options = { authority: emu.authority, instanceDiscovery: emu.instanceDiscoveryUrl, verify: caPath };
});

after(async () => {
  for (const client of clients) client.destroy();
  await Promise.all([server.stop(), emu.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function ok(result: AuthenticationResult | null): TokenResult {
  assert.ok(result !== null, "expected a token, got null");
  if ("error" in result) assert.fail(`${result.error}: ${result.error_description ?? ""}`);
  return result;
}

const webApp = (cache?: SerializableTokenCache): ConfidentialClientApplication =>
  new ConfidentialClientApplication(WEB.clientId, { ...options, clientCredential: WEB.secrets[0], ...(cache ? { tokenCache: cache } : {}) });

describe("a web app on several machines", () => {
  test("signs a user in on one instance, serves their token on another, refreshes on a third, signs out", async () => {
    const [first, second, third] = await Promise.all([instance(), instance(), instance()]);

    // The redirect handler: the partition is not known until the user has signed in.
    const flow = await webApp().initiateAuthCodeFlow(["User.Read"], { redirectUri: REDIRECT });
    const signedIn = await emu.signIn(flow.auth_uri, ADELE);
    const { result, homeAccountId } = await first.withSignIn(async (cache) => {
      const app = webApp(cache);
      const result = ok(await app.acquireTokenByAuthCodeFlow(flow, signedIn.params));
      const [account] = await app.getAccounts();
      assert.ok(account);
      return { result, homeAccountId: account.home_account_id };
    });

    // A later request, on another machine.
    const partition = userPartitionKey(homeAccountId);
    const requests = emu.tokenRequestCount();
    const served = await second.withPartition(partition, async (cache) => {
      const app = webApp(cache);
      const [account] = await app.getAccounts();
      return ok(await app.acquireTokenSilent(["User.Read"], account));
    });
    assert.equal(served.token_source, "cache");
    assert.equal(served.access_token, result.access_token);
    assert.equal(emu.tokenRequestCount(), requests);

    // A token for another API: the refresh token, redeemed on a third machine, and written back.
    const orders = await third.withPartition(partition, async (cache) => {
      const app = webApp(cache);
      const [account] = await app.getAccounts();
      return ok(await app.acquireTokenSilent(["api://orders/Orders.Read"], account));
    });
    assert.equal(orders.token_source, "identity_provider");
    assert.equal(emu.tokenRequestCount({ grantType: "refresh_token" }), 1);
    const again = await first.withPartition(partition, async (cache) => {
      const app = webApp(cache);
      const [account] = await app.getAccounts();
      return ok(await app.acquireTokenSilent(["api://orders/Orders.Read"], account));
    });
    assert.equal(again.access_token, orders.access_token);
    assert.equal(emu.tokenRequestCount({ grantType: "refresh_token" }), 1);

    // Signing out: nothing of the user's is left, in Redis either.
    await second.withPartition(partition, async (cache) => {
      const app = webApp(cache);
      for (const account of await app.getAccounts()) await app.removeAccount(account);
    });
    assert.equal(await clients[0]?.exists(first.redisKey(partition)), 0);
  });

  test("a daemon's token, acquired on one instance, is served on another without a token request", async () => {
    const [first, second] = await Promise.all([instance(), instance()]);
    const daemon = (cache: SerializableTokenCache) =>
      new ConfidentialClientApplication(DAEMON.clientId, { ...options, clientCredential: DAEMON.secrets[0], tokenCache: cache });
    const partition = appPartitionKey(DAEMON.clientId, emu.defaultTenantId);
    const got = ok(await first.withPartition(partition, (cache) => daemon(cache).acquireTokenForClient(["api://orders/.default"])));
    assert.equal(got.token_source, "identity_provider");
    const requests = emu.tokenRequestCount({ grantType: "client_credentials" });
    const served = ok(await second.withPartition(partition, (cache) => daemon(cache).acquireTokenForClient(["api://orders/.default"])));
    assert.equal(served.token_source, "cache");
    assert.equal(served.access_token, got.access_token);
    assert.equal(emu.tokenRequestCount({ grantType: "client_credentials" }), requests);
    const ttl = await clients[0]?.pTTL(first.redisKey(partition));
    assert.ok(ttl !== undefined && ttl > 0 && ttl <= 3600_000, String(ttl));
  });
});

describe("a web API calling another on behalf of its users", () => {
  test("the token for one incoming token is served on another instance; another incoming token gets its own", async () => {
    const [first, second] = await Promise.all([instance(), instance()]);
    const client = new PublicClientApplication(DESKTOP.clientId, options);
    const incoming = ok(await client.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ["api://orders/Orders.Read"])).access_token;
    const incoming2 = ok(await client.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ["api://orders/Orders.Read"])).access_token;
    const api = (cache: SerializableTokenCache) =>
      new ConfidentialClientApplication(ORDERS_API.clientId, { ...options, clientCredential: ORDERS_API.secrets[0], tokenCache: cache });
    const obo = (store: RedisTokenCacheStore, assertion: string) =>
      store.withPartition(oboPartitionKey(assertion), async (cache) => ok(await api(cache).acquireTokenOnBehalfOf(assertion, ["User.Read"])));

    const got = await obo(first, incoming);
    assert.equal(got.token_source, "identity_provider");
    const served = await obo(second, incoming);
    assert.equal(served.token_source, "cache");
    assert.equal(served.access_token, got.access_token);
    assert.equal(emu.tokenRequestCount({ grantType: OBO_GRANT }), 1);
    assert.equal((await obo(second, incoming2)).token_source, "identity_provider");
    assert.equal(emu.tokenRequestCount({ grantType: OBO_GRANT }), 2);
  });
});
