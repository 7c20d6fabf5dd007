import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CredentialType, SerializableTokenCache, TokenCache } from "../../src/cache/index.js";
import type { AccessTokenQuery, RefreshTokenEntry } from "../../src/cache/index.js";
import { MsalError } from "../../src/errors.js";
import { FilePersistedTokenCache } from "../../src/index.js";
import { AAD_TOKEN_ENDPOINT, aadEvent, buildIdToken, buildResponse } from "../cache/fixtures.js";

const NOW = 1000;
const ENV = "login.example.com";
const root = mkdtempSync(join(tmpdir(), "msal-ts-file-cache-"));
let counter = 0;
/** A fresh path in a directory not created yet. */
const freshPath = (): string => join(root, `case-${++counter}`, "msal_token_cache.json");

after(() => rmSync(root, { recursive: true, force: true }));

/** An app-only access token for `scope`. */
function appToken(cache: TokenCache, scope: string, secret = `at-for-${scope}`, client_id = "my_client_id"): void {
  cache.add(aadEvent(buildResponse({ access_token: secret, token_type: "Bearer" }), { client_id, scope: [scope] }), NOW);
}

const appQuery = (scope: string, client_id = "my_client_id"): AccessTokenQuery => ({
  home_account_id: null,
  environment: ENV,
  client_id,
  realm: "contoso",
  scopes: [scope],
});

/** The AccessToken targets in a plaintext cache file. */
function targetsInFile(path: string): string[] {
  const doc = JSON.parse(readFileSync(path, "utf8")) as { AccessToken?: Record<string, { target: string }> };
  return Object.values(doc.AccessToken ?? {})
    .map((e) => e.target)
    .sort();
}

const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof MsalError && e.code === code && (message === undefined || message.test(e.message));

describe("FilePersistedTokenCache: saving and sharing", () => {
  it("writes through on every change, creating the directory, as a file every MSAL reads", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path);
    assert.equal(cache.path, path);
    assert.equal(cache.findAccessToken(appQuery("s1"), NOW), undefined, "a missing file is an empty cache");
    assert.equal(existsSync(path), false, "reads create nothing");
    appToken(cache, "s1");
    assert.deepEqual(targetsInFile(path), ["s1"]);
    assert.equal(cache.hasStateChanged, false, "nothing is left to save");

    const plain = new SerializableTokenCache();
    plain.deserialize(readFileSync(path, "utf8"));
    assert.equal(plain.findAccessToken(appQuery("s1"), NOW)?.secret, "at-for-s1");
    assert.deepEqual(readdirSync(join(path, "..")), ["msal_token_cache.json"], "no temporary file or lock is left");
  });

  it("creates the file readable and writable by its owner alone (0600)", { skip: process.platform === "win32" }, () => {
    const path = freshPath();
    appToken(new FilePersistedTokenCache(path), "s1");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    // A file another tool created more openly is replaced by a private one on the next write.
    writeFileSync(path, readFileSync(path), { mode: 0o644 });
    appToken(new FilePersistedTokenCache(path), "s2");
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("a second instance sees the first one's changes before every lookup (reload on change)", () => {
    const path = freshPath();
    const a = new FilePersistedTokenCache(path);
    const b = new FilePersistedTokenCache(path);
    assert.equal(b.findAccessToken(appQuery("s1"), NOW), undefined);
    appToken(a, "s1");
    assert.equal(b.findAccessToken(appQuery("s1"), NOW)?.secret, "at-for-s1");
    assert.equal(b.count().AccessToken, 1);
    const entry = a.findAccessToken(appQuery("s1"), NOW)!;
    assert.equal(a.remove(CredentialType.ACCESS_TOKEN, entry), true);
    assert.equal(b.findAccessToken(appQuery("s1"), NOW), undefined, "the removal is seen too");
    assert.equal(b.serialize(), readFileSync(path, "utf8"));
  });

  it("a file deleted by someone else is an empty cache again", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path);
    appToken(cache, "s1");
    rmSync(path);
    assert.equal(cache.findAccessToken(appQuery("s1"), NOW), undefined);
    appToken(cache, "s2");
    assert.deepEqual(targetsInFile(path), ["s2"]);
  });
});

