import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CredentialType, SerializableTokenCache, TokenCache } from "../../src/cache/index.js";
import type { AccessTokenQuery, RefreshTokenEntry } from "../../src/cache/index.js";
import { aadEvent, buildIdToken, buildResponse } from "./fixtures.js";

const NOW = 1000;
const ENV = "login.example.com";

/** A user query for the AAD fixture event. */
function userQuery(scopes: readonly string[], extra: Partial<AccessTokenQuery> = {}): AccessTokenQuery {
  return { home_account_id: "uid.utid", environment: ENV, client_id: "my_client_id", realm: "contoso", scopes, ...extra };
}

function at(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    credential_type: "AccessToken",
    secret: "secret",
    home_account_id: "uid.utid",
    environment: ENV,
    client_id: "my_client_id",
    realm: "contoso",
    target: "s1 s2 s3",
    token_type: "Bearer",
    cached_at: "1000",
    expires_on: "4600",
    extended_expires_on: "4600",
    ...fields,
  };
}

/** A cache loaded from a document, as another MSAL might have written it. */
function load(state: Record<string, unknown>): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  cache.deserialize(JSON.stringify(state));
  return cache;
}

function userCache(): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  cache.add(aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "user-at", refresh_token: "rt", id_token: buildIdToken() })), NOW);
  return cache;
}

