// Managed identity's own throttling (client-behavior §5.1, last bullet), with an injected clock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MemoryHttpCache } from "../../src/http/http-cache.js";
import { MAX_RETRY_AFTER_SECONDS, retryAfterSeconds } from "../../src/http/throttled-http-client.js";
import type { HttpRequestInit } from "../../src/index.js";
import { DEFAULT_RETRY_AFTER, throttleKey, throttled } from "../../src/managed-identity/throttle.js";

const URL_A = "http://127.0.0.1:1/token?api-version=1&resource=a";
const URL_B = "http://127.0.0.1:1/token?api-version=1&resource=b";
const GET: HttpRequestInit = { method: "GET", headers: { Metadata: "true" } };

function source(answers: Array<() => Response>) {
  let calls = 0;
  const http = async (): Promise<Response> => {
    const answer = answers[Math.min(calls, answers.length - 1)];
    calls++;
    assert.ok(answer);
    return answer();
  };
  return { http, calls: () => calls };
}

const fail = (status: number, retryAfter?: string) => () =>
  Response.json({ error: "e", error_description: `status ${status}` }, { status, headers: retryAfter ? { "retry-after": retryAfter } : {} });
const ok = () => Response.json({ access_token: "t", expires_in: "3600" });

describe("retryAfterSeconds with managed identity's default", () => {
  const table: Array<[number, string | null, number]> = [
    [429, null, DEFAULT_RETRY_AFTER],
    [500, null, DEFAULT_RETRY_AFTER],
    [503, "30", 30],
    [429, "7200", MAX_RETRY_AFTER_SECONDS],
    [429, "Wed, 21 Oct 2099 07:28:00 GMT", DEFAULT_RETRY_AFTER],
    [400, "10", 10],
    [400, null, 0],
    [401, null, 0],
    [404, null, 0],
    [200, "10", 0],
    [429, "0", 0],
  ];
  for (const [status, retryAfter, seconds] of table) {
    test(`${status} with Retry-After ${retryAfter} → ${seconds}`, () =>
      assert.equal(retryAfterSeconds(status, retryAfter, DEFAULT_RETRY_AFTER), seconds));
  }
});

describe("throttled", () => {
  test("a 429 is replayed for Retry-After seconds without a request, then asked again", async () => {
    let now = 1_000;
    const s = source([fail(429, "10"), ok]);
    const store = new Map<string, unknown>();
    const http = throttled(s.http, store, () => now);
    assert.equal((await http(URL_A, GET)).status, 429);
    now += 9.999;
    const replayed = await http(URL_A, GET);
    assert.equal(replayed.status, 429);
    assert.equal(replayed.headers.get("retry-after"), "10");
    assert.deepEqual(await replayed.json(), { error: "e", error_description: "status 429" });
    assert.equal(s.calls(), 1);
    now += 1;
    assert.equal((await http(URL_A, GET)).status, 200);
    assert.equal(s.calls(), 2);
    assert.equal(store.size, 0, "the expired entry was dropped and the success not kept");
  });

  test("a 5xx without Retry-After is replayed for 5 s", async () => {
    let now = 0;
    const s = source([fail(500), ok]);
    const http = throttled(s.http, new Map(), () => now);
    await http(URL_A, GET);
    now = 4.999;
    assert.equal((await http(URL_A, GET)).status, 500);
    now = 5;
    assert.equal((await http(URL_A, GET)).status, 200);
    assert.equal(s.calls(), 2);
  });

  test("another resource (another query) is not blocked", async () => {
    const s = source([fail(429, "60"), ok]);
    const http = throttled(s.http, new Map(), () => 0);
    await http(URL_A, GET);
    assert.equal((await http(URL_B, GET)).status, 200);
    assert.equal(s.calls(), 2);
  });

  test("headers are not part of the key: another secret is blocked too", async () => {
    const s = source([fail(429, "60"), ok]);
    const http = throttled(s.http, new Map(), () => 0);
    await http(URL_A, { method: "GET", headers: { Secret: "one" } });
    assert.equal((await http(URL_A, { method: "GET", headers: { Secret: "two" } })).status, 429);
    assert.equal(s.calls(), 1);
  });

  test("the body is part of the key (Cloud Shell POSTs its resource)", () => {
    assert.notEqual(throttleKey(URL_A, "resource=a"), throttleKey(URL_A, "resource=b"));
    assert.match(throttleKey(URL_A, undefined), /^REQ http:\/\/127\.0\.0\.1:1\/token hash=[0-9a-f]{64} 429\/5xx\/Retry-After$/);
  });

  test("successes and plain 4xx are never kept", async () => {
    const store = new Map<string, unknown>();
    const s = source([ok, fail(400), fail(401)]);
    const http = throttled(s.http, store, () => 0);
    await http(URL_A, GET);
    await http(URL_A, GET);
    await http(URL_A, GET);
    assert.equal(store.size, 0);
    assert.equal(s.calls(), 3);
  });

  test("a clock that went back invalidates an entry", async () => {
    let now = 10_000;
    const s = source([fail(429, "60"), ok]);
    const http = throttled(s.http, new Map(), () => now);
    await http(URL_A, GET);
    now = 9_000;
    assert.equal((await http(URL_A, GET)).status, 200);
  });

  test("a malformed entry in a shared store is ignored and dropped", async () => {
    const store = new Map<string, unknown>([[throttleKey(URL_A, undefined), { value: { status: "429" }, created_at: 0, expires_at: 1e12 }]]);
    const s = source([ok]);
    const http = throttled(s.http, store, () => 0);
    assert.equal((await http(URL_A, GET)).status, 200);
    assert.equal(store.size, 0);
  });

  test("the stored record is the HTTP cache's: the answer, when it was stored, when it expires", async () => {
    const store = new Map<string, unknown>();
    await throttled(source([fail(503, "30")]).http, store, () => 100)(URL_A, GET);
    assert.deepEqual(store.get(throttleKey(URL_A, undefined)), {
      value: { status: 503, headers: [["content-type", "application/json"], ["retry-after", "30"]], body: '{"error":"e","error_description":"status 503"}' },
      created_at: 100,
      expires_at: 130,
    });
  });

  test("the default store keeps at most 1024 answers, dropping the soonest to expire", async () => {
    const store = new MemoryHttpCache(1024, () => 0);
    let i = 0;
    const http = throttled(async () => fail(429, String(100 + (i++ % 7)))(), store, () => 0);
    for (let n = 0; n < 1100; n++) await http(`http://127.0.0.1:1/token?resource=${n}`, GET);
    assert.equal(store.size, 1024);
    const lifetimes = [...store.entries()].map(([, r]) => (r as { expires_at: number }).expires_at);
    // 1100 answers, a seventh of them for 100 s: the 76 dropped were all among those.
    assert.equal(lifetimes.filter((t) => t > 100).length, 1100 - Math.ceil(1100 / 7));
  });

  test("a caller's Map is not bounded, but an expired answer is dropped when asked again", async () => {
    let now = 0;
    const store = new Map<string, unknown>([["someone else's", 1]]);
    const s = source([fail(429, "10"), ok]);
    const http = throttled(s.http, store, () => now);
    await http(URL_A, GET);
    assert.equal(store.size, 2);
    now = 10;
    assert.equal((await http(URL_A, GET)).status, 200);
    assert.deepEqual([...store.keys()], ["someone else's"]);
  });
});
