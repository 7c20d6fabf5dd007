import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { RecentKeys } from "../../src/cache/cache-keys.js";
import { CredentialType, accessTokenKey, accountKey, appMetadataKey, cacheKeyFor, idTokenKey, refreshTokenKey } from "../../src/cache/index.js";

const user = { home_account_id: "UID.UTID", environment: "login.example.com", client_id: "My_Client_ID", realm: "Contoso", target: "S1 s2" };

describe("cache keys, as MSAL Python builds them", () => {
  const cases: Array<[string, () => string, string]> = [
    ["AccessToken", () => accessTokenKey(user), "uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2"],
    ["AccessToken, app-only (null home)", () => accessTokenKey({ ...user, home_account_id: null }), "-login.example.com-accesstoken-my_client_id-contoso-s1 s2"],
    ["AccessToken ignores key_id", () => accessTokenKey({ ...user, key_id: "K" }), "uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2"],
    ["RefreshToken: empty realm slot", () => refreshTokenKey(user), "uid.utid-login.example.com-refreshtoken-my_client_id--s1 s2"],
    ["RefreshToken without target", () => refreshTokenKey({ ...user, target: undefined }), "uid.utid-login.example.com-refreshtoken-my_client_id--"],
    ["IdToken: empty trailing part", () => idTokenKey(user), "uid.utid-login.example.com-idtoken-my_client_id-contoso-"],
    ["Account", () => accountKey(user), "uid.utid-login.example.com-contoso"],
    ["AppMetadata is not lowercased", () => appMetadataKey(user), "appmetadata-login.example.com-My_Client_ID"],
    ["AppMetadata with nothing", () => appMetadataKey({}), "appmetadata--"],
  ];
  for (const [name, make, expected] of cases) {
    it(name, () => assert.equal(make(), expected));
  }

  it("cacheKeyFor dispatches on the section", () => {
    assert.equal(cacheKeyFor(CredentialType.ACCESS_TOKEN, user), accessTokenKey(user));
    assert.equal(cacheKeyFor(CredentialType.REFRESH_TOKEN, user), refreshTokenKey(user));
    assert.equal(cacheKeyFor(CredentialType.ID_TOKEN, user), idTokenKey(user));
    assert.equal(cacheKeyFor(CredentialType.ACCOUNT, user), accountKey(user));
    assert.equal(cacheKeyFor(CredentialType.APP_METADATA, user), appMetadataKey(user));
  });
});

describe("RecentKeys", () => {
  it("hands out the key cacheKeyFor computes, whichever one field changes between writes", () => {
    const values: Record<string, readonly unknown[]> = {
      home_account_id: ["", "uid.utid", null, undefined],
      environment: ["login.example.com", "LOGIN.example.com", "login.other.example"],
      client_id: ["cid", "other"],
      realm: ["contoso", "fabrikam"],
      target: ["s1", "s1 s2", ""],
      token_type: ["Bearer", "pop", "ssh-cert", undefined],
      key_id: ["k1", "k2", undefined],
      secret: ["a", "b"],
    };
    const change = fc.constantFrom(...Object.keys(values)).chain((name) => fc.tuple(fc.constant(name), fc.constantFrom(...(values[name] ?? []))));
    const section = fc.constantFrom(CredentialType.ACCESS_TOKEN, CredentialType.ACCESS_TOKEN, CredentialType.APP_METADATA, ...Object.values(CredentialType));
    fc.assert(
      fc.property(fc.array(fc.tuple(section, change), { maxLength: 40 }), (writes) => {
        const keys = new RecentKeys();
        let entry: Record<string, unknown> = { environment: "login.example.com", client_id: "cid", realm: "contoso", target: "s1", token_type: "pop", key_id: "k1" };
        for (const [s, [name, value]] of writes) {
          entry = { ...entry, [name]: value };
          assert.equal(keys.keyFor(s, entry), cacheKeyFor(s, entry));
        }
      }),
      { numRuns: 500 },
    );
  });
});
