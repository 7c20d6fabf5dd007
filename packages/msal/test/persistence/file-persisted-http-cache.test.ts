import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { _clearDiscoveryCache, discoverAuthority, getAuthorityAliases, parseAuthority } from "../../src/authority/index.js";
import { SharedCache } from "../../src/authority/shared-cache.js";
import { MsalError } from "../../src/errors.js";
import { createThrottledHttpClient, type HttpClient } from "../../src/http/index.js";
import { requestHash } from "../../src/http/throttled-http-client.js";
import { ConfidentialClientApplication, FilePersistedHttpCache, type HttpCache } from "../../src/index.js";
import { fakeHttpClient, json, openIdDocument } from "../authority/fake-http-client.js";
import { ok, startAuthority, type TestAuthority } from "../e2e/support.js";
import { defaultTenant } from "@msal-ts/emulator";

const root = mkdtempSync(join(tmpdir(), "msal-ts-http-cache-"));
let counter = 0;
const freshPath = (): string => join(root, `case-${++counter}`, "msal_http_cache.json");
const nowSeconds = (): number => Date.now() / 1000;

after(() => rmSync(root, { recursive: true, force: true }));

const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof MsalError && e.code === code && (message === undefined || message.test(e.message));

describe("FilePersistedHttpCache: a Map-like store in a shared file", () => {
  it("get, set, has, delete, size, keys and clear, saved as one JSON object (0600)", () => {
    const path = freshPath();
    const cache = new FilePersistedHttpCache(path);
    assert.equal(cache.get("a"), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.set("a", { n: 1 }), cache);
    cache.set("b", [1, "two", null]);
    assert.deepEqual(cache.get("a"), { n: 1 });
    assert.equal(cache.has("b"), true);
    assert.deepEqual([...cache.keys()], ["a", "b"]);
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { a: { n: 1 }, b: [1, "two", null] });
    if (process.platform !== "win32") assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(cache.delete("a"), true);
    assert.equal(cache.delete("a"), false);
    assert.equal(cache.size, 1);
    cache.clear();
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), {});
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it("stores JSON copies, and refuses what JSON cannot hold", () => {
    const cache = new FilePersistedHttpCache(freshPath());
    const value = { list: [1] };
    cache.set("k", value);
    value.list.push(2);
    assert.deepEqual(cache.get("k"), { list: [1] });
    assert.throws(() => cache.set("k", undefined), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => cache.set("k", () => 1), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => cache.set("k", 1n), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => cache.set(1 as never, 1), { code: "ERR_INVALID_ARG_TYPE" });
  });

  it("instances share the file: each reads the latest, and writers merge", () => {
    const path = freshPath();
    const a = new FilePersistedHttpCache(path);
    const b = new FilePersistedHttpCache(path);
    assert.equal(a.size, 0);
    assert.equal(b.size, 0);
    a.set("from-a", 1);
    b.set("from-b", 2); // b had not seen from-a
    assert.equal(a.get("from-b"), 2);
    assert.deepEqual([...b.keys()].sort(), ["from-a", "from-b"]);
    b.delete("from-a");
    assert.equal(a.has("from-a"), false);
  });

  it("drops expired records on write, and keeps within maxEntries by evicting the soonest to expire", () => {
    const path = freshPath();
    const cache = new FilePersistedHttpCache(path, { maxEntries: 3 });
    const now = nowSeconds();
    const record = (expiresIn: number, createdAgo = 1) => ({ value: "v", created_at: now - createdAgo, expires_at: now + expiresIn });
    cache.set("expired", record(-1));
    cache.set("future-dated", record(100, -100));
    cache.set("long", record(1000));
    assert.deepEqual([...cache.keys()], ["long"], "expired and future-dated records go on the next write");
    cache.set("short", record(10));
    cache.set("medium", record(100));
    cache.set("plain", "no expiry");
    assert.deepEqual([...cache.keys()].sort(), ["long", "medium", "short"], "a value without expiry goes first");
    cache.set("longer", record(2000));
    assert.deepEqual([...cache.keys()].sort(), ["long", "longer", "medium"], "then the soonest to expire");
  });

  it("a corrupt file: a clear ERR_CACHE_FORMAT, the bytes unchanged", () => {
    for (const bytes of [Buffer.from("{\"k\": "), Buffer.from("[]")]) {
      const path = freshPath();
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, bytes);
      const cache = new FilePersistedHttpCache(path);
      const format = isCode("ERR_CACHE_FORMAT", /the HTTP cache file .* left as it is/);
      assert.throws(() => cache.get("k"), format);
      assert.throws(() => cache.set("k", 1), format);
      assert.throws(() => cache.clear(), format);
      assert.deepEqual(readFileSync(path), bytes);
    }
  });

  it("encrypted at rest; a wrong key is a clear ERR_CACHE_DECRYPT, the bytes unchanged", () => {
    const path = freshPath();
    const key = randomBytes(32);
    new FilePersistedHttpCache(path, { encryptionKey: key }).set("GET https://login.example/doc", { issuer: "x" });
    const bytes = readFileSync(path);
    assert.equal(bytes.includes("login.example"), false);
    assert.deepEqual(new FilePersistedHttpCache(path, { encryptionKey: key }).get("GET https://login.example/doc"), { issuer: "x" });
    const wrong = new FilePersistedHttpCache(path, { encryptionKey: randomBytes(32) });
    assert.throws(() => wrong.get("k"), isCode("ERR_CACHE_DECRYPT"));
    assert.throws(() => wrong.set("k", 1), isCode("ERR_CACHE_DECRYPT"));
    assert.deepEqual(readFileSync(path), bytes);
  });

  it("refuses bad options", () => {
    assert.throws(() => new FilePersistedHttpCache(freshPath(), { maxEntries: 0 }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => new FilePersistedHttpCache(freshPath(), { maxEntries: 1.5 }), { code: "ERR_INVALID_ARG_VALUE" });
  });
});

