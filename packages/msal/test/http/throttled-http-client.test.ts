// Throttling of every application's HTTP client (client-behavior §5.1–5.2), through the one seam:
// an in-memory HTTP client, with an injected clock.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { MemoryHttpCache } from "../../src/http/http-cache.js";
import { createThrottledHttpClient } from "../../src/http/index.js";
import { GET_ANSWER_SECONDS, MAX_RETRY_AFTER_SECONDS, UI_REQUIRED_SECONDS } from "../../src/http/throttled-http-client.js";
import {
  ConfidentialClientApplication,
  FilePersistedHttpCache,
  PublicClientApplication,
  type HttpCache,
  type HttpClient,
  type HttpRequestInit,
} from "../../src/index.js";

const TOKEN = "https://login.unit.test/contoso/oauth2/v2.0/token";
const DOCUMENT = "https://login.unit.test/contoso/v2.0/.well-known/openid-configuration";
const FORM = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };

type Answer = (url: string, init: HttpRequestInit) => Response;

/** An authority answering from a script (the last answer repeats), recording what reached it. */
function authority(...answers: Answer[]) {
  const seen: Array<{ url: string; init: HttpRequestInit }> = [];
  const http: HttpClient = async (url, init) => {
    const answer = answers[Math.min(seen.length, answers.length - 1)];
    seen.push({ url, init });
    assert.ok(answer);
    return answer(url, init);
  };
  return { http, seen, count: () => seen.length };
}

const error = (status: number, headers: Record<string, string> = {}, error = "e"): Answer =>
  () =>
    Response.json(
      { error, error_description: `HTTP ${status}`, error_codes: [status] },
      { status, headers: { "x-ms-request-id": `rid-${status}`, "client-request-id": "cid", ...headers } },
    );
const tokens: Answer = () => Response.json({ access_token: "AT-secret", refresh_token: "RT-new-secret", token_type: "Bearer", expires_in: 3600 });
const document: Answer = () => Response.json({ token_endpoint: TOKEN });

function post(fields: Record<string, string>, url = TOKEN): [string, HttpRequestInit] {
  return [url, { method: "POST", headers: { ...FORM }, body: new URLSearchParams(fields).toString() }];
}

const refresh = (extra: Record<string, string> = {}) =>
  post({ client_id: "app", grant_type: "refresh_token", refresh_token: "RT-1", scope: "User.Read openid", ...extra });

/** A throttled client over `answers`, its store and a settable clock. */
function setup(answers: Answer[], defaultRetryAfterSeconds = 60, cache: HttpCache = new Map<string, unknown>()) {
  const server = authority(...answers);
  const clock = { now: 1_000_000 };
  const http = createThrottledHttpClient(server.http, cache, { defaultRetryAfterSeconds, clock: () => clock.now });
  return { http, server, clock, cache };
}

function lifetimes(cache: HttpCache): number[] {
  return [...(cache as Map<string, { created_at: number; expires_at: number }>).values()].map((r) => r.expires_at - r.created_at);
}

