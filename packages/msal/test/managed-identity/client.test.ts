// The ManagedIdentityClient policy, driven through the one seam: an in-memory HTTP client answering as IMDS.
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, test } from "node:test";
import {
  ManagedIdentityClient,
  ManagedIdentityError,
  NetworkError,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  type HttpClient,
  type HttpRequestInit,
  type ManagedIdentity,
  type ManagedIdentityClientOptions,
  type ManagedIdentityResult,
  type ManagedIdentityTokenResult,
} from "../../src/index.js";

const IMDS = "http://127.0.0.1:9/metadata/identity/oauth2/token";
const ENV = { MSAL_MANAGED_IDENTITY_ENDPOINT: IMDS };
const VAULT = "https://vault.azure.net";

interface Call {
  readonly url: URL;
  readonly init: HttpRequestInit;
}

type Answer = (call: Call, n: number) => Response | Promise<Response>;

function imds(answer: Answer) {
  const calls: Call[] = [];
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    for (const key of Object.keys(init)) assert.ok(["method", "headers", "body", "signal"].includes(key), `unexpected option ${key}`);
    const call = { url: new URL(url), init };
    calls.push(call);
    return answer(call, calls.length);
  };
  return { http, calls };
}

const tokenFor = (lifetime: number | string, n = 1, extra: object = {}): Response =>
  Response.json({ access_token: `token-${n}`, expires_in: String(lifetime), expires_on: "0", resource: VAULT, token_type: "Bearer", ...extra });

function client(http: HttpClient, extra: ManagedIdentityClientOptions = {}, identity: ManagedIdentity = new SystemAssignedManagedIdentity()) {
  return new ManagedIdentityClient(identity, { httpClient: http, environment: ENV, ...extra });
}

function ok(r: ManagedIdentityResult): ManagedIdentityTokenResult {
  if ("error" in r) assert.fail(`expected a token, got ${r.error}: ${r.error_description ?? ""}`);
  return r;
}

describe("cache first", () => {
  test("the second call comes from the cache, with the seconds left", async () => {
    const s = imds((_c, n) => tokenFor(3599, n));
    const c = client(s.http);
    const first = ok(await c.acquireTokenForClient({ resource: VAULT }));
    assert.deepEqual(first, { access_token: "token-1", token_type: "Bearer", expires_in: 3599, resource: VAULT, token_source: "identity_provider" });
    const second = ok(await c.acquireTokenForClient({ resource: VAULT }));
    assert.equal(second.access_token, "token-1");
    assert.equal(second.token_source, "cache");
    assert.ok(second.expires_in > 3500 && second.expires_in <= 3599);
    assert.equal(s.calls.length, 1);
  });

  test("tokens are cached per resource", async () => {
    const s = imds((_c, n) => tokenFor(3599, n));
    const c = client(s.http);
    await c.acquireTokenForClient({ resource: VAULT });
    const other = ok(await c.acquireTokenForClient({ resource: "https://management.azure.com" }));
    assert.equal(other.token_source, "identity_provider");
    assert.equal(s.calls.length, 2);
  });

  test("the cache entry is MSAL's managed identity entry", async () => {
    const cache = new SerializableTokenCache();
    const s = imds(() => tokenFor(3599));
    await client(s.http, { tokenCache: cache }).acquireTokenForClient({ resource: VAULT });
    await client(s.http, { tokenCache: cache }, new UserAssignedManagedIdentity({ clientId: "CID-1" })).acquireTokenForClient({ resource: VAULT });
    const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, Record<string, unknown>>; AppMetadata: object };
    const entries = Object.values(state.AccessToken);
    assert.deepEqual(entries.map((e) => e.client_id).sort(), ["CID-1", "SYSTEM_ASSIGNED_MANAGED_IDENTITY"]);
    for (const entry of entries) {
      assert.equal(entry.realm, "managed_identity");
      assert.equal(entry.environment, hostname().toLowerCase());
      assert.equal(entry.target, VAULT);
      assert.equal(entry.home_account_id, null);
      assert.equal(entry.token_type, "Bearer");
    }
    assert.equal(Object.keys(state.AppMetadata).length, 2);
  });

  test("a token with less than five minutes left is not handed out", async () => {
    const s = imds((_c, n) => tokenFor(299, n));
    const c = client(s.http);
    await c.acquireTokenForClient({ resource: VAULT });
    const again = ok(await c.acquireTokenForClient({ resource: VAULT }));
    assert.equal(again.token_source, "identity_provider");
    assert.equal(s.calls.length, 2);
  });

  test("a user-assigned identity's tokens are not the system-assigned one's", async () => {
    const cache = new SerializableTokenCache();
    const s = imds((_c, n) => tokenFor(3599, n));
    await client(s.http, { tokenCache: cache }).acquireTokenForClient({ resource: VAULT });
    const user = ok(
      await client(s.http, { tokenCache: cache }, new UserAssignedManagedIdentity({ objectId: "oid" })).acquireTokenForClient({ resource: VAULT }),
    );
    assert.equal(user.token_source, "identity_provider");
    assert.equal(s.calls[1]?.url.searchParams.get("object_id"), "oid");
  });
});

