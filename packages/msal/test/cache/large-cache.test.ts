import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CredentialType, SerializableTokenCache } from "../../src/cache/index.js";

const NOW = 1000;
const ENV = "login.microsoftonline.com";
const TENANTS = 100_000;

/**
 * A 200k-entry cache: app-only tokens for 100k tenants (one client, one scope, the multi-tenant
 * daemon shape) plus 100k user tokens of one account spread over many scope sets. Correctness
 * only: speed is for the benchmarks.
 */
function bigState(): string {
  const at: Record<string, unknown> = {};
  for (let i = 0; i < TENANTS; i++) {
    at[`-${ENV}-accesstoken-daemon-tenant-${i}-https://graph.microsoft.com/.default`] = {
      credential_type: "AccessToken",
      secret: `app-${i}`,
      home_account_id: null,
      environment: ENV,
      client_id: "daemon",
      realm: `tenant-${i}`,
      target: "https://graph.microsoft.com/.default",
      token_type: "Bearer",
      cached_at: "1000",
      expires_on: "9000",
      extended_expires_on: "9000",
    };
    at[`user-key-${i}`] = {
      credential_type: "AccessToken",
      secret: `user-${i}`,
      home_account_id: "uid.utid",
      environment: ENV,
      client_id: "web",
      realm: "contoso",
      target: `common scope-${i} other-${i % 100}`,
      token_type: "Bearer",
      cached_at: "1000",
      expires_on: "9000",
      extended_expires_on: "9000",
    };
  }
  return JSON.stringify({ AccessToken: at });
}

describe("a 200k-entry cache", () => {
  const cache = new SerializableTokenCache();
  cache.deserialize(bigState());

  it("counts every entry", () => {
    assert.equal(cache.count().AccessToken, 2 * TENANTS);
  });

  it("finds the right app-only token by tenant", () => {
    for (const i of [0, 1, 4242, TENANTS - 1]) {
      const found = cache.findAccessToken(
        { home_account_id: null, environment: ENV, client_id: "daemon", realm: `tenant-${i}`, scopes: ["https://graph.microsoft.com/.default"] },
        NOW,
      );
      assert.equal(found?.secret, `app-${i}`);
    }
    assert.equal(
      cache.findAccessToken({ home_account_id: null, environment: ENV, client_id: "daemon", realm: "tenant-unknown", scopes: ["https://graph.microsoft.com/.default"] }, NOW),
      undefined,
    );
  });

  it("finds the right user token by a superset match through the rarest scope", () => {
    const q = { home_account_id: "uid.utid", environment: ENV, client_id: "web", realm: "contoso" };
    assert.equal(cache.findAccessToken({ ...q, scopes: ["common", "scope-77777"] }, NOW)?.secret, "user-77777");
    assert.equal(cache.findAccessToken({ ...q, scopes: ["other-42", "Scope-99942"] }, NOW)?.secret, "user-99942");
    assert.equal(cache.findAccessToken({ ...q, scopes: ["other-41", "scope-99942"] }, NOW), undefined);
    assert.equal(cache.findAccessToken({ ...q, scopes: ["common", "never-granted"] }, NOW), undefined);
  });

  it("keeps its indexes right through adds and removals", () => {
    const q = { home_account_id: null, environment: ENV, client_id: "daemon", realm: "tenant-5", scopes: ["https://graph.microsoft.com/.default"] };
    const found = cache.findAccessToken(q, NOW);
    assert.ok(found);
    assert.equal(cache.remove(CredentialType.ACCESS_TOKEN, found), true);
    assert.equal(cache.findAccessToken(q, NOW), undefined);
    cache.add(
      {
        client_id: "daemon",
        scope: ["https://graph.microsoft.com/.default"],
        token_endpoint: `https://${ENV}/tenant-5/oauth2/v2.0/token`,
        response: { access_token: "fresh-5", expires_in: 3600 },
      },
      NOW,
    );
    assert.equal(cache.findAccessToken(q, NOW)?.secret, "fresh-5");
    assert.equal(cache.count().AccessToken, 2 * TENANTS);
    assert.equal(cache.removeAccessTokensForClient("daemon", [ENV]), TENANTS);
    assert.equal(cache.count().AccessToken, TENANTS);
  });
});
