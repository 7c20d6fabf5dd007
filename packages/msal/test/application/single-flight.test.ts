// Single flight: the primitive itself, then the client credentials policy driven through the one
// seam (an in-memory HTTP client whose token answers wait until the test lets them go).
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { SingleFlight, flightKey } from "../../src/application/single-flight.js";
import {
  ConfidentialClientApplication,
  PopAuthScheme,
  PublicClientApplication,
  SerializableTokenCache,
  type HttpRequestInit,
} from "../../src/index.js";

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An operation that counts its starts and settles when told; it rejects when its signal aborts. */
function operation<T>() {
  const starts: Array<AbortSignal | undefined> = [];
  const pending = deferred<T>();
  const start = (signal: AbortSignal | undefined): Promise<T> => {
    starts.push(signal);
    return new Promise<T>((resolve, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason as unknown), { once: true });
      pending.promise.then(resolve, reject);
    });
  };
  return { start, starts, resolve: pending.resolve, reject: pending.reject };
}

/** Lets queued microtasks (and the operation's start) run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("SingleFlight", () => {
  test("concurrent callers of one key share one operation and all get its value", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const waiters = Array.from({ length: 10 }, () => flights.join("k", undefined, op.start));
    await settle();
    assert.equal(op.starts.length, 1);
    assert.equal(flights.size, 1);
    op.resolve("token");
    assert.deepEqual(await Promise.all(waiters), Array(10).fill("token"));
    assert.equal(flights.size, 0, "the key is forgotten once settled");
  });

  test("a later caller starts a new operation: outcomes are never reused", async () => {
    const flights = new SingleFlight();
    let n = 0;
    const start = (): Promise<number> => Promise.resolve(++n);
    assert.equal(await flights.join("k", undefined, start), 1);
    assert.equal(await flights.join("k", undefined, start), 2);
  });

  test("distinct keys run distinct operations", async () => {
    const flights = new SingleFlight();
    const a = operation<string>();
    const b = operation<string>();
    const ra = flights.join("a", undefined, a.start);
    const rb = flights.join("b", undefined, b.start);
    await settle();
    assert.equal(a.starts.length + b.starts.length, 2);
    a.resolve("A");
    b.resolve("B");
    assert.deepEqual(await Promise.all([ra, rb]), ["A", "B"]);
  });

  test("a failure reaches every caller, and the next caller tries again", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const failure = new Error("unreachable");
    const waiters = [flights.join("k", undefined, op.start), flights.join("k", new AbortController().signal, op.start)];
    op.reject(failure);
    for (const w of waiters) await assert.rejects(w, (e) => e === failure);
    assert.equal(flights.size, 0);
    assert.equal(await flights.join("k", undefined, () => Promise.resolve("ok")), "ok");
  });

  test("an operation that throws at once rejects its callers", async () => {
    const flights = new SingleFlight();
    const failure = new TypeError("bad");
    await assert.rejects(
      flights.join("k", undefined, () => {
        throw failure;
      }),
      (e) => e === failure,
    );
    assert.equal(flights.size, 0);
  });

  test("one caller's abort rejects that caller only, with its signal's AbortError", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const quitter = new AbortController();
    const others = Array.from({ length: 3 }, () => flights.join("k", new AbortController().signal, op.start));
    const aborted = flights.join("k", quitter.signal, op.start);
    await settle();
    quitter.abort();
    await assert.rejects(aborted, (e) => e instanceof DOMException && e.name === "AbortError" && e === quitter.signal.reason);
    assert.equal(op.starts[0]?.aborted, false, "the shared operation goes on");
    op.resolve("token");
    assert.deepEqual(await Promise.all(others), ["token", "token", "token"]);
  });

  test("a caller's own abort reason is what it rejects with", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const controller = new AbortController();
    const stay = flights.join("k", undefined, op.start);
    const leave = flights.join("k", controller.signal, op.start);
    const reason = new Error("the user closed the page");
    controller.abort(reason);
    await assert.rejects(leave, (e) => e === reason);
    op.resolve("token");
    assert.equal(await stay, "token");
  });

  test("when every caller aborts, the operation is aborted and the key is free at once", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const controllers = [new AbortController(), new AbortController()];
    const waiters = controllers.map((c) => flights.join("k", c.signal, op.start));
    await settle();
    controllers[0]?.abort();
    assert.equal(op.starts[0]?.aborted, false, "one caller still waits");
    controllers[1]?.abort();
    for (const w of waiters) await assert.rejects(w, { name: "AbortError" });
    assert.equal(op.starts[0]?.aborted, true);
    assert.equal((op.starts[0]?.reason as Error).name, "AbortError");
    assert.equal(flights.size, 0);
    // A new caller does not join the cancelled operation.
    const next = operation<string>();
    const r = flights.join("k", undefined, next.start);
    next.resolve("fresh");
    assert.equal(await r, "fresh");
  });

  test("every caller aborting before the operation starts: it starts already aborted", async () => {
    const flights = new SingleFlight();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const r = flights.join("k", controller.signal, (signal) => {
      seen = signal;
      signal?.throwIfAborted();
      return Promise.resolve("sent");
    });
    controller.abort();
    await assert.rejects(r, { name: "AbortError" });
    await settle();
    assert.equal(seen?.aborted, true);
  });

  test("a first caller without a signal starts an operation nothing can abort: it gets no signal", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const controller = new AbortController();
    const first = flights.join("k", undefined, op.start);
    const second = flights.join("k", controller.signal, op.start);
    await settle();
    assert.deepEqual(op.starts, [undefined]);
    controller.abort();
    await assert.rejects(second, { name: "AbortError" });
    op.resolve("done");
    assert.equal(await first, "done");
  });

  test("a caller without a signal keeps the operation going when the others abort", async () => {
    const flights = new SingleFlight();
    const op = operation<string>();
    const controller = new AbortController();
    // The caller with a signal starts it, so the operation has a signal that could abort.
    const leave = flights.join("k", controller.signal, op.start);
    const stay = flights.join("k", undefined, op.start);
    await settle();
    controller.abort();
    await assert.rejects(leave, { name: "AbortError" });
    assert.equal(op.starts.length, 1);
    assert.equal(op.starts[0]?.aborted, false);
    op.resolve("token");
    assert.equal(await stay, "token");
  });

  test("an already aborted signal rejects without starting anything", async () => {
    const flights = new SingleFlight();
    let started = 0;
    await assert.rejects(
      flights.join("k", AbortSignal.abort(), () => Promise.resolve(++started)),
      { name: "AbortError" },
    );
    await settle();
    assert.equal(started, 0);
    assert.equal(flights.size, 0);
  });

  test("a signal that is not an AbortSignal is a TypeError", async () => {
    const flights = new SingleFlight();
    await assert.rejects(flights.join("k", {} as AbortSignal, () => Promise.resolve(1)), {
      name: "TypeError",
      code: "ERR_INVALID_ARG_TYPE",
    });
    assert.equal(flights.size, 0);
  });

  test("no abort listener outlives the wait", async () => {
    const flights = new SingleFlight();
    const controller = new AbortController();
    const op = operation<string>();
    const r = flights.join("k", controller.signal, op.start);
    assert.equal(getEventListeners(controller.signal, "abort").length, 1);
    op.resolve("token");
    await r;
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });
});

describe("flightKey", () => {
  test("records compare by content, whatever the order of their keys", () => {
    assert.equal(flightKey("x", { a: "1", b: "2" }), flightKey("x", { b: "2", a: "1" }));
    assert.notEqual(flightKey("x", { a: "1" }), flightKey("x", { a: "2" }));
  });

  test("a missing part is the same as null, and differs from an empty one", () => {
    assert.equal(flightKey("x", undefined), flightKey("x", null));
    assert.notEqual(flightKey("x", undefined), flightKey("x", {}));
  });

  test("parts cannot run into each other", () => {
    assert.notEqual(flightKey(["a b"]), flightKey(["a", "b"]));
    assert.notEqual(flightKey("a", "b"), flightKey("a,b"));
    assert.notEqual(flightKey(["a"], ["b"]), flightKey(["a", "b"]));
  });
});

// ---- the client credentials policy ----------------------------------------------------------

const BASE = "https://login.unit.test/9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2";

/** A fake authority whose token answers wait for `release()`; each POST gets its own token. */
function gatedAuthority() {
  const posts: URLSearchParams[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  let gate = deferred<void>();
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    if (url.includes("openid-configuration")) {
      return Response.json({
        issuer: `${BASE}/v2.0`,
        authorization_endpoint: `${BASE}/oauth2/v2.0/authorize`,
        token_endpoint: `${BASE}/oauth2/v2.0/token`,
        jwks_uri: `${BASE}/discovery/v2.0/keys`,
      });
    }
    const form = new URLSearchParams(init.body ?? "");
    posts.push(form);
    signals.push(init.signal);
    const n = posts.length;
    await new Promise<void>((resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(init.signal?.reason as unknown), { once: true });
      gate.promise.then(resolve, reject);
    });
    const pop = form.get("token_type") === "pop";
    return Response.json({ access_token: `AT-${n}`, token_type: pop ? "pop" : "Bearer", expires_in: 3600 });
  };
  return {
    http,
    posts,
    signals,
    release: () => {
      gate.resolve();
      gate = deferred<void>();
    },
  };
}