describe("TokenCache.findAccessToken", () => {
  const hits: Array<{ name: string; scopes: string[]; found: boolean }> = [
    { name: "the exact scopes, in another order", scopes: ["s3", "s1", "s2"], found: true },
    { name: "the exact scopes, in another case", scopes: ["S3", "s1", "S2"], found: true },
    { name: "a subset", scopes: ["s2"], found: true },
    { name: "a subset in another case", scopes: ["S1", "s3"], found: true },
    { name: "a superset", scopes: ["s1", "s2", "s3", "s4"], found: false },
    { name: "a scope never seen", scopes: ["brand-new"], found: false },
    { name: "a known and an unknown scope", scopes: ["s1", "brand-new"], found: false },
  ];
  for (const { name, scopes, found } of hits) {
    it(`${found ? "finds" : "misses"} for ${name}`, () => {
      const entry = userCache().findAccessToken(userQuery(scopes), NOW);
      assert.equal(entry?.secret, found ? "user-at" : undefined);
    });
  }

  const fieldMisses: Array<[string, Partial<AccessTokenQuery>]> = [
    ["another account", { home_account_id: "other.utid" }],
    ["an app-only query", { home_account_id: null }],
    ["another environment", { environment: "login.windows.net" }],
    ["another client", { client_id: "other" }],
    ["another realm", { realm: "fabrikam" }],
    ["a key_id the token is not bound to", { key_id: "k1" }],
    ["another token_type", { token_type: "pop" }],
  ];
  for (const [name, extra] of fieldMisses) {
    it(`misses for ${name}`, () => {
      assert.equal(userCache().findAccessToken(userQuery(["s1"], extra), NOW), undefined);
    });
  }

  it("returns the whole stored entry", () => {
    assert.deepEqual(userCache().findAccessToken(userQuery(["s1"]), NOW), at({ secret: "user-at", token_type: "some type" }));
  });

  it("matches token_type case-insensitively", () => {
    assert.equal(userCache().findAccessToken(userQuery(["s1"], { token_type: "SOME TYPE" }), NOW)?.secret, "user-at");
  });

  it("with key_id, only a token bound to that key; without, any", () => {
    const cache = load({ AccessToken: { a: at({ secret: "plain", target: "s1" }), b: at({ secret: "bound", key_id: "k1", target: "s1 s2" }) } });
    assert.equal(cache.findAccessToken(userQuery(["s1"], { key_id: "k1" }), NOW)?.secret, "bound");
    assert.equal(cache.findAccessToken(userQuery(["s1"], { key_id: "k2" }), NOW), undefined);
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW)?.secret, "plain");
  });

  it("finds an app-only token whether home_account_id is null (Python) or empty (MSAL JS)", () => {
    const cache = load({
      AccessToken: {
        "js-style-key-1": at({ home_account_id: "", secret: "js", target: "https://graph.microsoft.com/.default" }),
        "py-style-key-2": at({ home_account_id: null, secret: "py", target: "https://vault.azure.net/.default" }),
      },
    });
    assert.equal(cache.findAccessToken(userQuery(["https://graph.microsoft.com/.default"], { home_account_id: null }), NOW)?.secret, "js");
    assert.equal(cache.findAccessToken(userQuery(["https://vault.azure.net/.default"], { home_account_id: "" }), NOW)?.secret, "py");
  });

  it("finds entries stored under another MSAL's key shape", () => {
    const jsKey = "uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3--";
    const cache = load({ AccessToken: { [jsKey]: at({ secret: "from-js" }) } });
    assert.equal(cache.findAccessToken(userQuery(["s3", "s2", "s1"]), NOW)?.secret, "from-js");
    assert.equal(cache.findAccessToken(userQuery(["s2"]), NOW)?.secret, "from-js");
  });

  it("deletes expired tokens it looks at (expires_on at or before now), and counts that as a change", () => {
    const cache = load({
      AccessToken: {
        past: at({ secret: "past", expires_on: "999", target: "s1" }),
        now: at({ secret: "now", expires_on: "1000", target: "s1 s2" }),
        elsewhere: at({ secret: "elsewhere", expires_on: "1", realm: "fabrikam" }),
      },
    });
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW), undefined);
    assert.equal(cache.hasStateChanged, true);
    assert.deepEqual(Object.keys(JSON.parse(cache.serialize()).AccessToken), ["elsewhere"], "an expired token in another bucket is not scanned");
  });

  it("deletes an expired token under the exact key, then finds another usable one", () => {
    const cache = load({
      AccessToken: {
        [`uid.utid-${ENV}-accesstoken-my_client_id-contoso-s1`]: at({ secret: "expired", target: "s1", expires_on: "10" }),
        other: at({ secret: "fresh", target: "s1 s2", expires_on: "9000" }),
      },
    });
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW)?.secret, "fresh");
    assert.equal(cache.count().AccessToken, 1);
  });

  it("minRemainingSeconds skips (and keeps) tokens about to expire", () => {
    const cache = load({
      AccessToken: {
        soon: at({ secret: "soon", target: "s1", expires_on: String(NOW + 299) }),
        later: at({ secret: "later", target: "s1 s2", expires_on: String(NOW + 300) }),
      },
    });
    assert.equal(cache.findAccessToken(userQuery(["s1"]), { now: NOW, minRemainingSeconds: 300 })?.secret, "later");
    assert.equal(cache.findAccessToken(userQuery(["s1"]), { now: NOW + 1, minRemainingSeconds: 300 }), undefined);
    assert.equal(cache.count().AccessToken, 2);
    assert.equal(cache.hasStateChanged, false);
  });

  it("skips malformed foreign entries without throwing or deleting them", () => {
    const cache = load({
      AccessToken: {
        noExpiry: at({ secret: "no-expiry", expires_on: undefined }),
        badExpiry: at({ secret: "bad-expiry", expires_on: "tomorrow" }),
        noSecret: at({ secret: 42 }),
        jsPop: at({ secret: "pop", credential_type: "AccessToken_With_AuthScheme" }),
        numericHome: at({ secret: "numeric-home", home_account_id: 7 }),
        targetless: at({ secret: "targetless", target: undefined }),
        good: at({ secret: "good", target: "s1 s2 s3 s4" }),
      },
    });
    assert.equal(cache.findAccessToken(userQuery(["s1", "s2"]), NOW)?.secret, "good");
    assert.equal(cache.findAccessToken(userQuery(["s1"], { realm: "x" }), NOW), undefined);
    assert.equal(cache.count().AccessToken, 7);
  });

  it("prefers the token stored under the exact key for these scopes when several match", () => {
    const cache = load({
      AccessToken: {
        wide: at({ secret: "wide", target: "s1 s2 s3" }),
        [`uid.utid-${ENV}-accesstoken-my_client_id-contoso-s1 s2`]: at({ secret: "exact", target: "s1 s2" }),
      },
    });
    assert.equal(cache.findAccessToken(userQuery(["s2", "S1"]), NOW)?.secret, "exact");
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW)?.secret, "wide", "otherwise the first in cache order");
  });

  it("with no scopes, any token of the account, client and realm (as in MSAL Python)", () => {
    assert.equal(userCache().findAccessToken(userQuery([]), NOW)?.secret, "user-at");
  });

  it("accepts a bare number as now", () => {
    const cache = userCache();
    assert.equal(cache.findAccessToken(userQuery(["s1"]), 4599)?.secret, "user-at");
    assert.equal(cache.findAccessToken(userQuery(["s1"]), 4600), undefined);
  });
});

