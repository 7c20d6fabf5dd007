// Concurrent cache misses against the emulator: callers that miss the same token share one
// request (client credentials, a silent refresh, a managed identity), and each caller's signal
// cancels that caller only.
//
// Most tests talk to the emulator over HTTPS through an HTTP client that can hold token requests at
// its door: a test lets every caller join, cancels some, then lets the request go. A held request
// honours its signal as fetch does, so a cancelled one never reaches the emulator. Others use
// msal-ts's default HTTP client and have the emulator hold its answer (a delay fault), so that a
// cancellation cuts a request the emulator is answering.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { defaultTenant } from "@msal-ts/emulator";
import {
  ConfidentialClientApplication,
  ManagedIdentityClient,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  type Account,
  type AuthenticationResult,
  type HttpClient,
  type ManagedIdentityResult,
} from "@msal-ts/msal";
import { ADELE, GRAPH_READ, WEB_APP, ok, signInWithAuthCode, startAuthority, webApp, type TestAuthority } from "./support.js";

const DAEMON = defaultTenant.apps[0].clientId;
const DAEMON_SECRET = defaultTenant.apps[0].secrets[0];
const ORDERS = ["api://orders/.default"];
const GRAPH = ["https://graph.microsoft.com/.default"];
const MI_RESOURCE = "https://graph.microsoft.com";

let t: TestAuthority;

before(async () => {
  t = await startAuthority({ managedIdentity: {} });
});

after(async () => {
  await t.emu.close();
});

/** An HTTP client trusting the emulator's CA that, while holding, keeps token requests waiting. */
interface GatedClient {
  readonly http: HttpClient;
  /** The signals of the token requests that reached the gate, oldest first. */
  readonly held: (AbortSignal | undefined)[];
  /** Holds token requests from now on. */
  hold(): void;
  /** Lets the held token requests go, and stops holding. */
  release(): void;
  /** Waits until `n` token requests have reached the gate, then a little longer (no more may come). */
  heldCount(n: number): Promise<void>;
}

/** The authority's token endpoint, and a managed identity source's (`/app-service/msi/token`). */
const isTokenRequest = (url: string): boolean => new URL(url).pathname.endsWith("/token");

