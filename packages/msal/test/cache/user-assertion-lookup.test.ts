import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SerializableTokenCache } from "../../src/cache/index.js";
import type { UserAssertionAccessTokenQuery } from "../../src/cache/index.js";
import { aadEvent, buildIdToken, buildResponse } from "./fixtures.js";

const NOW = 1000;

function oboCache(hash: string, uid = "uid"): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  cache.add(
    aadEvent(buildResponse({ uid, utid: "utid", access_token: `at-for-${hash}`, refresh_token: "rt", id_token: buildIdToken() }), {
      user_assertion_hash: hash,
      grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    }),
    NOW,
  );
  return cache;
}

function query(hash: string, scopes: readonly string[] = ["s1"]): UserAssertionAccessTokenQuery {
  return { user_assertion_hash: hash, environment: "login.example.com", client_id: "my_client_id", realm: "contoso", scopes };
}

describe("TokenCache.findAccessTokenForUserAssertion", () => {
  it("writes userAssertionHash on the access and refresh tokens, as MSAL Node does", () => {
    const state = JSON.parse(oboCache("h1").serialize()) as Record<string, Record<string, Record<string, unknown>>>;
    const [at] = Object.values(state.AccessToken ?? {});
    const [rt] = Object.values(state.RefreshToken ?? {});
    assert.equal(at?.userAssertionHash, "h1");
    assert.equal(rt?.userAssertionHash, "h1");
  });

  it("finds the token of the same assertion, also after a round trip through serialize()", () => {
    const cache = oboCache("h1");
    assert.equal(cache.findAccessTokenForUserAssertion(query("h1"), NOW)?.secret, "at-for-h1");
    const copy = new SerializableTokenCache();
    copy.deserialize(cache.serialize());
    assert.equal(copy.findAccessTokenForUserAssertion(query("h1", ["s2", "S3"]), NOW)?.secret, "at-for-h1");
  });

  it("misses for another assertion, another client, a scope not granted, or a token too close to expiry", () => {
    const cache = oboCache("h1");
    assert.equal(cache.findAccessTokenForUserAssertion(query("h2"), NOW), undefined);
    assert.equal(cache.findAccessTokenForUserAssertion({ ...query("h1"), client_id: "other" }, NOW), undefined);
    assert.equal(cache.findAccessTokenForUserAssertion(query("h1", ["s4"]), NOW), undefined);
    assert.equal(cache.findAccessTokenForUserAssertion(query("h1"), { now: NOW, minRemainingSeconds: 3601 }), undefined);
  });

  it("forgets the old hash when the token under the same key is replaced by another assertion's", () => {
    const cache = oboCache("h1");
    cache.add(
      aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "at-for-h2" }), { user_assertion_hash: "h2" }),
      NOW,
    );
    assert.equal(cache.findAccessTokenForUserAssertion(query("h1"), NOW), undefined);
    assert.equal(cache.findAccessTokenForUserAssertion(query("h2"), NOW)?.secret, "at-for-h2");
  });

  it("drops an expired token it meets", () => {
    const cache = oboCache("h1");
    assert.equal(cache.findAccessTokenForUserAssertion(query("h1"), NOW + 7200), undefined);
    assert.equal(cache.count().AccessToken, 0);
  });
});
