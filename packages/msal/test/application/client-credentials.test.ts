// The client credentials policy, driven through the one seam: an in-memory HTTP client.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfidentialClientApplication, SerializableTokenCache, type HttpRequestInit } from "../../src/index.js";

interface Call {
  url: string;
  init: HttpRequestInit;
  form: URLSearchParams;
}

function fakeAuthority(answer: (form: URLSearchParams, n: number) => { status: number; body: unknown }) {
  const calls: Call[] = [];
  let tokenCalls = 0;
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    const form = new URLSearchParams(init.body ?? "");
    calls.push({ url, init, form });
    const allowed = new Set(["method", "headers", "body", "signal"]);
    for (const k of Object.keys(init)) assert.ok(allowed.has(k), `unexpected option ${k}`);
    if (url.includes("openid-configuration")) {
      const base = "https://login.unit.test/9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2";
      return Response.json({
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      });
    }
    const { status, body } = answer(form, tokenCalls++);
    return Response.json(body, { status });
  };
  return { http, calls, tokenCalls: () => calls.filter((c) => c.init.method === "POST") };
}

function cca(http: (url: string, init: HttpRequestInit) => Promise<Response>, extra: object = {}) {
  return new ConfidentialClientApplication("app-id", {
    clientCredential: "secret",
    authority: "https://login.unit.test/contoso.onmicrosoft.com",
    validateAuthority: false,
    httpClient: http,
    ...extra,
  });
}

test("the request body and headers are MSAL's", async () => {
  const f = fakeAuthority(() => ({ status: 200, body: { access_token: "AT", token_type: "Bearer", expires_in: 3600 } }));
  const app = cca(f.http, { appName: "contoso-daemon", appVersion: "1.2.3" });
  await app.acquireTokenForClient(["s2", "s1"]);
  const [post] = f.tokenCalls();
  assert.ok(post);
  assert.equal(post.url, "https://login.unit.test/9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2/oauth2/v2.0/token");
  assert.deepEqual(Object.fromEntries(post.form), {
    client_id: "app-id",
    grant_type: "client_credentials",
    scope: "s1 s2",
    client_info: "1",
    client_secret: "secret",
  });
  const h = post.init.headers;
  assert.equal(h["x-client-sku"], "msal-ts");
  assert.equal(h["x-app-name"], "contoso-daemon");
  assert.equal(h["x-app-ver"], "1.2.3");
  assert.equal(h["x-ms-lib-capability"], "retry-after, h429");
  assert.equal(h["x-client-current-telemetry"], "4|730,2|");
  assert.match(h["client-request-id"] ?? "", /^[0-9a-f-]{36}$/);
});

test("tokens are cached under the tenant GUID of the token endpoint and the authority's host", async () => {
  const f = fakeAuthority(() => ({ status: 200, body: { access_token: "AT", token_type: "Bearer", expires_in: 3600 } }));
  const cache = new SerializableTokenCache();
  const app = cca(f.http, { tokenCache: cache });
  await app.acquireTokenForClient(["s1"]);
  const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, Record<string, unknown>> };
  const [[key, at]] = Object.entries(state.AccessToken) as [[string, Record<string, unknown>]];
  assert.equal(key, "-login.unit.test-accesstoken-app-id-9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2-s1");
  assert.equal(at.home_account_id, null);
  assert.equal(at.realm, "9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2");
});

test("a token with less than 5 minutes left is not handed out", async () => {
  let n = 0;
  const f = fakeAuthority(() => ({ status: 200, body: { access_token: `AT${++n}`, expires_in: 299 } }));
  const app = cca(f.http);
  const a = await app.acquireTokenForClient(["s1"]);
  const b = await app.acquireTokenForClient(["s1"]);
  assert.ok(!("error" in a) && !("error" in b));
  assert.equal(b.access_token, "AT2");
  assert.equal(b.token_source, "identity_provider");
  assert.equal(f.tokenCalls()[1]?.init.headers["x-client-current-telemetry"], "4|730,3|", "reported as expired, not absent");
});

test("past refresh_on the token is refreshed; if that fails the old one is still returned", async () => {
  const f = fakeAuthority((_form, n) =>
    n === 0
      ? { status: 200, body: { access_token: "OLD", expires_in: 3600, refresh_in: -1 } }
      : { status: 400, body: { error: "temporarily_unavailable", error_description: "try later" } },
  );
  const app = cca(f.http);
  const first = await app.acquireTokenForClient(["s1"]);
  assert.ok(!("error" in first));
  const second = await app.acquireTokenForClient(["s1"]);
  assert.equal(f.tokenCalls().length, 2, "the aging token triggered a refresh");
  assert.equal(f.tokenCalls()[1]?.init.headers["x-client-current-telemetry"], "4|730,4|");
  assert.ok(!("error" in second));
  assert.equal(second.access_token, "OLD");
  assert.equal(second.token_source, "cache");
});

test("an error result carries the server's fields and a correlation id", async () => {
  const f = fakeAuthority(() => ({
    status: 401,
    body: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided.", error_codes: [7000215] },
  }));
  const app = cca(f.http);
  const r = await app.acquireTokenForClient(["s1"]);
  assert.ok("error" in r);
  assert.equal(r.error, "invalid_client");
  assert.deepEqual(r.error_codes, [7000215]);
  assert.equal(r.correlation_id, f.tokenCalls()[0]?.init.headers["client-request-id"]);
  // The next request reports the failure in its last-telemetry header.
  await app.acquireTokenForClient(["s1"]);
  assert.match(f.tokenCalls()[1]?.init.headers["x-client-last-telemetry"] ?? "", /^4\|0\|730,[0-9a-f-]+\|invalid_client\|$/);
});

test("a 5xx without an OAuth error, and a body that is not JSON, throw NetworkError", async () => {
  for (const [status, body] of [[503, "<html>down</html>"], [200, "nope"]] as const) {
    const app = cca(async (url) =>
      url.includes("openid-configuration")
        ? Response.json({
            authorization_endpoint: "https://login.unit.test/t/oauth2/v2.0/authorize",
            token_endpoint: "https://login.unit.test/t/oauth2/v2.0/token",
          })
        : new Response(body, { status, headers: { "content-type": "text/html" } }),
    );
    await assert.rejects(app.acquireTokenForClient(["s1"]), (e: unknown) => {
      assert.equal((e as Error).name, "NetworkError");
      assert.doesNotMatch((e as Error).message, /<html>|nope/, "the body is not quoted");
      return true;
    });
  }
});

test("data adds body parameters and key_id reaches the cache entry", async () => {
  const f = fakeAuthority(() => ({ status: 200, body: { access_token: "AT", expires_in: 3600 } }));
  const cache = new SerializableTokenCache();
  const app = cca(f.http, { tokenCache: cache });
  await app.acquireTokenForClient(["s1"], { data: { key_id: "k1", extra: "x" } });
  assert.equal(f.tokenCalls()[0]?.form.get("extra"), "x");
  assert.match(cache.serialize(), /"key_id":\s*"k1"/);
});

test("an aborted signal rejects with the signal's reason", async () => {
  const f = fakeAuthority(() => ({ status: 200, body: { access_token: "AT", expires_in: 3600 } }));
  const app = cca(f.http);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(app.acquireTokenForClient(["s1"], { signal: ac.signal }), { name: "AbortError" });
});