describe("TokenCache lookups of refresh tokens, ID tokens, accounts and app metadata", () => {
  const rt = (fields: Record<string, unknown>): Record<string, unknown> => ({
    credential_type: "RefreshToken",
    secret: "rt",
    home_account_id: "uid.utid",
    environment: ENV,
    client_id: "my_client_id",
    ...fields,
  });

  it("findRefreshTokens: newest first, filtered by client or family", () => {
    const cache = load({
      RefreshToken: {
        a: rt({ secret: "old", last_modification_time: "100" }),
        b: rt({ secret: "new", last_modification_time: "300" }),
        c: rt({ secret: "unknown-age" }),
        d: rt({ secret: "family", client_id: "sibling", family_id: "1", last_modification_time: "200" }),
        e: rt({ secret: "other-account", home_account_id: "x.y" }),
        f: rt({ secret: "other-env", environment: "login.windows.net" }),
        g: rt({ secret: 5 }),
      },
    });
    const secrets = (q: Parameters<TokenCache["findRefreshTokens"]>[0]): string[] => cache.findRefreshTokens(q).map((e) => e.secret);
    assert.deepEqual(secrets({ home_account_id: "uid.utid", environment: ENV }), ["new", "family", "old", "unknown-age"]);
    assert.deepEqual(secrets({ home_account_id: "uid.utid", environment: ENV, client_id: "my_client_id" }), ["new", "old", "unknown-age"]);
    assert.deepEqual(secrets({ home_account_id: "uid.utid", environment: ENV, family_id: "1" }), ["family"]);
    assert.deepEqual(secrets({ home_account_id: "nobody", environment: ENV }), []);
  });

  it("findIdToken, getAccounts and getAppMetadata find what add() wrote", () => {
    const cache = userCache();
    assert.equal(cache.findIdToken({ home_account_id: "uid.utid", environment: ENV, realm: "contoso", client_id: "my_client_id" })?.secret, buildIdToken());
    assert.equal(cache.findIdToken({ home_account_id: "uid.utid", environment: ENV, realm: "fabrikam", client_id: "my_client_id" }), undefined);
    assert.deepEqual(
      cache.getAccounts(ENV).map((a) => a.home_account_id),
      ["uid.utid"],
    );
    assert.deepEqual(cache.getAccounts("login.windows.net"), []);
    assert.equal(cache.getAccounts().length, 1);
    assert.deepEqual(cache.getAppMetadata("my_client_id", ENV), { client_id: "my_client_id", environment: ENV });
    assert.equal(cache.getAppMetadata("my_client_id", "login.windows.net"), undefined);
  });

  it("finds foreign-keyed accounts, ID tokens and app metadata (MSAL JS lowercases and reshapes keys)", () => {
    const cache = load({
      Account: { "js-account-key": { home_account_id: "uid.utid", environment: ENV, realm: "contoso", local_account_id: "o", username: "u", authority_type: "MSSTS" } },
      IdToken: { "js-idt-key": { credential_type: "IdToken", secret: "jwt", home_account_id: "uid.utid", environment: ENV, realm: "contoso", client_id: "c" } },
      AppMetadata: { "appmetadata-login.example.com-c-js": { client_id: "c", environment: ENV, family_id: "1" } },
    });
    assert.equal(cache.getAccounts(ENV)[0]?.username, "u");
    assert.equal(cache.findIdToken({ home_account_id: "uid.utid", environment: ENV, realm: "contoso", client_id: "c" })?.secret, "jwt");
    assert.equal(cache.getAppMetadata("c", ENV)?.family_id, "1");
  });

  it("returned entries are frozen, so indexes cannot be corrupted behind the cache's back", () => {
    const entry = userCache().findAccessToken(userQuery(["s1"]), NOW);
    assert.ok(entry && Object.isFrozen(entry));
  });
});

