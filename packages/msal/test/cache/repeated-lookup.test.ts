// A repeated single-scope lookup is answered from the last hit while nothing changed; these cases
// check that every change that could alter the answer does alter it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CredentialType, SerializableTokenCache } from "../../src/cache/index.js";
import type { AccessTokenQuery } from "../../src/cache/index.js";

const ENV = "login.example.com";

function at(secret: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    credential_type: "AccessToken",
    secret,
    home_account_id: "",
    environment: ENV,
    client_id: "app",
    realm: "contoso",
    target: "s1",
    token_type: "Bearer",
    cached_at: "1000",
    expires_on: "5000",
    ...fields,
  };
}

function load(tokens: Record<string, Record<string, unknown>>): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  cache.deserialize(JSON.stringify({ AccessToken: tokens }));
  return cache;
}

const query = (extra: Partial<AccessTokenQuery> = {}): AccessTokenQuery => ({
  home_account_id: null,
  environment: ENV,
  client_id: "app",
  realm: "contoso",
  scopes: ["s1"],
  ...extra,
});

/** Writes an app token for s1 in contoso, at 1000, valid for an hour. */
function addAppToken(cache: SerializableTokenCache, secret: string): void {
  cache.add(
    {
      client_id: "app",
      scope: ["s1"],
      token_endpoint: `https://${ENV}/contoso/oauth2/v2.0/token`,
      grant_type: "client_credentials",
      response: { access_token: secret, token_type: "Bearer", expires_in: 3600 },
    },
    1000,
  );
}

describe("repeated access-token lookups", () => {
  it("see a token written after the first hit", () => {
    const cache = load({ a: at("first") });
    assert.equal(cache.findAccessToken(query(), 1000)?.secret, "first");
    addAppToken(cache, "second");
    const found = cache.findAccessToken(query(), 1000);
    assert.ok(found?.secret === "first" || found?.secret === "second");
    // The new token is stored under MSAL Python's key for these scopes, so it is the one returned.
    assert.equal(cache.findAccessToken(query(), 1001)?.secret, found?.secret);
    assert.equal(cache.count().AccessToken, 2);
  });

  it("miss once the token is removed", () => {
    const cache = load({ a: at("first") });
    const entry = cache.findAccessToken(query(), 1000);
    assert.ok(entry);
    assert.equal(cache.remove(CredentialType.ACCESS_TOKEN, entry), true);
    assert.equal(cache.findAccessToken(query(), 1000), undefined);
  });

  it("miss after a deserialize that replaced the cache", () => {
    const cache = load({ a: at("first") });
    assert.equal(cache.findAccessToken(query(), 1000)?.secret, "first");
    cache.deserialize(JSON.stringify({ AccessToken: { b: at("other", { target: "s2" }) } }));
    assert.equal(cache.findAccessToken(query(), 1000), undefined);
  });

  it("judge expiry and the margin on every call", () => {
    const cache = load({ a: at("first") });
    assert.equal(cache.findAccessToken(query(), { now: 1000, minRemainingSeconds: 300 })?.secret, "first");
    assert.equal(cache.findAccessToken(query(), { now: 4800, minRemainingSeconds: 300 }), undefined);
    assert.equal(cache.findAccessToken(query(), { now: 4800 })?.secret, "first");
    assert.equal(cache.findAccessToken(query(), { now: 5000 }), undefined);
    assert.equal(cache.count().AccessToken, 0, "the expired token was deleted");
  });

  it("let an earlier candidate answer a call with a smaller margin, and a clock that went back", () => {
    // "near" expires soon, so a 300 s margin passes over it to "far"; without a margin it answers.
    const cache = load({ near: at("near", { target: "s1 s2", expires_on: "1200" }), far: at("far", { target: "s1 s3" }) });
    const order = cache.findAccessToken(query(), { now: 1000 })?.secret;
    assert.ok(order);
    assert.equal(cache.findAccessToken(query(), { now: 1000, minRemainingSeconds: 300 })?.secret, "far");
    assert.equal(cache.findAccessToken(query(), { now: 1000 })?.secret, order);
    assert.equal(cache.findAccessToken(query(), { now: 950, minRemainingSeconds: 300 })?.secret, "far");
  });

  it("keep queries of other apps, realms, types and keys apart", () => {
    const cache = load({
      a: at("bearer"),
      b: at("pop", { token_type: "pop", key_id: "k1" }),
      c: at("other-realm", { realm: "fabrikam" }),
    });
    assert.equal(cache.findAccessToken(query({ token_type: "Bearer" }), 1000)?.secret, "bearer");
    assert.equal(cache.findAccessToken(query({ token_type: "pop", key_id: "k1" }), 1000)?.secret, "pop");
    assert.equal(cache.findAccessToken(query({ token_type: "pop", key_id: "k2" }), 1000), undefined);
    assert.equal(cache.findAccessToken(query({ token_type: "Bearer" }), 1000)?.secret, "bearer");
    assert.equal(cache.findAccessToken(query({ realm: "fabrikam" }), 1000)?.secret, "other-realm");
    assert.equal(cache.findAccessToken(query({ client_id: "another-app" }), 1000), undefined);
    assert.equal(cache.findAccessToken(query({ scopes: ["S1"] }), 1000)?.secret !== undefined, true);
  });

  it("find a realm's tokens again after its last one went and a new one came", () => {
    // The index remembers the bucket it found last; removing the realm's only token drops that
    // bucket, and the next write makes a new one.
    const cache = load({ a: at("first"), b: at("other", { realm: "fabrikam" }) });
    assert.equal(cache.findAccessToken(query({ scopes: ["s1", "s1"] }), 1000)?.secret, "first");
    assert.equal(cache.removeAccessTokensForClient("app", [ENV]), 2);
    assert.equal(cache.findAccessToken(query({ scopes: ["s1", "s1"] }), 1000), undefined);
    addAppToken(cache, "again");
    assert.equal(cache.findAccessToken(query({ scopes: ["s1", "s1"] }), 1000)?.secret, "again");
    assert.equal(cache.findAccessToken(query({ realm: "fabrikam" }), 1000), undefined);
  });

  it("tell a token with too little time left from no token at all", () => {
    const cache = load({ near: at("near", { expires_on: "1200" }), other: at("other", { target: "s2", expires_on: "9000" }) });
    assert.equal(cache.findAccessTokenWithin(query(), 1000, 300), null, "one was there, with 200 s left");
    assert.equal(cache.findAccessTokenWithin(query(), 1000, 200)?.secret, "near");
    assert.equal(cache.findAccessTokenWithin(query({ scopes: ["s3"] }), 1000, 300), undefined);
    assert.equal(cache.findAccessTokenWithin(query(), 1200, 300), undefined, "expired at 1200, and deleted");
    assert.equal(cache.count().AccessToken, 1);
    assert.equal(cache.findAccessToken(query({ scopes: ["s2"] }), { now: 1000, minRemainingSeconds: 300 })?.secret, "other");
  });
});