describe("FilePersistedTokenCache: concurrent writers merge", () => {
  it("add: each writer applies its token to the latest file, never its own stale copy", () => {
    const path = freshPath();
    const a = new FilePersistedTokenCache(path);
    const b = new FilePersistedTokenCache(path);
    // Both load the empty cache, then write without reading in between.
    assert.equal(a.count().AccessToken, 0);
    assert.equal(b.count().AccessToken, 0);
    appToken(a, "s1");
    appToken(b, "s2");
    appToken(a, "s3");
    assert.deepEqual(targetsInFile(path), ["s1", "s2", "s3"]);
  });

  it("remove, modify and removeAccessTokensForClient are replayed on the latest file too", () => {
    const path = freshPath();
    const a = new FilePersistedTokenCache(path);
    const b = new FilePersistedTokenCache(path);
    appToken(a, "s1");
    appToken(a, "s2");
    const s1 = b.findAccessToken(appQuery("s1"), NOW)!; // b is now up to date
    appToken(a, "s3"); // b has not seen s3
    assert.equal(b.remove(CredentialType.ACCESS_TOKEN, s1), true);
    assert.deepEqual(targetsInFile(path), ["s2", "s3"], "s3 survives b's removal");

    const s2 = a.findAccessToken(appQuery("s2"), NOW)!;
    appToken(b, "s4"); // a has not seen s4
    a.modify(CredentialType.ACCESS_TOKEN, s2, { ext: "marked" });
    assert.deepEqual(targetsInFile(path), ["s2", "s3", "s4"]);
    assert.equal(b.findAccessToken(appQuery("s2"), NOW)?.["ext"], "marked");

    appToken(a, "other", "at-other", "other_client");
    assert.equal(b.removeAccessTokensForClient("my_client_id", [ENV]), 3);
    assert.deepEqual(targetsInFile(path), ["other"]);
  });

  it("removeAccount and updateRefreshToken work on the latest file, reading under the same lock", () => {
    const path = freshPath();
    const a = new FilePersistedTokenCache(path);
    const b = new FilePersistedTokenCache(path);
    const user = (uid: string) =>
      aadEvent(buildResponse({ uid, utid: "utid", access_token: `at-${uid}`, refresh_token: `rt-${uid}`, id_token: buildIdToken({ oid: uid }) }), {
        scope: ["s1"],
      });
    a.add(user("u1"), NOW);
    const rt = b.findRefreshTokens({ home_account_id: "u1.utid", environment: ENV })[0] as RefreshTokenEntry;
    a.add(user("u2"), NOW); // b has not seen u2
    b.updateRefreshToken(rt, "rt-u1-new", NOW + 1);
    assert.equal(a.findRefreshTokens({ home_account_id: "u1.utid", environment: ENV })[0]?.secret, "rt-u1-new");
    assert.equal(a.findRefreshTokens({ home_account_id: "u2.utid", environment: ENV }).length, 1, "u2 survives");

    const removed = b.removeAccount({ home_account_id: "u1.utid", environment: ENV }, "my_client_id");
    assert.equal(removed, 4, "RT, AT, ID token and account of u1");
    assert.deepEqual(
      a.getAccounts().map((x) => x.home_account_id),
      ["u2.utid"],
    );
  });

  it("deserialize replaces the file; serialize gives what the file holds", () => {
    const path = freshPath();
    const a = new FilePersistedTokenCache(path);
    const b = new FilePersistedTokenCache(path);
    appToken(a, "s1");
    const other = new SerializableTokenCache();
    appToken(other, "x1");
    b.deserialize(other.serialize());
    assert.deepEqual(targetsInFile(path), ["x1"]);
    assert.equal(a.serialize(), other.serialize());
    assert.throws(() => b.deserialize("[1, 2]"), isCode("ERR_CACHE_FORMAT"));
    assert.deepEqual(targetsInFile(path), ["x1"], "a refused state writes nothing");
  });

  it("keeps other MSALs' sections, entries and fields through its writes", () => {
    const path = freshPath();
    mkdirSync(join(path, ".."), { recursive: true });
    const foreign = {
      AccessToken: { "odd-key": { foo: "bar" } },
      AnotherSdkSection: { x: [1, { y: null }] },
      customized: "whatever",
    };
    writeFileSync(path, JSON.stringify(foreign));
    appToken(new FilePersistedTokenCache(path), "s1");
    const doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, unknown>>;
    assert.deepEqual(doc["AnotherSdkSection"], foreign.AnotherSdkSection);
    assert.equal(doc["customized"], "whatever");
    assert.deepEqual(doc["AccessToken"]?.["odd-key"], { foo: "bar" });
  });

  it("keeps non-ASCII text, and reads a file that starts with a byte order mark", () => {
    const name = "zoë@例え.jp";
    const key = randomBytes(32);
    for (const options of [{}, { encryptionKey: key }]) {
      const path = freshPath();
      new FilePersistedTokenCache(path, options).add(
        aadEvent(buildResponse({ uid: "u", utid: "t", access_token: "at", id_token: buildIdToken({ oid: "u", preferred_username: name }) })),
        NOW,
      );
      assert.equal(new FilePersistedTokenCache(path, options).getAccounts()[0]?.username, name);
      if (!("encryptionKey" in options)) {
        writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(path)]));
        assert.equal(new FilePersistedTokenCache(path).getAccounts()[0]?.username, name);
      }
    }
  });

  it("a change that throws writes nothing", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path);
    appToken(cache, "s1");
    const before = readFileSync(path);
    assert.throws(() => cache.add({ client_id: "c" } as never, NOW), TypeError);
    assert.throws(() => cache.updateRefreshToken(cache.findRefreshTokens({ home_account_id: "x", environment: ENV })[0]!, "", NOW), TypeError);
    assert.deepEqual(readFileSync(path), before);
    assert.equal(cache.count().AccessToken, 1);
  });

  it("overrides every public method of TokenCache, so that none bypasses the file", () => {
    const names = (proto: object) =>
      Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, n)?.value === "function");
    const own = new Set(names(FilePersistedTokenCache.prototype));
    for (const name of [...names(TokenCache.prototype), ...names(SerializableTokenCache.prototype)]) {
      if (name === "stateChanged" || name === "exportState" || name === "importState") continue; // protected hooks
      assert.ok(own.has(name), `FilePersistedTokenCache overrides ${name}`);
    }
  });
});