describe("layer 1: 429, 5xx and Retry-After on POSTs", () => {
  test("a 429 with Retry-After: 10 is replayed, exactly, without a request until 10 s have passed", async () => {
    const { http, server, clock } = setup([error(429, { "retry-after": "10" }), tokens]);
    const first = await http(...refresh());
    assert.equal(first.status, 429);
    const firstBody = await first.text();
    clock.now += 9.9;
    const replayed = await http(...refresh());
    assert.equal(server.count(), 1);
    assert.equal(replayed.status, 429);
    assert.equal(await replayed.text(), firstBody);
    for (const name of ["content-type", "retry-after", "x-ms-request-id", "client-request-id"]) {
      assert.equal(replayed.headers.get(name), first.headers.get(name), name);
    }
    assert.equal(replayed.url, TOKEN);
    clock.now += 0.1;
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(server.count(), 2);
  });

  test("a 5xx without Retry-After is replayed for the default: 60 s (public client), 5 s (confidential)", async () => {
    for (const seconds of [60, 5]) {
      const { http, server, clock, cache } = setup([error(503), tokens], seconds);
      await http(...refresh());
      assert.deepEqual(lifetimes(cache), [seconds]);
      clock.now += seconds - 0.001;
      assert.equal((await http(...refresh())).status, 503);
      clock.now += 0.001;
      assert.equal((await http(...refresh())).status, 200);
      assert.equal(server.count(), 2);
    }
  });

  test("a Retry-After that is an HTTP date counts as missing: the default applies", async () => {
    const { http, cache } = setup([error(429, { "retry-after": "Wed, 21 Oct 2099 07:28:00 GMT" })], 5);
    await http(...refresh());
    assert.deepEqual(lifetimes(cache), [5]);
  });

  test("Retry-After is capped at an hour", async () => {
    const { http, server, clock, cache } = setup([error(429, { "retry-after": "86400" }), tokens]);
    await http(...refresh());
    assert.deepEqual(lifetimes(cache), [MAX_RETRY_AFTER_SECONDS]);
    clock.now += MAX_RETRY_AFTER_SECONDS;
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(server.count(), 2);
  });

  test("any failure with Retry-After is replayed under this rule, a 400 included", async () => {
    const { http, server } = setup([error(400, { "retry-after": "30" }), tokens]);
    await http(...refresh());
    // Another body for the same account: not the 400 replay (which needs the same body), this one.
    assert.equal((await http(...refresh({ claims: "{}" }))).status, 400);
    assert.equal(server.count(), 1);
  });

  test("the key is endpoint, client_id, scope and account: any other request goes through", async () => {
    const { http, server } = setup([error(429, { "retry-after": "60" }), tokens]);
    await http(...refresh());
    const others: Array<[string, HttpRequestInit]> = [
      refresh({ scope: "Mail.Read openid" }),
      refresh({ client_id: "another-app" }),
      refresh({ refresh_token: "RT-2" }),
      refresh().with(0, TOKEN.replace("contoso", "fabrikam")) as [string, HttpRequestInit],
      refresh().with(0, `${TOKEN}?dc=ESTS-PUB-WUS2`) as [string, HttpRequestInit],
    ];
    for (const request of others) assert.equal((await http(...request)).status, 200, request[0]);
    assert.equal(server.count(), 1 + others.length);
  });

  test("requests for the same account are blocked together, whatever the grant or other fields", async () => {
    const { http, server } = setup([error(500)]);
    await http(...post({ client_id: "app", grant_type: "authorization_code", code: "C-1", scope: "s" }));
    const sameCode = post({ client_id: "app", grant_type: "authorization_code", code: "C-1", scope: "s", code_verifier: "v" });
    assert.equal((await http(...sameCode)).status, 500);
    // Without refresh token, code or username, all requests for the client and scope share one key.
    await http(...post({ client_id: "daemon", grant_type: "client_credentials", scope: "api/.default", client_secret: "S1" }));
    const other = post({ client_id: "daemon", grant_type: "client_credentials", scope: "api/.default", client_assertion: "A" });
    assert.equal((await http(...other)).status, 500);
    assert.equal(server.count(), 2);
  });

  test("a success is never kept, even with Retry-After; other 4xx are not kept", async () => {
    const withRetryAfter: Answer = () => Response.json({ access_token: "AT-secret" }, { headers: { "retry-after": "60" } });
    const { http, server, cache } = setup([withRetryAfter, error(401), error(404), tokens]);
    for (let i = 0; i < 4; i++) await http(...refresh());
    assert.equal(server.count(), 4);
    assert.equal((cache as Map<string, unknown>).size, 0);
  });

  test("a success is handed over as the very response the client returned", async () => {
    const original = Response.json({ access_token: "AT" });
    const { http } = setup([() => original]);
    assert.equal(await http(...refresh()), original);
  });
});