function cca(http: (url: string, init: HttpRequestInit) => Promise<Response>, tokenCache = new SerializableTokenCache()) {
  return new ConfidentialClientApplication("app-id", {
    clientCredential: "secret",
    authority: "https://login.unit.test/contoso.onmicrosoft.com",
    validateAuthority: false,
    httpClient: http,
    tokenCache,
  });
}

/**
 * Waits until the fake has seen `n` token requests (they come after discovery, and for PoP after
 * a key is made), then a little longer, to see that no more come.
 */
async function postsSeen(f: { posts: unknown[] }, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (f.posts.length < n && Date.now() < deadline) await settle();
  for (let i = 0; i < 20; i++) await settle();
  assert.equal(f.posts.length, n);
}

describe("acquireTokenForClient shares a cache miss", () => {
  test("first calls of a new app (discovery pending) share one request", async () => {
    const f = gatedAuthority();
    const app = cca(f.http);
    const calls = Array.from({ length: 20 }, () => app.acquireTokenForClient(["s1", "s2"]));
    await postsSeen(f, 1);
    f.release();
    const results = await Promise.all(calls);
    assert.deepEqual(new Set(results.map((r) => ("access_token" in r ? r.access_token : r.error))), new Set(["AT-1"]));
    assert.equal(f.posts.length, 1);
  });

  test("misses after discovery share one request; scopes in any order are the same token", async () => {
    const f = gatedAuthority();
    const app = cca(f.http);
    const warm = app.acquireTokenForClient(["warm"]);
    await postsSeen(f, 1);
    f.release();
    await warm;
    const calls = [app.acquireTokenForClient(["s1", "s2"]), app.acquireTokenForClient(["s2", "s1"])];
    await postsSeen(f, 2);
    f.release();
    const [a, b] = await Promise.all(calls);
    assert.ok(a && b && "access_token" in a && "access_token" in b);
    assert.equal(a.access_token, "AT-2");
    assert.equal(b.access_token, "AT-2");
  });

  test("distinct scopes and distinct data are distinct requests", async () => {
    const f = gatedAuthority();
    const app = cca(f.http);
    const calls = [
      app.acquireTokenForClient(["s1"]),
      app.acquireTokenForClient(["s2"]),
      app.acquireTokenForClient(["s1"], { data: { extra: "1" } }),
      app.acquireTokenForClient(["s1"], { data: { extra: "2" } }),
      app.acquireTokenForClient(["s1"], { data: { extra: "2" } }),
    ];
    await postsSeen(f, 4);
    f.release();
    await Promise.all(calls);
    assert.equal(f.posts.length, 4);
  });

  test("forceRefresh and claimsChallenge calls never share, with a miss or with each other", async () => {
    const f = gatedAuthority();
    const app = cca(f.http);
    const calls = [
      app.acquireTokenForClient(["s1"]),
      app.acquireTokenForClient(["s1"], { forceRefresh: true }),
      app.acquireTokenForClient(["s1"], { forceRefresh: true }),
      app.acquireTokenForClient(["s1"], { claimsChallenge: '{"access_token":{"nbf":{"essential":true,"value":"1"}}}' }),
    ];
    await postsSeen(f, 4);
    f.release();
    await Promise.all(calls);
    assert.equal(f.posts.length, 4);
  });

  test("PoP calls do not share: each result is signed for its own request", async () => {
    const f = gatedAuthority();
    const app = cca(f.http);
    const calls = [
      app.acquireTokenForClient(["s1"], { authScheme: new PopAuthScheme("GET", "https://api.unit.test/a", "n1") }),
      app.acquireTokenForClient(["s1"], { authScheme: new PopAuthScheme("GET", "https://api.unit.test/b", "n2") }),
    ];
    await postsSeen(f, 2);
    f.release();
    await Promise.all(calls);
  });

  test("an aborted caller rejects with AbortError; the others get the token, which is cached", async () => {
    const f = gatedAuthority();
    const cache = new SerializableTokenCache();
    const app = cca(f.http, cache);
    const controller = new AbortController();
    const aborted = app.acquireTokenForClient(["s1"], { signal: controller.signal });
    const others = Array.from({ length: 4 }, () => app.acquireTokenForClient(["s1"], { signal: new AbortController().signal }));
    await postsSeen(f, 1);
    controller.abort();
    await assert.rejects(aborted, { name: "AbortError" });
    assert.equal(f.signals[0]?.aborted, false, "the request goes on");
    f.release();
    for (const r of await Promise.all(others)) assert.ok("access_token" in r && r.access_token === "AT-1");
    const hit = await app.acquireTokenForClient(["s1"]);
    assert.ok("access_token" in hit && hit.token_source === "cache");
  });

  test("when every caller aborts, the request is cancelled and nothing is cached", async () => {
    const f = gatedAuthority();
    const cache = new SerializableTokenCache();
    const app = cca(f.http, cache);
    const warm = app.acquireTokenForClient(["warm"]);
    await postsSeen(f, 1);
    f.release();
    await warm;
    const before = cache.serialize();
    const controllers = [new AbortController(), new AbortController()];
    const calls = controllers.map((c) => app.acquireTokenForClient(["s1"], { signal: c.signal }));
    await postsSeen(f, 2);
    for (const c of controllers) c.abort();
    for (const r of calls) await assert.rejects(r, { name: "AbortError" });
    assert.equal(f.signals[1]?.aborted, true, "the request was cancelled");
    f.release();
    await settle();
    assert.equal(cache.serialize(), before);
    const next = app.acquireTokenForClient(["s1"]);
    await postsSeen(f, 3);
    f.release();
    const r = await next;
    assert.ok("access_token" in r && r.access_token === "AT-3");
  });
});

describe("getAccounts", () => {
  test("its signal cancels the authority alias lookup", async () => {
    let requests = 0;
    const app = new PublicClientApplication("app-id", {
      // A lookup of its own: no other test has memoised this endpoint's answer.
      instanceDiscovery: "https://login.unit.test/get-accounts-signal/discovery/instance",
      httpClient: () => {
        requests++;
        return Promise.resolve(Response.json({ metadata: [] }));
      },
    });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(app.getAccounts({ signal: controller.signal }), (e) => e === controller.signal.reason);
    assert.equal(requests, 0);
    assert.deepEqual(await app.getAccounts(), []);
    assert.equal(requests, 1);
  });
});