describe("FilePersistedTokenCache: a file that is not a token cache is never written over", () => {
  for (const [what, bytes] of [
    ["not JSON", Buffer.from("{\"AccessToken\": {\"k\": {\"secret\": \"abc\"")],
    ["a JSON array", Buffer.from("[1, 2, 3]")],
    ["a section that is not an object", Buffer.from("{\"AccessToken\": 42}")],
    ["binary garbage", randomBytes(64)],
  ] as const) {
    it(`${what}: a clear ERR_CACHE_FORMAT on every read and write, the bytes unchanged`, () => {
      const path = freshPath();
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, bytes);
      const cache = new FilePersistedTokenCache(path);
      const format = isCode("ERR_CACHE_FORMAT", new RegExp(`the token cache file .*msal_token_cache\\.json is not a token cache.*left as it is`, "s"));
      assert.throws(() => cache.findAccessToken(appQuery("s1"), NOW), format);
      assert.throws(() => cache.getAccounts(), format);
      assert.throws(() => appToken(cache, "s1"), format);
      assert.throws(() => cache.removeAccessTokensForClient("my_client_id", [ENV]), format);
      assert.throws(() => appToken(cache, "s1"), format, "and again: a refused file is never taken as seen");
      assert.deepEqual(readFileSync(path), bytes);
      assert.equal(existsSync(`${path}.lock`), false, "the lock was released");
      assert.deepEqual(readdirSync(join(path, "..")), ["msal_token_cache.json"]);
    });
  }

  it("a file corrupted after it was loaded: the next access fails, and the memory is not written back", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path);
    appToken(cache, "s1");
    const garbage = Buffer.from("{ truncated");
    writeFileSync(path, garbage);
    assert.throws(() => cache.findAccessToken(appQuery("s1"), NOW), isCode("ERR_CACHE_FORMAT"));
    assert.throws(() => appToken(cache, "s2"), isCode("ERR_CACHE_FORMAT"));
    assert.deepEqual(readFileSync(path), garbage);
  });

  it("the message names the place, never the contents", () => {
    const path = freshPath();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "{\"AccessToken\": {\"k\": {\"secret\": \"super-secret-token\"}}, oops}");
    assert.throws(
      () => new FilePersistedTokenCache(path).count(),
      (e: unknown) => e instanceof MsalError && /position \d+/.test(e.message) && !e.message.includes("super-secret-token"),
    );
  });
});