async function gatedClient(): Promise<GatedClient> {
  const { Agent, fetch: undiciFetch } = await import("undici");
  const dispatcher = new Agent({ connect: { ca: t.emu.caCertificate } });
  let holding = false;
  let open = (): void => undefined;
  let gate = Promise.resolve();
  const held: (AbortSignal | undefined)[] = [];
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return {
    held,
    http: async (url, init) => {
      if (holding && isTokenRequest(url)) {
        held.push(init.signal);
        const signal = init.signal;
        await new Promise<void>((resolve, reject) => {
          if (signal?.aborted) return reject(signal.reason as unknown);
          signal?.addEventListener("abort", () => reject(signal.reason as unknown), { once: true });
          void gate.then(resolve);
        });
      }
      return undiciFetch(url, { ...init, dispatcher }) as unknown as Promise<Response>;
    },
    hold: () => {
      holding = true;
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release: () => {
      holding = false;
      open();
    },
    heldCount: async (n) => {
      const deadline = Date.now() + 5000;
      while (held.length < n && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      for (let i = 0; i < 20; i++) await tick();
      assert.equal(held.length, n, "token requests that reached the HTTP client");
    },
  };
}

/** The daemon app, through `http` or (when undefined) msal-ts's default HTTP client trusting the emulator's CA. */
function daemon(http: HttpClient | undefined, tokenCache = new SerializableTokenCache()): ConfidentialClientApplication {
  return new ConfidentialClientApplication(DAEMON, {
    ...t.appOptions,
    ...(http ? { httpClient: http } : {}),
    tokenCache,
    clientCredential: DAEMON_SECRET,
  });
}

const clientCredentialRequests = (): number => t.emu.tokenRequestCount({ clientId: DAEMON, grantType: "client_credentials" });

function accessToken(r: AuthenticationResult | null): string {
  return ok(r).access_token;
}

/** The results of callers that must all have succeeded, as a set of their access tokens. */
async function tokensOf(calls: readonly Promise<AuthenticationResult | null>[]): Promise<Set<string>> {
  return new Set((await Promise.all(calls)).map(accessToken));
}

describe("acquireTokenForClient: concurrent misses share one request", () => {
  test("50 concurrent misses make exactly 1 token request, and all get its token", async () => {
    const g = await gatedClient();
    const app = daemon(g.http);
    const before = clientCredentialRequests();
    g.hold();
    const calls = Array.from({ length: 50 }, () => app.acquireTokenForClient(ORDERS));
    await g.heldCount(1);
    g.release();
    const tokens = await tokensOf(calls);
    assert.equal(tokens.size, 1, "one token for every caller");
    assert.equal(clientCredentialRequests() - before, 1, "the emulator counted one request");
    const again = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(again.token_source, "cache");
    assert.ok(tokens.has(again.access_token));
  });

  test("an aborted waiter rejects with AbortError while the other 49 succeed; the token is cached", async () => {
    const g = await gatedClient();
    const app = daemon(g.http);
    const before = clientCredentialRequests();
    const controller = new AbortController();
    g.hold();
    const calls = Array.from({ length: 49 }, () => app.acquireTokenForClient(ORDERS, { signal: new AbortController().signal }));
    const aborted = app.acquireTokenForClient(ORDERS, { signal: controller.signal });
    await g.heldCount(1);
    controller.abort();
    await assert.rejects(aborted, (e) => e instanceof DOMException && e.name === "AbortError" && e === controller.signal.reason);
    assert.equal(g.held[0]?.aborted, false, "the shared request goes on");
    g.release();
    const tokens = await tokensOf(calls);
    assert.equal(tokens.size, 1);
    assert.equal(clientCredentialRequests() - before, 1);
    const cached = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(cached.token_source, "cache");
    assert.ok(tokens.has(cached.access_token));
  });

  test("every waiter aborted: the request is cancelled, the cache unchanged, and the next call works", async () => {
    const g = await gatedClient();
    const cache = new SerializableTokenCache();
    const app = daemon(g.http, cache);
    ok(await app.acquireTokenForClient(GRAPH)); // discovery done, one token in the cache
    const snapshot = cache.serialize();
    const before = clientCredentialRequests();
    g.hold();
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const calls = controllers.map((c) => app.acquireTokenForClient(ORDERS, { signal: c.signal }));
    await g.heldCount(1);
    for (const c of controllers) c.abort();
    for (const call of calls) await assert.rejects(call, { name: "AbortError" });
    assert.equal(g.held[0]?.aborted, true, "the request's own signal was aborted");
    g.release();
    assert.equal(clientCredentialRequests(), before, "the cancelled request never reached the emulator");
    assert.equal(cache.serialize(), snapshot, "the cache is unchanged");

    const next = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(next.token_source, "identity_provider");
    assert.equal(clientCredentialRequests() - before, 1);
  });

  test("distinct scopes are distinct requests", async () => {
    const g = await gatedClient();
    const app = daemon(g.http);
    const before = clientCredentialRequests();
    g.hold();
    const orders = Array.from({ length: 5 }, () => app.acquireTokenForClient(ORDERS));
    const graph = Array.from({ length: 5 }, () => app.acquireTokenForClient(GRAPH));
    await g.heldCount(2);
    g.release();
    const [a, b] = await Promise.all([tokensOf(orders), tokensOf(graph)]);
    assert.equal(a.size, 1);
    assert.equal(b.size, 1);
    assert.notDeepEqual([...a], [...b]);
    assert.equal(clientCredentialRequests() - before, 2);
  });
});

describe("acquireTokenForClient over the default HTTP client, the emulator holding its answer", () => {
  /** Delays the daemon's next token answer; resolves once that request is at the emulator. */
  function delayNextAnswer(delayMs: number) {
    const fault = t.emu.faults.inject({ kind: "delay-headers", endpoint: "token", clientId: DAEMON, count: 1, delayMs });
    return async (): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (fault.hits === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
      assert.equal(fault.hits, 1, "the request reached the emulator");
    };
  }

  test("a waiter aborted mid-request rejects; the others get the token from the one request", async () => {
    const app = daemon(undefined);
    const before = clientCredentialRequests();
    const atEmulator = delayNextAnswer(300);
    const controller = new AbortController();
    const calls = Array.from({ length: 10 }, () => app.acquireTokenForClient(ORDERS));
    const aborted = app.acquireTokenForClient(ORDERS, { signal: controller.signal });
    await atEmulator();
    controller.abort();
    await assert.rejects(aborted, (e) => e === controller.signal.reason);
    assert.equal((await tokensOf(calls)).size, 1);
    assert.equal(clientCredentialRequests() - before, 1);
  });

  test("every waiter aborted mid-request: the request is cancelled, nothing is cached, the next call works", async () => {
    const cache = new SerializableTokenCache();
    const app = daemon(undefined, cache);
    ok(await app.acquireTokenForClient(GRAPH));
    const snapshot = cache.serialize();
    const atEmulator = delayNextAnswer(1000);
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const calls = controllers.map((c) => app.acquireTokenForClient(ORDERS, { signal: c.signal }));
    await atEmulator();
    for (const c of controllers) c.abort();
    for (const call of calls) await assert.rejects(call, { name: "AbortError" });
    assert.equal(cache.serialize(), snapshot);
    const next = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(next.token_source, "identity_provider");
  });
});

describe("acquireTokenSilent: concurrent misses share one refresh", () => {
  /** A signed-in web app whose access token is about to expire (so the cache misses). */
  async function expiringAccount(g: GatedClient) {
    const cache = new SerializableTokenCache();
    const app = webApp(t, { httpClient: g.http, tokenCache: cache });
    await signInWithAuthCode(t, app, ADELE);
    const [account] = await app.getAccounts();
    assert.ok(account);
    const at = cache.findAccessToken({
      home_account_id: account.home_account_id,
      environment: account.environment,
      client_id: WEB_APP,
      realm: t.emu.defaultTenantId,
      scopes: GRAPH_READ,
    });
    assert.ok(at, "an access token is cached");
    cache.modify("AccessToken", at, { expires_on: String(Math.floor(Date.now() / 1000) + 60) });
    return { app, account: account satisfies Account };
  }

  const refreshRequests = (): number => t.emu.tokenRequestCount({ clientId: WEB_APP, grantType: "refresh_token" });

  test("10 concurrent acquireTokenSilent with an expiring token make 1 refresh_token request", async () => {
    const g = await gatedClient();
    const { app, account } = await expiringAccount(g);
    const before = refreshRequests();
    g.hold();
    const calls = Array.from({ length: 10 }, () => app.acquireTokenSilent(GRAPH_READ, account));
    await g.heldCount(1);
    g.release();
    const tokens = await tokensOf(calls);
    assert.equal(tokens.size, 1);
    assert.equal(refreshRequests() - before, 1);
    const cached = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(cached.token_source, "cache");
    assert.ok(tokens.has(cached.access_token));
  });

  test("an aborted silent waiter rejects with AbortError; the others get the refreshed token", async () => {
    const g = await gatedClient();
    const { app, account } = await expiringAccount(g);
    const before = refreshRequests();
    const controller = new AbortController();
    g.hold();
    const calls = Array.from({ length: 5 }, () => app.acquireTokenSilentWithError(GRAPH_READ, account));
    const aborted = app.acquireTokenSilentWithError(GRAPH_READ, account, { signal: controller.signal });
    await g.heldCount(1);
    controller.abort();
    await assert.rejects(aborted, { name: "AbortError" });
    g.release();
    assert.equal((await tokensOf(calls)).size, 1);
    assert.equal(refreshRequests() - before, 1);
  });

  test("forceRefresh calls refresh on their own", async () => {
    const g = await gatedClient();
    const { app, account } = await expiringAccount(g);
    const before = refreshRequests();
    g.hold();
    const plain = app.acquireTokenSilent(GRAPH_READ, account);
    const forced = app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true });
    await g.heldCount(2);
    g.release();
    ok(await plain);
    ok(await forced);
    assert.equal(refreshRequests() - before, 2);
  });
});