describe("refresh_in", () => {
  test("a token of two hours or more gets refresh_in at half-life, and refresh_on", async () => {
    const s = imds(() => tokenFor(86399));
    const before = Math.floor(Date.now() / 1000);
    const r = ok(await client(s.http).acquireTokenForClient({ resource: VAULT }));
    assert.equal(r.refresh_in, 43199);
    assert.ok(r.refresh_on !== undefined && r.refresh_on >= before + 43199 && r.refresh_on <= before + 43199 + 2);
  });

  test("a token under two hours gets none", async () => {
    const s = imds(() => tokenFor(7199));
    const r = ok(await client(s.http).acquireTokenForClient({ resource: VAULT }));
    assert.equal("refresh_in" in r, false);
    assert.equal("refresh_on" in r, false);
  });

  test("a source's own refresh_in wins", async () => {
    const s = imds(() => tokenFor(86399, 1, { refresh_in: "600" }));
    assert.equal(ok(await client(s.http).acquireTokenForClient({ resource: VAULT })).refresh_in, 600);
  });

  test("a cached token past refresh_on is refreshed; when that fails it is still handed out", async () => {
    const cache = new SerializableTokenCache();
    const now = Math.floor(Date.now() / 1000);
    // A token that is due for refresh: refresh_on in the past, hours left.
    cache.add(
      {
        client_id: "SYSTEM_ASSIGNED_MANAGED_IDENTITY",
        scope: [VAULT],
        token_endpoint: "https://localhost/managed_identity",
        environment: hostname().toLowerCase(),
        response: { access_token: "aging", expires_in: 7200, refresh_in: 10 },
      },
      now - 100,
    );
    const failing = imds(() => Response.json({ error: "unknown", error_description: "down" }, { status: 400 }));
    const fallback = ok(await client(failing.http, { tokenCache: cache }).acquireTokenForClient({ resource: VAULT }));
    assert.equal(fallback.access_token, "aging");
    assert.equal(fallback.token_source, "cache");
    assert.equal(failing.calls.length, 1);

    const broken = imds(() => {
      throw new TypeError("fetch failed");
    });
    assert.equal(ok(await client(broken.http, { tokenCache: cache }).acquireTokenForClient({ resource: VAULT })).access_token, "aging");

    const working = imds(() => tokenFor(3599, 2));
    const fresh = ok(await client(working.http, { tokenCache: cache }).acquireTokenForClient({ resource: VAULT }));
    assert.equal(fresh.access_token, "token-2");
    assert.equal(fresh.token_source, "identity_provider");
  });
});

describe("claimsChallenge", () => {
  test("skips the cache and is not sent", async () => {
    const s = imds((_c, n) => tokenFor(3599, n));
    const c = client(s.http);
    await c.acquireTokenForClient({ resource: VAULT });
    const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: "1700000000" } } });
    const fresh = ok(await c.acquireTokenForClient({ resource: VAULT, claimsChallenge: claims }));
    assert.equal(fresh.access_token, "token-2");
    assert.equal(fresh.token_source, "identity_provider");
    const sent = s.calls[1];
    assert.ok(sent);
    assert.deepEqual([...sent.url.searchParams.keys()].sort(), ["api-version", "resource"]);
    assert.equal(JSON.stringify(sent.init.headers).includes("nbf"), false);
    // The new token replaced the old one in the cache.
    assert.equal(ok(await c.acquireTokenForClient({ resource: VAULT })).access_token, "token-2");
  });
});

