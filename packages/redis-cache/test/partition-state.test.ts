import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SerializableTokenCache } from "@msal-ts/msal";
import { LocalPartitionCache } from "../src/local-cache.js";
import {
  EMPTY_SNAPSHOT,
  PartitionFormatError,
  applyDiff,
  diffPartition,
  fieldName,
  partitionExpiry,
  snapshotFromHash,
  stateOf,
} from "../src/partition-state.js";
import { cacheChanged, cacheState, openCache } from "../src/partition-token-cache.js";
import { addAppToken, addUserTokens } from "./support/events.js";

const NOW = 1_700_000_000;
const DAY = 24 * 3600;

/** The hash a snapshot of `state` would be stored as (what HGETALL returns). */
function hashOf(state: Record<string, unknown>, version = "v1"): string[] {
  const diff = diffPartition(EMPTY_SNAPSHOT.fields, state);
  return ["version", version, ...diff.sets.flatMap(({ field, stored }) => [field, stored.raw])];
}

describe("the hash layout", () => {
  test("a cache document round-trips through its fields, unknown sections and odd keys included", () => {
    const cache = new SerializableTokenCache();
    addUserTokens(cache, { uid: "u1", username: "u1@contoso.example" }, { now: NOW });
    addAppToken(cache, "api://orders/.default", { now: NOW });
    const doc = JSON.parse(cache.serialize()) as Record<string, unknown>;
    doc["AccessToken"] = { ...(doc["AccessToken"] as object), ["__proto__"]: { credential_type: "AccessToken", secret: "odd" } };
    doc["FutureSection"] = { k: { a: [1, 2] }, 'q"uote","x': { b: 1 }, "back\\slash": { c: 2 }, "ünï\u0001": { d: 3 }, "": { e: 4 } };
    doc["ScalarExtension"] = 42;
    const snapshot = snapshotFromHash(hashOf(doc));
    assert.equal(snapshot.version, "v1");
    assert.deepEqual(JSON.parse(JSON.stringify(stateOf(snapshot.fields))), JSON.parse(JSON.stringify(doc)));
    assert.ok(snapshot.fields.has(fieldName("ScalarExtension")));
    assert.ok(Object.hasOwn(stateOf(snapshot.fields)["AccessToken"] as object, "__proto__"));
  });

  test("values are frozen, so copies of a partition can share them", () => {
    const snapshot = snapshotFromHash([fieldName("FutureSection", "k"), JSON.stringify({ nested: { x: 1 } })]);
    const value = snapshot.fields.get(fieldName("FutureSection", "k"))?.value as { nested: object };
    assert.ok(Object.isFrozen(value) && Object.isFrozen(value.nested));
  });

  test("fields that are not [section, key] arrays are bookkeeping, not cache entries", () => {
    const snapshot = snapshotFromHash(["version", "v9", "written-by", "ops", fieldName("AppMetadata", "m"), "{}"]);
    assert.equal(snapshot.version, "v9");
    assert.deepEqual([...snapshot.fields.keys()], [fieldName("AppMetadata", "m")]);
  });

  test("a value that is not JSON is a format error that does not quote the value", () => {
    const secret = "eyJ0eXAiOiJKV1Qi-not-json";
    assert.throws(
      () => snapshotFromHash([fieldName("AccessToken", "k"), secret]),
      (e: unknown) => e instanceof PartitionFormatError && /section "AccessToken"/.test(e.message) && !e.message.includes(secret),
    );
    assert.throws(() => snapshotFromHash(['["AccessToken", 7]', "{}"]), PartitionFormatError);
    assert.throws(() => snapshotFromHash(["[broken", "{}"]), PartitionFormatError);
  });
});

