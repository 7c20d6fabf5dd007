// Bearer, PoP and SSH-certificate access tokens for the same account and scopes: kept apart by key,
// by lookup, and written in the unified schema MSAL Python reads.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SerializableTokenCache } from "../../src/cache/index.js";
import type { AccessTokenQuery } from "../../src/cache/index.js";
import { accessTokenKey } from "../../src/cache/cache-keys.js";
import { aadEvent, buildResponse } from "./fixtures.js";

const NOW = 1000;
const BASE_KEY = "uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3";

function query(extra: Partial<AccessTokenQuery> = {}): AccessTokenQuery {
  return { home_account_id: "uid.utid", environment: "login.example.com", client_id: "my_client_id", realm: "contoso", scopes: ["s1", "s2"], ...extra };
}

function write(cache: SerializableTokenCache, secret: string, tokenType: string, keyId?: string): void {
  cache.add(
    aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: secret, token_type: tokenType }), keyId ? { data: { key_id: keyId } } : {}),
    NOW,
  );
}

function threeKinds(): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  write(cache, "bearer", "Bearer");
  write(cache, "pop-k1", "pop", "K1");
  write(cache, "cert-s1", "ssh-cert", "S1");
  return cache;
}

function state(cache: SerializableTokenCache): Record<string, Record<string, unknown>> {
  return (JSON.parse(cache.serialize()) as { AccessToken: Record<string, Record<string, unknown>> }).AccessToken;
}

describe("token kinds in the cache", () => {
  it("each kind has its own key: bearer as MSAL Python's, PoP and SSH with the scheme and key id appended", () => {
    assert.deepEqual(Object.keys(state(threeKinds())).sort(), [BASE_KEY, `${BASE_KEY}--pop-k1`, `${BASE_KEY}--ssh-cert-s1`].sort());
    assert.equal(accessTokenKey({ home_account_id: "h", environment: "e", client_id: "c", realm: "r", target: "t", token_type: "bearer" }), "h-e-accesstoken-c-r-t");
    assert.equal(accessTokenKey({ home_account_id: "h", environment: "e", client_id: "c", realm: "r", target: "t", token_type: "POP" }), "h-e-accesstoken-c-r-t--pop");
  });

  it("a lookup returns only the kind (and key) it asks for", () => {
    const cache = threeKinds();
    const at = { now: NOW };
    assert.equal(cache.findAccessToken(query({ token_type: "Bearer" }), at)?.secret, "bearer");
    assert.equal(cache.findAccessToken(query({ token_type: "pop", key_id: "K1" }), at)?.secret, "pop-k1");
    assert.equal(cache.findAccessToken(query({ token_type: "pop", key_id: "K2" }), at), undefined);
    assert.equal(cache.findAccessToken(query({ token_type: "ssh-cert", key_id: "S1" }), at)?.secret, "cert-s1");
    assert.equal(cache.findAccessToken(query({ token_type: "ssh-cert", key_id: "S2" }), at), undefined);
    assert.equal(cache.findAccessToken(query({ token_type: "ssh-cert", key_id: "K1" }), at), undefined, "a PoP key id does not find a certificate");
  });

  it("without the bearer token, a bearer lookup finds nothing, though PoP and SSH tokens cover the scopes", () => {
    const cache = new SerializableTokenCache();
    write(cache, "pop-k1", "pop", "K1");
    write(cache, "cert-s1", "ssh-cert", "S1");
    assert.equal(cache.findAccessToken(query({ token_type: "Bearer" }), { now: NOW }), undefined);
    assert.equal(cache.findAccessToken(query({ token_type: "Bearer", key_id: "S1" }), { now: NOW }), undefined);
  });

  it("a bearer write replaces the bearer token only; a PoP write replaces only the token of its own key", () => {
    const cache = threeKinds();
    write(cache, "bearer-2", "Bearer");
    write(cache, "pop-k1-2", "pop", "K1");
    write(cache, "pop-k2", "pop", "K2");
    const entries = state(cache);
    assert.equal(Object.keys(entries).length, 4);
    assert.equal(entries[BASE_KEY]?.secret, "bearer-2");
    assert.equal(entries[`${BASE_KEY}--pop-k1`]?.secret, "pop-k1-2");
    assert.equal(entries[`${BASE_KEY}--pop-k2`]?.secret, "pop-k2");
    assert.equal(entries[`${BASE_KEY}--ssh-cert-s1`]?.secret, "cert-s1");
  });

  it("an entry without token_type is a bearer token; AD FS's lower-case bearer is one too", () => {
    const cache = new SerializableTokenCache();
    write(cache, "adfs", "bearer");
    assert.equal(cache.findAccessToken(query({ token_type: "Bearer" }), { now: NOW })?.secret, "adfs");
    const foreign = new SerializableTokenCache();
    const { token_type: _dropped, ...entry } = state(cache)[BASE_KEY] ?? {};
    foreign.deserialize(JSON.stringify({ AccessToken: { "foreign-key": entry } }));
    assert.equal(foreign.findAccessToken(query({ token_type: "Bearer" }), { now: NOW })?.secret, "adfs");
    assert.equal(foreign.findAccessToken(query({ token_type: "pop" }), { now: NOW }), undefined);
  });

  it("PoP and SSH entries keep the unified schema MSAL Python reads: AccessToken, string fields, token_type and key_id", () => {
    const entries = state(threeKinds());
    for (const [key, kind, keyId] of [[`${BASE_KEY}--pop-k1`, "pop", "K1"], [`${BASE_KEY}--ssh-cert-s1`, "ssh-cert", "S1"]] as const) {
      const entry = entries[key];
      assert.ok(entry);
      assert.deepEqual(entry, {
        credential_type: "AccessToken",
        secret: kind === "pop" ? "pop-k1" : "cert-s1",
        home_account_id: "uid.utid",
        environment: "login.example.com",
        client_id: "my_client_id",
        target: "s1 s2 s3",
        realm: "contoso",
        token_type: kind,
        cached_at: "1000",
        expires_on: "4600",
        extended_expires_on: "4600",
        key_id: keyId,
      });
    }
  });

  it("survives a serialize/deserialize round trip with the kinds still apart", () => {
    const copy = new SerializableTokenCache();
    copy.deserialize(threeKinds().serialize());
    assert.equal(copy.findAccessToken(query({ token_type: "pop", key_id: "K1" }), { now: NOW })?.secret, "pop-k1");
    assert.equal(copy.findAccessToken(query({ token_type: "Bearer" }), { now: NOW })?.secret, "bearer");
    assert.equal(copy.count().AccessToken, 3);
  });
});