describe("layer 2: a plain 400 replayed to the very same request", () => {
  test("invalid_grant is replayed for 60 s to the same body; another body goes through", async () => {
    const { http, server, clock, cache } = setup([error(400, {}, "invalid_grant"), tokens]);
    const first = await http(...refresh());
    const body = await first.text();
    clock.now += UI_REQUIRED_SECONDS - 1;
    const replayed = await http(...refresh());
    assert.equal(replayed.status, 400);
    assert.equal(await replayed.text(), body);
    assert.equal(server.count(), 1);
    assert.deepEqual(lifetimes(cache), [UI_REQUIRED_SECONDS]);
    assert.equal((await http(...refresh({ claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}' }))).status, 200);
    assert.equal(server.count(), 2);
    clock.now += 1;
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(server.count(), 3);
  });

  test("device code polling is exempt: authorization_pending always reaches the authority", async () => {
    for (const grant of ["urn:ietf:params:oauth:grant-type:device_code", "device_code"]) {
      const { http, server, cache } = setup([error(400, {}, "authorization_pending"), error(400, {}, "authorization_pending"), tokens]);
      const poll = post({ client_id: "app", grant_type: grant, device_code: "DC-secret" });
      assert.equal((await http(...poll)).status, 400);
      assert.equal((await http(...poll)).status, 400);
      assert.equal((await http(...poll)).status, 200);
      assert.equal(server.count(), 3);
      assert.equal((cache as Map<string, unknown>).size, 0);
    }
  });

  test("a SOAP body is keyed whole too (WS-Trust); its form fields are none", async () => {
    const soap = (n: string): [string, HttpRequestInit] => [
      "https://sts.unit.test/adfs/services/trust/13/usernamemixed",
      { method: "POST", headers: { "content-type": "application/soap+xml; charset=utf-8" }, body: `<s:Envelope>${n}</s:Envelope>` },
    ];
    const { http, server } = setup([error(400), () => new Response("<ok/>")]);
    await http(...soap("a"));
    assert.equal((await http(...soap("a"))).status, 400);
    assert.equal((await http(...soap("b"))).status, 200);
    assert.equal(server.count(), 2);
  });

  test("layer 2 is consulted before layer 1", async () => {
    // A 400 for one body, then a 429 for the same account (another body): the first body gets its 400 back.
    const { http, server } = setup([error(400, {}, "invalid_grant"), error(429, { "retry-after": "60" })]);
    await http(...refresh());
    assert.equal((await http(...refresh({ claims: "{}" }))).status, 429);
    const again = await http(...refresh());
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: string }).error, "invalid_grant");
    assert.equal((await http(...refresh({ claims: '{"id_token":{}}' }))).status, 429);
    assert.equal(server.count(), 2);
  });
});

describe("GET keys", () => {
  test("a user realm lookup is kept under a key that does not name the user", async () => {
    const { http, cache } = setup([document]);
    const url = "https://login.unit.test/common/userrealm/adele.vance@contoso.example?api-version=1.0";
    assert.equal((await http(url, { method: "GET", headers: {} })).status, 200);
    const keys = [...(cache as Map<string, unknown>).keys()];
    assert.equal(keys.length, 1);
    assert.ok(keys[0]?.startsWith("GET https://login.unit.test hash="));
    assert.equal(keys.some((k) => /adele/i.test(k)), false);
  });
});

describe("an application's own store (privateCache)", () => {
  /** A Map that counts reads, to see whether a POST looked anything up. */
  function countingStore() {
    const map = new Map<string, unknown>();
    let reads = 0;
    const store: HttpCache = {
      get: (k) => {
        reads++;
        return map.get(k);
      },
      set: (k, v) => map.set(k, v),
      delete: (k) => map.delete(k),
    };
    return { store, reads: () => reads };
  }

  test("a POST looks nothing up until an answer was kept; then replays as ever, until it expires", async () => {
    const server = authority(tokens, error(429, { "retry-after": "7" }), tokens);
    const clock = { now: 1_000_000 };
    const { store, reads } = countingStore();
    const http = createThrottledHttpClient(server.http, store, { defaultRetryAfterSeconds: 5, clock: () => clock.now, privateCache: true });
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(reads(), 0, "nothing can have been kept: no lookup");
    assert.equal((await http(...refresh())).status, 429);
    assert.equal((await http(...refresh())).status, 429, "replayed");
    assert.equal(server.count(), 2);
    assert.ok(reads() > 0);
    clock.now += 7;
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(server.count(), 3);
    const before = reads();
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(reads(), before, "the kept answer expired: no lookup again");
  });

  test("a store the application passed in is always looked in: another process may have written it", async () => {
    const server = authority(tokens);
    const { store, reads } = countingStore();
    const http = createThrottledHttpClient(server.http, store, { defaultRetryAfterSeconds: 5 });
    assert.equal((await http(...refresh())).status, 200);
    assert.ok(reads() > 0);
  });
});

describe("GETs: a 2xx answer is reused for a day", () => {
  const get = (url: string, headers: Record<string, string> = {}): [string, HttpRequestInit] => [url, { method: "GET", headers }];

  test("keyed by URL and query, not headers; it expires after 24 h", async () => {
    const { http, server, clock, cache } = setup([document]);
    const first = await http(...get(DOCUMENT, { "client-request-id": "a" }));
    assert.deepEqual(await first.json(), { token_endpoint: TOKEN });
    const replayed = await http(...get(DOCUMENT, { "client-request-id": "b" }));
    assert.deepEqual(await replayed.json(), { token_endpoint: TOKEN });
    assert.equal(replayed.headers.get("content-type"), "application/json");
    assert.equal(server.count(), 1);
    assert.deepEqual(lifetimes(cache), [GET_ANSWER_SECONDS]);
    await http(...get(`${DOCUMENT}?appid=x`));
    assert.equal(server.count(), 2);
    clock.now += GET_ANSWER_SECONDS;
    await http(...get(DOCUMENT));
    assert.equal(server.count(), 3);
  });

  test("a GET that failed is asked again; a POST to the same URL is not answered from it", async () => {
    const { http, server } = setup([error(404), error(500), document, tokens]);
    assert.equal((await http(...get(DOCUMENT))).status, 404);
    assert.equal((await http(...get(DOCUMENT))).status, 500);
    assert.equal((await http(...get(DOCUMENT))).status, 200);
    assert.equal((await http(...post({ client_id: "app" }, DOCUMENT))).status, 200);
    assert.equal(server.count(), 4);
  });

  test("a 204 is replayed without a body", async () => {
    const { http, server } = setup([() => new Response(null, { status: 204 })]);
    await http(...get(DOCUMENT));
    const replayed = await http(...get(DOCUMENT));
    assert.equal(replayed.status, 204);
    assert.equal(await replayed.text(), "");
    assert.equal(server.count(), 1);
  });
});

describe("the store", () => {
  test("a record from a clock that went back is invalid", async () => {
    const { http, server, clock } = setup([error(429, { "retry-after": "60" }), tokens]);
    await http(...refresh());
    clock.now -= 1;
    assert.equal((await http(...refresh())).status, 200);
    assert.equal(server.count(), 2);
  });

  test("a record that cannot be replayed (changed by hand) is dropped and the request made", async () => {
    const { http, server, cache } = setup([error(429, { "retry-after": "60" }), tokens]);
    await http(...refresh());
    const [key] = (cache as Map<string, unknown>).keys();
    assert.ok(key);
    for (const value of [{ status: "429" }, { status: 99, headers: [], body: "" }, { status: 429, headers: [["bad name", "x"]], body: "" }]) {
      cache.set(key, { value, created_at: 0, expires_at: 1e12 });
      assert.equal((await http(...refresh())).status, 200);
      assert.equal(cache.get(key), undefined);
    }
    assert.equal(server.count(), 4);
  });

  test("the keys and values hold no secret: only hashes of refresh tokens, codes, usernames and bodies", async () => {
    const secrets = ["RT-secret-1", "AUTHCODE-secret-2", "alice@contoso.example", "P@ssw0rd-secret-3", "CLIENT-secret-4", "eyJassertion.secret.5"];
    const answers: Answer[] = [error(429, { "retry-after": "60" }), error(400, {}, "invalid_grant"), error(503)];
    const { http, cache } = setup(answers);
    const requests = [
      post({ client_id: "app", grant_type: "refresh_token", refresh_token: secrets[0]!, scope: "s", client_secret: secrets[4]! }),
      post({ client_id: "app", grant_type: "authorization_code", code: secrets[1]!, scope: "s", client_assertion: secrets[5]! }),
      post({ client_id: "app", grant_type: "password", username: secrets[2]!, password: secrets[3]!, scope: "s" }),
    ];
    for (const request of requests) await http(...request);
    const stored = JSON.stringify([...(cache as Map<string, unknown>)]);
    assert.equal((cache as Map<string, unknown>).size, 3);
    for (const secret of secrets) {
      assert.equal(stored.includes(secret), false, `${secret} leaked`);
      assert.equal(stored.includes(encodeURIComponent(secret)), false, `${secret} leaked (encoded)`);
    }
  });

  test("a MemoryHttpCache is bounded: expired records go first, then the soonest to expire", () => {
    const clock = { now: 100 };
    const cache = new MemoryHttpCache(3, () => clock.now);
    const record = (expires: number) => ({ value: 1, created_at: 100, expires_at: expires });
    cache.set("expired", record(101));
    cache.set("late", record(300));
    cache.set("soon", record(200));
    clock.now = 150;
    cache.set("a", record(400));
    assert.deepEqual([...cache.entries()].map(([k]) => k), ["late", "soon", "a"]);
    cache.set("b", record(500));
    assert.deepEqual([...cache.entries()].map(([k]) => k), ["late", "a", "b"]);
    cache.set("b", record(600));
    assert.equal(cache.size, 3, "replacing a key makes no room");
    cache.set("not a record", "x");
    cache.set("c", record(700));
    assert.deepEqual([...cache.entries()].map(([k]) => k), ["a", "b", "c"], "a value that is not a record goes before any");
    assert.throws(() => new MemoryHttpCache(0), { code: "ERR_INVALID_ARG_VALUE" });
  });

  test("through a throttled client, a MemoryHttpCache keeps at most its capacity", async () => {
    const cache = new MemoryHttpCache(4, () => 1_000_000);
    const { http } = setup([error(429, { "retry-after": "60" })], 60, cache);
    for (let i = 0; i < 10; i++) await http(...refresh({ refresh_token: `RT-${i}` }));
    assert.equal(cache.size, 4);
  });

  test("a FilePersistedHttpCache carries the throttling to another process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msal-ts-throttle-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "http_cache.json");
    const first = setup([error(429, { "retry-after": "60" })], 60, new FilePersistedHttpCache(path));
    // The file drops records the real clock says have expired.
    first.clock.now = Date.now() / 1000;
    await first.http(...refresh());
    const second = setup([tokens], 60, new FilePersistedHttpCache(path));
    second.clock.now = first.clock.now + 30;
    const replayed = await second.http(...refresh());
    assert.equal(replayed.status, 429);
    assert.equal(replayed.headers.get("retry-after"), "60");
    assert.equal(second.server.count(), 0);
    assert.equal(readFileSync(path, "utf8").includes("RT-1"), false);
  });

  test("wrapping a throttled client again throttles once, through the same sender", async () => {
    const server = authority(error(429, { "retry-after": "60" }), tokens);
    const inner = createThrottledHttpClient(server.http, new Map(), { defaultRetryAfterSeconds: 60 });
    const cache = new Map<string, unknown>();
    const outer = createThrottledHttpClient(inner, cache, { defaultRetryAfterSeconds: 60 });
    await outer(...refresh());
    assert.equal(cache.size, 1);
    assert.equal((await outer(...refresh())).status, 429);
    assert.equal(server.count(), 1);
  });

  test("an aborted signal throws its reason, replay or not", async () => {
    const { http, server } = setup([error(429, { "retry-after": "60" })]);
    await http(...refresh());
    const [url, init] = refresh();
    const reason = new Error("stop");
    await assert.rejects(http(url, { ...init, signal: AbortSignal.abort(reason) }), (e) => e === reason);
    assert.equal(server.count(), 1);
  });
});