describe("what one writer changed", () => {
  function opened(state: Record<string, unknown>) {
    const snapshot = snapshotFromHash(hashOf(state));
    return { snapshot, cache: openCache(stateOf(snapshot.fields)) };
  }

  test("a cache that was only read has no changes, and untouched entries compare by identity", () => {
    const source = new SerializableTokenCache();
    addUserTokens(source, { uid: "u1", username: "u1@contoso.example" });
    const { snapshot, cache } = opened(JSON.parse(source.serialize()) as Record<string, unknown>);
    assert.ok(cache.getAccounts().length === 1);
    assert.equal(cacheChanged(cache), false);
    const diff = diffPartition(snapshot.fields, cacheState(cache));
    assert.deepEqual(diff, { sets: [], deletes: [] });
  });

  test("added, replaced and removed entries; the rest is left alone", () => {
    const source = new SerializableTokenCache();
    addUserTokens(source, { uid: "u1", username: "u1@contoso.example" });
    addAppToken(source, "api://a/.default");
    const { snapshot, cache } = opened(JSON.parse(source.serialize()) as Record<string, unknown>);
    const [rt] = cache.findRefreshTokens({ home_account_id: `u1.${"7e57ab1e-0000-4c0d-8e5a-c0de70c0ffee"}`, environment: "login.microsoftonline.com" });
    assert.ok(rt);
    cache.updateRefreshToken(rt, "rt-redeemed");
    addAppToken(cache, "api://b/.default");
    const appToken = cache.findAccessToken({ home_account_id: null, environment: "login.microsoftonline.com", client_id: rt.client_id, realm: "7e57ab1e-0000-4c0d-8e5a-c0de70c0ffee", scopes: ["api://a/.default"] });
    assert.ok(appToken);
    cache.remove("AccessToken", appToken);
    assert.equal(cacheChanged(cache), true);

    const diff = diffPartition(snapshot.fields, cacheState(cache));
    assert.deepEqual(diff.sets.map((s) => [s.stored.section, s.stored.key?.includes("refreshtoken") ? "rt" : s.stored.key?.includes("api://b") ? "b" : "?"]).sort(), [
      ["AccessToken", "b"],
      ["RefreshToken", "rt"],
    ]);
    assert.equal(JSON.parse(diff.sets.find((s) => s.stored.section === "RefreshToken")?.stored.raw ?? "{}").secret, "rt-redeemed");
    assert.equal(diff.deletes.length, 1);
    assert.equal(diff.deletes[0]?.expected, snapshot.fields.get(diff.deletes[0]?.field ?? "")?.raw);

    const applied = applyDiff(snapshot.fields, diff);
    assert.deepEqual(JSON.parse(JSON.stringify(stateOf(applied))), JSON.parse(JSON.stringify(cacheState(cache))));
  });

  test("serialize() inside a request does not hide its changes; deserialize() counts as a change", () => {
    const { cache } = opened({});
    addAppToken(cache, "api://a/.default");
    cache.serialize();
    assert.equal(cache.hasStateChanged, false);
    assert.equal(cacheChanged(cache), true);
    const other = opened({}).cache;
    other.deserialize("{}");
    assert.equal(cacheChanged(other), true);
  });
});

describe("a partition's expiry", () => {
  const table: { name: string; state: Record<string, unknown>; expected: number | undefined }[] = [
    { name: "no tokens", state: { Account: { a: { home_account_id: "h" } }, AppMetadata: { m: {} } }, expected: undefined },
    { name: "the latest access token", state: { AccessToken: { a: { expires_on: String(NOW + 60) }, b: { expires_on: String(NOW + 3600) } } }, expected: NOW + 3600 },
    { name: "an expired access token", state: { AccessToken: { a: { expires_on: String(NOW - 5) } } }, expected: NOW - 5 },
    { name: "malformed expiries are ignored", state: { AccessToken: { a: { expires_on: "soon" }, b: { expires_on: 7.9 } } }, expected: 7 },
    {
      name: "a refresh token: its last write plus the lifetime",
      state: { AccessToken: { a: { expires_on: String(NOW + 3600) } }, RefreshToken: { r: { last_modification_time: String(NOW - DAY) } } },
      expected: NOW - DAY + 90 * DAY,
    },
    { name: "a refresh token never written by us: from now", state: { RefreshToken: { r: { secret: "x" } } }, expected: NOW + 90 * DAY },
    { name: "a refresh token's own expires_on wins", state: { RefreshToken: { r: { expires_on: String(NOW + 10), last_modification_time: String(NOW) } } }, expected: NOW + 10 },
  ];
  for (const { name, state, expected } of table) {
    test(name, () => assert.equal(partitionExpiry(state, NOW, 90 * DAY), expected));
  }

  test("from real entries: a user's refresh token outlives their access token; an app partition ends with its last token", () => {
    const user = new SerializableTokenCache();
    addUserTokens(user, { uid: "u1", username: "u1@contoso.example" }, { now: NOW, expiresIn: 3600 });
    const userDoc = JSON.parse(user.serialize()) as Record<string, unknown>;
    assert.equal(partitionExpiry(userDoc, NOW, 90 * DAY), NOW + 90 * DAY);
    assert.equal(partitionExpiry(userDoc, NOW, 60), NOW + 3600);
    const app = new SerializableTokenCache();
    addAppToken(app, "api://a/.default", { now: NOW, expiresIn: 100 });
    addAppToken(app, "api://b/.default", { now: NOW, expiresIn: 4000 });
    assert.equal(partitionExpiry(JSON.parse(app.serialize()) as Record<string, unknown>, NOW, 90 * DAY), NOW + 4000);
  });
});

describe("the in-process copy", () => {
  const snap = (version: string) => ({ version, fields: new Map() });

  test("holds at most maxEntries, least recently used out first", () => {
    const local = new LocalPartitionCache(2, 60_000);
    local.set("a", snap("1"), 0);
    local.set("b", snap("1"), 0);
    assert.ok(local.get("a", 1)); // a is now the most recently used
    local.set("c", snap("1"), 2);
    assert.equal(local.size, 2);
    assert.equal(local.get("b", 3), undefined);
    assert.ok(local.get("a", 3) && local.get("c", 3));
  });

  test("forgets copies older than maxAge", () => {
    const local = new LocalPartitionCache(10, 1000);
    local.set("a", snap("1"), 0);
    assert.ok(local.get("a", 1000));
    assert.equal(local.get("a", 1001), undefined);
    assert.equal(local.size, 0);
  });

  test("maxEntries 0 holds nothing", () => {
    const local = new LocalPartitionCache(0, 1000);
    local.set("a", snap("1"), 0);
    assert.equal(local.get("a", 0), undefined);
  });
});
