import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SerializableTokenCache } from "../../src/cache/index.js";
import { MsalError } from "../../src/errors.js";
import { aadEvent, buildIdToken, buildResponse } from "./fixtures.js";

const NOW = 1000;
const ENV = "login.example.com";

/** A document with everything another MSAL may leave behind (after MSAL Python's own test). */
const FOREIGN = `{
    "AccessToken": {
        "an-entry": {"foo": "bar"},
        "js-key": {
            "credential_type": "AccessToken", "secret": "js-at", "home_account_id": "uid.utid",
            "environment": "login.example.com", "client_id": "my_client_id", "realm": "contoso",
            "target": "s1 s2", "token_type": "Bearer", "cached_at": "1000", "expires_on": "9000",
            "extended_expires_on": "9000", "requestedClaimsHash": "abc", "userAssertionHash": "def"
        }
    },
    "customized": "whatever",
    "AnotherSdkSection": {"x": [1, {"y": null}], "n": 1.5},
    "__proto__": {"polluted": true}
}`;

describe("SerializableTokenCache.serialize / deserialize", () => {
  it("an empty cache serializes to {}; empty, null and undefined states load as empty", () => {
    assert.equal(new SerializableTokenCache().serialize(), "{}");
    for (const state of ["", null, undefined]) {
      const cache = new SerializableTokenCache();
      cache.add(aadEvent({ access_token: "at" }), NOW);
      cache.deserialize(state);
      assert.equal(cache.serialize(), "{}");
      assert.deepEqual(cache.count(), { AccessToken: 0, RefreshToken: 0, IdToken: 0, Account: 0, AppMetadata: 0 });
    }
  });

  it("round-trips unknown sections, unknown entries and unknown fields verbatim, in order", () => {
    const cache = new SerializableTokenCache();
    cache.deserialize(FOREIGN);
    const out = cache.serialize();
    assert.deepEqual(JSON.parse(out), JSON.parse(FOREIGN));
    assert.deepEqual(Object.keys(JSON.parse(out)), ["AccessToken", "customized", "AnotherSdkSection", "__proto__"]);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });

  it("keeps the unknowns when new tokens are added, and indexes what it loaded", () => {
    const cache = new SerializableTokenCache();
    cache.deserialize(FOREIGN);
    assert.equal(
      cache.findAccessToken({ home_account_id: "uid.utid", environment: ENV, client_id: "my_client_id", realm: "contoso", scopes: ["s2"] }, NOW)?.secret,
      "js-at",
    );
    cache.add(aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "new-at", id_token: buildIdToken() })), NOW);
    const state = JSON.parse(cache.serialize()) as Record<string, Record<string, unknown>>;
    assert.equal(state["customized"], "whatever");
    assert.deepEqual(state["AccessToken"]?.["an-entry"], { foo: "bar" });
    assert.deepEqual(state["AccessToken"]?.["js-key"], JSON.parse(FOREIGN).AccessToken["js-key"]);
    assert.ok(state["AccessToken"]?.["uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3"]);
    assert.ok(state["Account"]);
  });

  it("reads the indented JSON MSAL Python writes and writes compact JSON", () => {
    const cache = new SerializableTokenCache();
    cache.deserialize(JSON.stringify({ AppMetadata: { "appmetadata-h-c": { client_id: "c", environment: "h" } } }, null, 4));
    assert.equal(cache.serialize(), '{"AppMetadata":{"appmetadata-h-c":{"client_id":"c","environment":"h"}}}');
  });

  it("hasStateChanged: false when new, true after a change, false after serialize or deserialize", () => {
    const cache = new SerializableTokenCache();
    assert.equal(cache.hasStateChanged, false);
    cache.add(aadEvent({ access_token: "at", expires_in: 100 }), NOW);
    assert.equal(cache.hasStateChanged, true);
    const saved = cache.serialize();
    assert.equal(cache.hasStateChanged, false);

    const query = { home_account_id: null, environment: ENV, client_id: "my_client_id", realm: "contoso", scopes: ["s1"] };
    assert.ok(cache.findAccessToken(query, NOW));
    assert.equal(cache.hasStateChanged, false, "a hit changes nothing");
    assert.equal(cache.removeAccessTokensForClient("nobody", [ENV]), 0);
    assert.equal(cache.hasStateChanged, false, "a removal that removed nothing changes nothing");
    assert.equal(cache.findAccessToken(query, NOW + 100), undefined);
    assert.equal(cache.hasStateChanged, true, "a lookup that deleted an expired token changed the state");

    cache.deserialize(saved);
    assert.equal(cache.hasStateChanged, false);
    cache.removeAccessTokensForClient("my_client_id", [ENV]);
    assert.equal(cache.hasStateChanged, true);
    cache.hasStateChanged = false;
    assert.equal(cache.hasStateChanged, false);
  });

  const malformed: Array<{ name: string; state: string; mentions: RegExp }> = [
    { name: "not JSON", state: '{"AccessToken": {"k": {"secret": "s3cr3t"', mentions: /not valid JSON/ },
    { name: "blank text", state: "   ", mentions: /not valid JSON/ },
    { name: "a JSON array", state: "[]", mentions: /must be a JSON object, but this one is an array/ },
    { name: "JSON null", state: "null", mentions: /this one is null/ },
    { name: "a JSON number", state: "42", mentions: /this one is a number/ },
    { name: "a JSON string", state: '"s3cr3t"', mentions: /this one is a string/ },
    { name: "a section that is an array", state: '{"AccessToken": []}', mentions: /Section "AccessToken".*an array/ },
    { name: "a section that is a string", state: '{"RefreshToken": "s3cr3t"}', mentions: /Section "RefreshToken".*a string/ },
    { name: "a section that is null", state: '{"Account": null}', mentions: /Section "Account".*null/ },
    { name: "an entry that is a string", state: '{"AccessToken": {"ok": {}, "the-key": "s3cr3t"}}', mentions: /Entry "the-key" in section "AccessToken".*a string/ },
    { name: "an entry that is null", state: '{"IdToken": {"k": null}}', mentions: /Entry "k" in section "IdToken".*null/ },
    { name: "an entry that is an array", state: '{"AppMetadata": {"k": ["s3cr3t"]}}', mentions: /Entry "k" in section "AppMetadata".*an array/ },
  ];
  for (const { name, state, mentions } of malformed) {
    it(`rejects ${name} with ERR_CACHE_FORMAT and keeps the previous state`, () => {
      const cache = new SerializableTokenCache();
      cache.deserialize(FOREIGN);
      cache.add(aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "kept", refresh_token: "rt" })), NOW);
      const before = cache.serialize();
      cache.hasStateChanged = true;
      assert.throws(
        () => cache.deserialize(state),
        (e: unknown) => e instanceof MsalError && e.code === "ERR_CACHE_FORMAT" && mentions.test(e.message) && !e.message.includes("s3cr3t"),
      );
      assert.equal(cache.serialize(), before);
      assert.equal(
        cache.findAccessToken({ home_account_id: "uid.utid", environment: ENV, client_id: "my_client_id", realm: "contoso", scopes: ["s3"] }, NOW)?.secret,
        "kept",
        "the indexes still serve the previous state",
      );
      assert.equal(cache.findRefreshTokens({ home_account_id: "uid.utid", environment: ENV }).length, 1);
    });
  }

  it("rejects a state that is not a string with a TypeError", () => {
    const cache = new SerializableTokenCache();
    assert.throws(() => cache.deserialize({} as unknown as string), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  });

  it("unknown top-level sections may hold anything; only the five known ones are checked", () => {
    const cache = new SerializableTokenCache();
    const state = '{"Custom": [1, 2], "Other": null, "Third": "x"}';
    cache.deserialize(state);
    assert.deepEqual(JSON.parse(cache.serialize()), JSON.parse(state));
  });
});