describe("ManagedIdentityClient: concurrent misses share one request", () => {
  function miClient(g: GatedClient): ManagedIdentityClient {
    const mi = t.emu.managedIdentity;
    assert.ok(mi);
    return new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { httpClient: g.http, environment: mi.environment("app-service").env });
  }

  function miToken(r: ManagedIdentityResult): string {
    if ("error" in r) assert.fail(`expected a token, got ${r.error}: ${r.error_description ?? ""}`);
    return r.access_token;
  }

  test("10 concurrent calls for one resource make 1 request; an aborted one rejects alone", async () => {
    const mi = t.emu.managedIdentity;
    assert.ok(mi);
    const g = await gatedClient();
    const client = miClient(g);
    const before = mi.requestCount("app-service");
    const controller = new AbortController();
    g.hold();
    const calls = Array.from({ length: 10 }, () => client.acquireTokenForClient({ resource: MI_RESOURCE }));
    const aborted = client.acquireTokenForClient({ resource: MI_RESOURCE, signal: controller.signal });
    await g.heldCount(1);
    controller.abort();
    await assert.rejects(aborted, { name: "AbortError" });
    g.release();
    const tokens = new Set((await Promise.all(calls)).map(miToken));
    assert.equal(tokens.size, 1);
    assert.equal(mi.requestCount("app-service") - before, 1);
    const cached = await client.acquireTokenForClient({ resource: MI_RESOURCE });
    assert.ok(!("error" in cached) && cached.token_source === "cache");
  });

  test("every caller aborted: nothing reaches the endpoint, nothing is cached", async () => {
    const mi = t.emu.managedIdentity;
    assert.ok(mi);
    const g = await gatedClient();
    const client = miClient(g);
    const before = mi.requestCount("app-service");
    g.hold();
    const controllers = Array.from({ length: 3 }, () => new AbortController());
    const calls = controllers.map((c) => client.acquireTokenForClient({ resource: MI_RESOURCE, signal: c.signal }));
    await g.heldCount(1);
    for (const c of controllers) c.abort();
    for (const call of calls) await assert.rejects(call, { name: "AbortError" });
    g.release();
    assert.equal(mi.requestCount("app-service"), before);
    assert.equal(client.tokenCache.count().AccessToken, 0);
    const next = await client.acquireTokenForClient({ resource: MI_RESOURCE });
    assert.ok(!("error" in next) && next.token_source === "identity_provider");
  });
});