describe("TokenCache changes", () => {
  it("updateRefreshToken replaces secret and last_modification_time in place, under the stored (foreign) key", () => {
    const cache = load({
      RefreshToken: {
        "wrong-key": {
          credential_type: "RefreshToken",
          secret: "old",
          home_account_id: "uid.utid",
          environment: ENV,
          client_id: "sibling",
          family_id: "1",
          target: "s2 s1 s3",
          unknown_field: { kept: true },
        },
      },
    });
    const [frt] = cache.findRefreshTokens({ home_account_id: "uid.utid", environment: ENV, family_id: "1" });
    assert.ok(frt);
    const updated = cache.updateRefreshToken(frt, "new", 2000);
    assert.equal(cache.hasStateChanged, true);
    assert.deepEqual(JSON.parse(cache.serialize()), {
      RefreshToken: { "wrong-key": { ...frt, secret: "new", last_modification_time: "2000" } },
    });
    assert.equal(updated.secret, "new");
    assert.equal(updated.client_id, "sibling");
  });

  it("modify and remove locate an equal copy of an entry, too", () => {
    const cache = userCache();
    const found = cache.findAccessToken(userQuery(["s1"]), NOW);
    assert.ok(found);
    const copy = { ...found };
    cache.modify(CredentialType.ACCESS_TOKEN, copy, { secret: "changed" });
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW)?.secret, "changed");
    assert.equal(cache.remove(CredentialType.ACCESS_TOKEN, { ...copy, secret: "changed" }), true);
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW), undefined);
    assert.equal(cache.count().AccessToken, 0);
    assert.equal(cache.remove(CredentialType.ACCESS_TOKEN, copy), false);
  });

  it("modify re-indexes: a changed target is found by its new scopes only", () => {
    const cache = userCache();
    const found = cache.findAccessToken(userQuery(["s1"]), NOW);
    assert.ok(found);
    cache.modify(CredentialType.ACCESS_TOKEN, found, { target: "s9" });
    assert.equal(cache.findAccessToken(userQuery(["s1"]), NOW), undefined);
    assert.equal(cache.findAccessToken(userQuery(["s9"]), NOW)?.secret, "user-at");
  });

  it("remove finds a foreign-keyed entry by its stored key", () => {
    const cache = load({ AccessToken: { "some-js-key": at({ secret: "js" }) } });
    const found = cache.findAccessToken(userQuery(["s1"]), NOW);
    assert.ok(found);
    assert.equal(cache.remove(CredentialType.ACCESS_TOKEN, found), true);
    assert.deepEqual(JSON.parse(cache.serialize()), { AccessToken: {} });
  });

  it("an overwrite under the same key replaces the entry and its index entries", () => {
    const cache = new TokenCache();
    cache.add(aadEvent({ access_token: "first", scope: "s1 s2" }), NOW);
    cache.add(aadEvent({ access_token: "second", scope: "s2 S1" }), NOW); // sorts to "S1 s2", same lowercased key
    assert.equal(cache.count().AccessToken, 1);
    const q = { home_account_id: null, environment: ENV, client_id: "my_client_id", realm: "contoso" };
    assert.equal(cache.findAccessToken({ ...q, scopes: ["s2"] }, NOW)?.secret, "second");
    assert.equal(cache.findAccessToken({ ...q, scopes: ["s1"] }, NOW)?.secret, "second");
  });

  it("removeAccessTokensForClient removes this client's app-only tokens in the given environments only", () => {
    const cache = load({
      AccessToken: {
        a: at({ secret: "app-py", home_account_id: null }),
        b: at({ secret: "app-js-alias", home_account_id: "", environment: "login.windows.net" }),
        c: at({ secret: "app-other-env", home_account_id: null, environment: "login.microsoftonline.us" }),
        d: at({ secret: "app-other-client", home_account_id: null, client_id: "other" }),
        e: at({ secret: "user" }),
      },
    });
    assert.equal(cache.removeAccessTokensForClient("my_client_id", [ENV, "login.windows.net"]), 2);
    assert.deepEqual(Object.keys(JSON.parse(cache.serialize()).AccessToken), ["c", "d", "e"]);
  });

  it("removeAccount: this client's and its family's RTs, every AT, IdToken and Account of the account in that environment", () => {
    const cred = (type: string, fields: Record<string, unknown>): Record<string, unknown> => ({
      credential_type: type,
      secret: "x",
      home_account_id: "uid.utid",
      environment: ENV,
      client_id: "my_client_id",
      ...fields,
    });
    const account = (fields: Record<string, unknown>): Record<string, unknown> => ({
      home_account_id: "uid.utid",
      environment: ENV,
      realm: "contoso",
      local_account_id: "o",
      username: "u",
      authority_type: "MSSTS",
      ...fields,
    });
    const state = {
      RefreshToken: {
        mine: cred("RefreshToken", {}),
        familyOfSibling: cred("RefreshToken", { client_id: "sibling", family_id: "1" }),
        unrelatedApp: cred("RefreshToken", { client_id: "unrelated" }),
        otherEnv: cred("RefreshToken", { environment: "login.windows.net" }),
        otherUser: cred("RefreshToken", { home_account_id: "x.y" }),
      },
      AccessToken: {
        mine: at({}),
        otherClient: at({ client_id: "unrelated", realm: "fabrikam" }),
        appOnly: at({ home_account_id: null }),
      },
      IdToken: { t1: cred("IdToken", { realm: "contoso" }), t2: cred("IdToken", { realm: "fabrikam", client_id: "unrelated" }) },
      Account: { a1: account({}), a2: account({ realm: "fabrikam" }), otherEnv: account({ environment: "login.windows.net" }) },
      AppMetadata: { "appmetadata-login.example.com-my_client_id": { client_id: "my_client_id", environment: ENV, family_id: "1" } },
    };
    const survivors = {
      RefreshToken: ["unrelatedApp", "otherEnv", "otherUser"],
      AccessToken: ["appOnly"],
      IdToken: [],
      Account: ["otherEnv"],
      AppMetadata: ["appmetadata-login.example.com-my_client_id"],
    };
    const keysBySection = (cache: SerializableTokenCache): Record<string, string[]> =>
      Object.fromEntries(Object.entries(JSON.parse(cache.serialize()) as Record<string, object>).map(([s, v]) => [s, Object.keys(v)]));

    // The family comes from this app's AppMetadata unless given.
    const derived = load(state);
    assert.equal(derived.removeAccount({ home_account_id: "uid.utid", environment: ENV }, "my_client_id"), 8);
    assert.deepEqual(keysBySection(derived), survivors);

    const explicit = load(state);
    explicit.removeAccount({ home_account_id: "uid.utid", environment: ENV }, "my_client_id", "1");
    assert.deepEqual(keysBySection(explicit), survivors);

    // Without a family, a sibling's family token stays.
    const noFamily = load({ ...state, AppMetadata: {} });
    noFamily.removeAccount({ home_account_id: "uid.utid", environment: ENV }, "my_client_id");
    assert.deepEqual(keysBySection(noFamily).RefreshToken, ["familyOfSibling", "unrelatedApp", "otherEnv", "otherUser"]);
  });

  it("count() reports each section without iterating", () => {
    assert.deepEqual(userCache().count(), { AccessToken: 1, RefreshToken: 1, IdToken: 1, Account: 1, AppMetadata: 1 });
    assert.deepEqual(new TokenCache().count(), { AccessToken: 0, RefreshToken: 0, IdToken: 0, Account: 0, AppMetadata: 0 });
  });

  it("updateRefreshToken of an entry no longer cached writes it back under Python's key", () => {
    const cache = new SerializableTokenCache();
    const gone: RefreshTokenEntry = { credential_type: "RefreshToken", secret: "old", home_account_id: "h", environment: ENV, client_id: "c", target: "b a" };
    cache.updateRefreshToken(gone, "new", 5);
    assert.deepEqual(JSON.parse(cache.serialize()), {
      RefreshToken: { [`h-${ENV}-refreshtoken-c--b a`]: { ...gone, secret: "new", last_modification_time: "5" } },
    });
  });
});