describe("FilePersistedTokenCache: encryption at rest", () => {
  const key = randomBytes(32);

  it("encrypts with AES-256-GCM in a versioned envelope; the same key reads it back", () => {
    const path = freshPath();
    appToken(new FilePersistedTokenCache(path, { encryptionKey: key }), "s1", "very-secret-access-token");
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 6).toString("latin1"), "MSALTS");
    assert.equal(bytes[6], 1, "format version 1");
    assert.equal(bytes.includes("very-secret-access-token"), false);
    assert.equal(bytes.includes("AccessToken"), false);
    const again = new FilePersistedTokenCache(path, { encryptionKey: new Uint8Array(key) });
    assert.equal(again.findAccessToken(appQuery("s1"), NOW)?.secret, "very-secret-access-token");
    if (process.platform !== "win32") assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it("two writes of the same state differ (a fresh IV each time)", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path, { encryptionKey: key });
    const state = new SerializableTokenCache();
    appToken(state, "s1");
    cache.deserialize(state.serialize());
    const first = readFileSync(path);
    cache.deserialize(state.serialize());
    assert.notDeepEqual(readFileSync(path), first);
  });

  const refusals: Array<[string, (path: string) => FilePersistedTokenCache, RegExp]> = [
    ["a wrong key", (p) => new FilePersistedTokenCache(p, { encryptionKey: randomBytes(32) }), /cannot be decrypted.*not the one it was written with/s],
    ["no key", (p) => new FilePersistedTokenCache(p), /is encrypted; pass the encryptionKey/],
  ];
  for (const [what, open, message] of refusals) {
    it(`${what}: a clear ERR_CACHE_DECRYPT on reads and writes, the bytes unchanged`, () => {
      const path = freshPath();
      appToken(new FilePersistedTokenCache(path, { encryptionKey: key }), "s1");
      const bytes = readFileSync(path);
      const cache = open(path);
      assert.throws(() => cache.findAccessToken(appQuery("s1"), NOW), isCode("ERR_CACHE_DECRYPT", message));
      assert.throws(() => appToken(cache, "s2"), isCode("ERR_CACHE_DECRYPT", message));
      assert.throws(() => cache.deserialize("{}"), isCode("ERR_CACHE_DECRYPT"));
      assert.deepEqual(readFileSync(path), bytes);
      assert.equal(existsSync(`${path}.lock`), false);
    });
  }

  it("a tampered file (one bit of ciphertext, or of the header) fails authentication; it is left as it is", () => {
    for (const offset of [30, 6]) {
      const path = freshPath();
      appToken(new FilePersistedTokenCache(path, { encryptionKey: key }), "s1");
      const bytes = readFileSync(path);
      bytes[offset] = bytes[offset]! ^ 1;
      writeFileSync(path, bytes);
      const cache = new FilePersistedTokenCache(path, { encryptionKey: key });
      assert.throws(() => appToken(cache, "s2"), isCode("ERR_CACHE_DECRYPT"));
      assert.deepEqual(readFileSync(path), bytes);
    }
  });

  it("a plaintext cache is not silently replaced by an encrypted one", () => {
    const path = freshPath();
    appToken(new FilePersistedTokenCache(path), "s1");
    const bytes = readFileSync(path);
    const cache = new FilePersistedTokenCache(path, { encryptionKey: key });
    assert.throws(() => appToken(cache, "s2"), isCode("ERR_CACHE_DECRYPT", /is not encrypted, but an encryptionKey was given/));
    assert.deepEqual(readFileSync(path), bytes);
  });

  it("refuses a key that is not 32 bytes", () => {
    assert.throws(() => new FilePersistedTokenCache(freshPath(), { encryptionKey: randomBytes(16) }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => new FilePersistedTokenCache(freshPath(), { encryptionKey: "k".repeat(32) as never }), { code: "ERR_INVALID_ARG_TYPE" });
  });
});