describe("failures", () => {
  test("a source's error is an error result, and nothing is cached", async () => {
    const cache = new SerializableTokenCache();
    const s = imds(() => Response.json({ error: "invalid_resource", error_description: "AADSTS500011" }, { status: 400 }));
    const r = await client(s.http, { tokenCache: cache }).acquireTokenForClient({ resource: VAULT });
    assert.deepEqual(r, { error: "invalid_resource", error_description: "AADSTS500011" });
    assert.equal(cache.count().AccessToken, 0);
  });

  test("a 429 is replayed from httpCache without a request", async () => {
    const httpCache = new Map<string, unknown>();
    const s = imds(() => Response.json({ error: "too_many_requests", error_description: "slow down" }, { status: 429, headers: { "retry-after": "60" } }));
    const first = await client(s.http, { httpCache }).acquireTokenForClient({ resource: VAULT });
    // Another client sharing the HTTP cache is throttled too.
    const second = await client(s.http, { httpCache }).acquireTokenForClient({ resource: VAULT });
    assert.deepEqual(second, first);
    assert.equal(s.calls.length, 1);
    assert.equal(httpCache.size, 1);
    assert.equal(JSON.stringify([...httpCache.values()]).includes("access_token"), false);
  });

  test("a body that is not JSON is thrown as NetworkError", async () => {
    const s = imds(() => new Response("<html>captive portal</html>", { status: 200, headers: { "content-type": "text/html" } }));
    await assert.rejects(
      client(s.http).acquireTokenForClient({ resource: VAULT }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_INVALID_RESPONSE",
    );
  });

  test("a transport failure is thrown as NetworkError naming the host", async () => {
    const s = imds(() => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
    });
    await assert.rejects(
      client(s.http).acquireTokenForClient({ resource: VAULT }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_NETWORK" && e.message.includes("127.0.0.1:9"),
    );
  });

  test("misconfiguration is thrown before any request", async () => {
    const s = imds(() => tokenFor(3599));
    const arc = { IDENTITY_ENDPOINT: "http://127.0.0.1:9/arc", IMDS_ENDPOINT: "http://127.0.0.1:9" };
    await assert.rejects(
      client(s.http, { environment: arc }, new UserAssignedManagedIdentity({ clientId: "c" })).acquireTokenForClient({ resource: VAULT }),
      (e: unknown) => e instanceof ManagedIdentityError && /azure-arc/.test(e.message),
    );
    await assert.rejects(
      client(s.http, { environment: { MSAL_MANAGED_IDENTITY_ENDPOINT: "nope" } }).acquireTokenForClient({ resource: VAULT }),
      ManagedIdentityError,
    );
    assert.equal(s.calls.length, 0);
  });

  test("the environment is read on every call", async () => {
    const env: Record<string, string> = { MSAL_MANAGED_IDENTITY_ENDPOINT: IMDS };
    const s = imds((_c, n) => tokenFor(3599, n));
    const c = client(s.http, { environment: env });
    await c.acquireTokenForClient({ resource: VAULT });
    env.MSAL_MANAGED_IDENTITY_ENDPOINT = "http://127.0.0.2:9/token";
    await c.acquireTokenForClient({ resource: "https://other" });
    assert.equal(s.calls[1]?.url.host, "127.0.0.2:9");
  });
});

describe("arguments", () => {
  test("resource is required", async () => {
    const c = client(imds(() => tokenFor(3599)).http);
    for (const options of [undefined, {}, { resource: "" }, { resource: 42 }]) {
      await assert.rejects(
        c.acquireTokenForClient(options as unknown as { resource: string }),
        (e: unknown) => e instanceof TypeError && typeof (e as { code?: unknown }).code === "string",
      );
    }
  });

  test("an aborted signal rejects with its reason, without a request", async () => {
    const s = imds(() => tokenFor(3599));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client(s.http).acquireTokenForClient({ resource: VAULT, signal: controller.signal }), { name: "AbortError" });
    assert.equal(s.calls.length, 0);
  });

  test("the signal reaches the HTTP client: a sole caller's abort cancels the request", async () => {
    const controller = new AbortController();
    let requestSignal: AbortSignal | undefined;
    const s = imds(
      ({ init }) =>
        new Promise<Response>((_resolve, reject) => {
          requestSignal = init.signal;
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason as unknown), { once: true });
          controller.abort();
        }),
    );
    await assert.rejects(client(s.http).acquireTokenForClient({ resource: VAULT, signal: controller.signal }), { name: "AbortError" });
    assert.equal(requestSignal?.aborted, true);
  });
});

describe("logger", () => {
  test("tells the source and each request's endpoint and outcome, never the token, resource or identity", async () => {
    const lines: Array<[string, string]> = [];
    const logger = (level: string, message: string): void => void lines.push([level, message]);
    const identity = new UserAssignedManagedIdentity({ clientId: "aaaa1111-client-id" });
    const failing = imds(() => Response.json({ error: "server_error" }, { status: 500 }));
    await client(failing.http, { logger }, identity).acquireTokenForClient({ resource: VAULT }).catch(() => undefined);
    const working = imds((_c, n) => tokenFor(3599, n));
    ok(await client(working.http, { logger }, identity).acquireTokenForClient({ resource: VAULT }));

    const text = lines.map(([level, m]) => `${level} ${m}`).join("\n");
    const endpoint = "HTTP GET http://127\\.0\\.0\\.1:9/metadata/identity/oauth2/token";
    assert.match(text, /^verbose Managed identity source: /m);
    assert.match(text, new RegExp(`^info ${endpoint} answered 500 in \\d+ ms$`, "m"));
    assert.match(text, new RegExp(`^verbose ${endpoint} answered 200 in \\d+ ms$`, "m"));
    for (const secret of ["token-1", "vault.azure.net", "aaaa1111-client-id", "api-version", "?"]) {
      assert.ok(!text.includes(secret), `the log names ${secret}`);
    }
  });

  test("must be a function", () => {
    assert.throws(() => client(imds(() => tokenFor(3599)).http, { logger: "verbose" as never }), TypeError);
  });
});