describe("applications throttle their HTTP client, a caller's own included", () => {
  const base = "https://login.unit.test/contoso";
  const discovery: Answer = () =>
    Response.json({
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
    });
  const route = (token: Answer[]) => {
    let n = 0;
    return authority((url, init) => (init.method === "GET" ? discovery(url, init) : token[Math.min(n++, token.length - 1)]!(url, init)));
  };
  const options = (http: HttpClient) => ({ authority: base, validateAuthority: false, httpClient: http });

  test("a public client replays a 429 to the same refresh, without a request", async () => {
    const server = route([error(429, { "retry-after": "60" }, "temporarily_unavailable"), tokens]);
    const app = new PublicClientApplication("app", options(server.http));
    const first = await app.acquireTokenByRefreshToken("RT-1", ["User.Read"]);
    const second = await app.acquireTokenByRefreshToken("RT-1", ["User.Read"]);
    assert.ok("error" in first && first.error === "temporarily_unavailable");
    // The same answer; each call has its own correlation id.
    assert.deepEqual({ ...second, correlation_id: "" }, { ...first, correlation_id: "" });
    assert.equal(server.seen.filter((r) => r.init.method === "POST").length, 1);
    // Another app (its own in-memory store) is not throttled.
    const other = new PublicClientApplication("app", options(server.http));
    assert.ok(!("error" in (await other.acquireTokenByRefreshToken("RT-1", ["User.Read"]))));
  });

  test("apps sharing an httpCache share the throttling; a confidential client defaults to 5 s", async () => {
    const server = route([error(503, {}, "server_error"), tokens]);
    const httpCache = new Map<string, unknown>();
    const make = () => new ConfidentialClientApplication("daemon", { ...options(server.http), clientCredential: "S", httpCache });
    await make().acquireTokenForClient(["api/.default"]);
    const replayed = await make().acquireTokenForClient(["api/.default"]);
    assert.ok("error" in replayed && replayed.error === "server_error");
    assert.equal(server.seen.filter((r) => r.init.method === "POST").length, 1);
    const throttled = [...httpCache].filter(([k]) => k.startsWith("POST "));
    assert.deepEqual(lifetimes(new Map(throttled)), [5]);
    assert.equal(JSON.stringify([...httpCache]).includes('"S"'), false);
  });
});