describe("FilePersistedTokenCache: the lock", () => {
  it("waits for a live lock, then fails with ERR_CACHE_LOCK, writing nothing", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path, { lockStaleSeconds: 10, lockTimeoutSeconds: 0.3 });
    appToken(cache, "s1");
    const before = readFileSync(path);
    mkdirSync(`${path}.lock`); // another process's fresh lock
    try {
      const started = Date.now();
      assert.throws(() => appToken(cache, "s2"), isCode("ERR_CACHE_LOCK", /Timed out after 0\.3 s waiting for the lock/));
      assert.ok(Date.now() - started >= 250, "it waited");
      assert.deepEqual(readFileSync(path), before);
      assert.equal(cache.findAccessToken(appQuery("s1"), NOW)?.secret, "at-for-s1", "reads need no lock");
      assert.equal(cache.findAccessToken(appQuery("s2"), NOW), undefined, "the failed write is not in memory either");
    } finally {
      rmSync(`${path}.lock`, { recursive: true, force: true });
    }
    appToken(cache, "s2");
    assert.deepEqual(targetsInFile(path), ["s1", "s2"]);
  });

  it("breaks a lock left by a dead process once it is older than lockStaleSeconds", () => {
    const path = freshPath();
    const cache = new FilePersistedTokenCache(path, { lockStaleSeconds: 2, lockTimeoutSeconds: 1 });
    mkdirSync(join(path, ".."), { recursive: true });
    mkdirSync(`${path}.lock`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    appToken(cache, "s1");
    assert.deepEqual(targetsInFile(path), ["s1"]);
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it("breaks a stale lock only while holding {lock}.break, which a dead breaker does not block for long", () => {
    const path = freshPath();
    mkdirSync(join(path, ".."), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    // Another process is breaking the stale lock right now: this one leaves it to that one.
    mkdirSync(`${path}.lock`);
    utimesSync(`${path}.lock`, old, old);
    mkdirSync(`${path}.lock.break`);
    const waiting = new FilePersistedTokenCache(path, { lockStaleSeconds: 2, lockTimeoutSeconds: 0.3 });
    assert.throws(() => appToken(waiting, "s1"), isCode("ERR_CACHE_LOCK"));
    assert.ok(existsSync(`${path}.lock`), "the stale lock was left to the breaker");
    // That breaker died: its own marker goes stale, and then the lock is broken after all.
    utimesSync(`${path}.lock.break`, old, old);
    appToken(new FilePersistedTokenCache(path, { lockStaleSeconds: 2, lockTimeoutSeconds: 1 }), "s1");
    assert.deepEqual(targetsInFile(path), ["s1"]);
    assert.deepEqual(readdirSync(join(path, "..")), ["msal_token_cache.json"], "no lock, no breaker left");
  });

  it("refuses bad settings", () => {
    assert.throws(() => new FilePersistedTokenCache(""), { code: "ERR_INVALID_ARG_TYPE" });
    assert.throws(() => new FilePersistedTokenCache(42 as never), { code: "ERR_INVALID_ARG_TYPE" });
    assert.throws(() => new FilePersistedTokenCache(freshPath(), { lockStaleSeconds: 0 }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => new FilePersistedTokenCache(freshPath(), { lockTimeoutSeconds: Number.NaN }), { code: "ERR_INVALID_ARG_VALUE" });
  });
});

// The endpoint the fixtures' events name is the one the queries above look in.
assert.equal(new URL(AAD_TOKEN_ENDPOINT).host, ENV);