describe("discovery through the application's httpCache", () => {
  const WW = "https://login.microsoftonline.com";
  const HOST = "https://login.contoso.example";
  const AUTHORIZE = `${HOST}/contoso/oauth2/v2.0/authorize`;
  const INSTANCE = `${WW}/common/discovery/instance?api-version=1.0&authorization_endpoint=${encodeURIComponent(AUTHORIZE)}`;
  const DOCUMENT = `${HOST}/contoso/v2.0/.well-known/openid-configuration`;
  const ALIASES =
    `${WW}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${WW}/common/oauth2/authorize`)}`;
  const routes = () => ({
    [INSTANCE]: json({ tenant_discovery_endpoint: DOCUMENT, "api-version": "1.1", metadata: [] }),
    [DOCUMENT]: json(openIdDocument(`${HOST}/contoso`)),
    [ALIASES]: json({ metadata: [{ aliases: ["login.contoso.example", "login.contoso-alias.example"] }] }),
  });
  const authority = parseAuthority(`${HOST}/contoso`);
  // What an application sends its discovery through: its client, throttled over its httpCache.
  const appClient = (http: HttpClient, httpCache: HttpCache): HttpClient =>
    createThrottledHttpClient(http, httpCache, { defaultRetryAfterSeconds: 5 });
  const getKey = (url: string): string => {
    const u = new URL(url);
    return `GET ${u.origin} hash=${requestHash(u.pathname, u.search)} 2xx`;
  };
  const JSON_HEADERS = [["content-type", "application/json; charset=utf-8"]];

  beforeEach(() => _clearDiscoveryCache());

  it("stores each 2xx answer as plain JSON under GET {origin} hash={path and query}, a day long; a fresh process memo then asks nothing", async () => {
    const httpCache = new Map<string, unknown>();
    const first = fakeHttpClient(routes());
    const before = nowSeconds();
    const m1 = await discoverAuthority(authority, { httpClient: appClient(first, httpCache) });
    assert.deepEqual(
      first.requests.map((r) => r.url),
      [INSTANCE, DOCUMENT],
    );
    assert.deepEqual([...httpCache.keys()], [getKey(INSTANCE), getKey(DOCUMENT)]);
    const record = httpCache.get(getKey(DOCUMENT)) as { value: unknown; created_at: number; expires_at: number };
    assert.deepEqual(record.value, { status: 200, headers: JSON_HEADERS, body: JSON.stringify(openIdDocument(`${HOST}/contoso`)) });
    assert.ok(record.created_at >= before && record.created_at <= nowSeconds());
    assert.equal(record.expires_at - record.created_at, 86_400);

    _clearDiscoveryCache();
    const second = fakeHttpClient(routes());
    const m2 = await discoverAuthority(authority, { httpClient: appClient(second, httpCache) });
    assert.equal(second.requests.length, 0);
    assert.equal(m2.token_endpoint, m1.token_endpoint);
    assert.equal(m2.tenant, "contoso");

    // The alias lookup, likewise.
    assert.deepEqual(await getAuthorityAliases(authority, { httpClient: appClient(second, httpCache) }), [
      "login.contoso.example",
      "login.contoso-alias.example",
    ]);
    _clearDiscoveryCache();
    const third = fakeHttpClient(routes());
    assert.deepEqual(await getAuthorityAliases(authority, { httpClient: appClient(third, httpCache) }), [
      "login.contoso.example",
      "login.contoso-alias.example",
    ]);
    assert.deepEqual(third.requests.map((r) => r.url), []);
    assert.deepEqual(second.requests.map((r) => r.url), [ALIASES]);
  });

  it("an expired or unusable stored answer is fetched again and replaced", async () => {
    const httpCache = new Map<string, unknown>();
    const now = nowSeconds();
    const answer = (body: unknown) => ({ status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) });
    httpCache.set(getKey(INSTANCE), { value: answer({ tenant_discovery_endpoint: DOCUMENT }), created_at: now - 90_000, expires_at: now - 3600 });
    httpCache.set(getKey(DOCUMENT), { value: answer({ token_endpoint: "http://insecure.example/t" }), created_at: now, expires_at: now + 3600 });
    const http = fakeHttpClient(routes());
    const m = await discoverAuthority(authority, { httpClient: appClient(http, httpCache) });
    assert.deepEqual(
      http.requests.map((r) => r.url),
      [INSTANCE, DOCUMENT],
    );
    assert.equal(m.token_endpoint, `${HOST}/contoso/oauth2/v2.0/token`);
    assert.deepEqual((httpCache.get(getKey(DOCUMENT)) as { value: unknown }).value, answer(openIdDocument(`${HOST}/contoso`)));
  });

  it("a fresh answer discovery cannot use fails, and is not kept", async () => {
    const httpCache = new Map<string, unknown>();
    const http = fakeHttpClient({ ...routes(), [DOCUMENT]: json({ token_endpoint: "http://insecure.example/t" }) });
    await assert.rejects(discoverAuthority(authority, { httpClient: appClient(http, httpCache) }), isCode("ERR_DISCOVERY"));
    assert.deepEqual(http.requests.map((r) => r.url), [INSTANCE, DOCUMENT]);
    assert.deepEqual([...httpCache.keys()], [getKey(INSTANCE)]);
  });

  it("failures are not stored", async () => {
    const httpCache = new Map<string, unknown>();
    const http = fakeHttpClient({ ...routes(), [DOCUMENT]: json({ error: "invalid_tenant" }, 400) });
    await assert.rejects(discoverAuthority(authority, { httpClient: appClient(http, httpCache) }), isCode("ERR_DISCOVERY"));
    assert.deepEqual([...httpCache.keys()], [getKey(INSTANCE)]);
  });

  it("a value from the HTTP cache stays in the process memo only as long as it was still valid", async () => {
    const memo = new SharedCache<string>();
    assert.equal(await memo.get("k", () => Promise.resolve({ value: "v", expiresAt: Date.now() - 1 })), "v");
    assert.equal(memo.peek("k"), undefined);
    assert.equal(await memo.get("k2", () => Promise.resolve({ value: "v2" })), "v2");
    assert.equal(memo.peek("k2"), "v2");
  });

  it("an httpCache option that is not Map-like is refused", () => {
    assert.throws(
      () => new ConfidentialClientApplication("c", { clientCredential: "s", httpCache: {} as HttpCache }),
      { code: "ERR_INVALID_ARG_TYPE" },
    );
  });
});

describe("a persisted httpCache across processes, on the emulator", () => {
  const DAEMON = { clientId: String(defaultTenant.apps[0].clientId), secret: String(defaultTenant.apps[0].secrets[0]) };
  let t: TestAuthority;

  before(async () => {
    t = await startAuthority();
  });
  after(() => t.emu.close());

  const discoveryGets = () => t.emu.requests.filter((r) => r.method === "GET");

  it("a second process's app (fresh memory, same file) makes no discovery request; the file holds no secret", async () => {
    const path = freshPath();
    _clearDiscoveryCache();
    t.emu.clearRequests();
    const first = new ConfidentialClientApplication(DAEMON.clientId, {
      ...t.appOptions,
      clientCredential: DAEMON.secret,
      httpCache: new FilePersistedHttpCache(path),
    });
    const r1 = ok(await first.acquireTokenForClient(["api://orders/.default"]));
    assert.deepEqual(
      discoveryGets().map((r) => r.path),
      ["/common/discovery/instance", `/${defaultTenant.id}/v2.0/.well-known/openid-configuration`],
    );
    const text = readFileSync(path, "utf8");
    assert.equal(text.includes(r1.access_token), false);
    assert.equal(text.includes(DAEMON.secret), false);
    // Two answers (instance discovery, whose query the library adds, and the tenant's document),
    // under keys that name the host and hash the rest.
    const origin = new URL(t.emu.authority).origin;
    const keys = Object.keys(JSON.parse(text) as object);
    assert.equal(keys.length, 2);
    assert.ok(keys.every((k) => k.startsWith(`GET ${origin} hash=`)));
    const document = new URL(`${t.emu.authority}/v2.0/.well-known/openid-configuration`);
    assert.ok(keys.includes(`GET ${origin} hash=${requestHash(document.pathname, document.search)} 2xx`));

    // What a new process has: nothing in memory, the same file.
    _clearDiscoveryCache();
    t.emu.clearRequests();
    const second = new ConfidentialClientApplication(DAEMON.clientId, {
      ...t.appOptions,
      clientCredential: DAEMON.secret,
      httpCache: new FilePersistedHttpCache(path),
    });
    const r2 = ok(await second.acquireTokenForClient(["api://orders/.default"]));
    assert.equal(r2.token_source, "identity_provider", "its token cache is its own, so it asked for a token");
    assert.deepEqual(discoveryGets(), [], "but asked nothing about the authority");
    assert.equal(t.emu.tokenRequestCount(), 1);
  });
});
