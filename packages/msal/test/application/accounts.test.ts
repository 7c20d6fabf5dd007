// getAccounts / removeAccount over a cache that user flows (here: events as MSAL Python writes them) filled.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UnsecuredJWT } from "jose";
import { PublicClientApplication, SerializableTokenCache, type HttpRequestInit } from "../../src/index.js";

const TENANT = "9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2";
const ENDPOINT = `https://login.unit.test/${TENANT}/oauth2/v2.0/token`;

function clientInfo(uid: string, utid: string): string {
  return Buffer.from(JSON.stringify({ uid, utid })).toString("base64url");
}

function userEvent(clientId: string, uid: string, username: string) {
  const idToken = new UnsecuredJWT({ sub: `sub-${uid}`, oid: uid, tid: TENANT, preferred_username: username, aud: clientId })
    .setIssuer(`https://login.unit.test/${TENANT}/v2.0`)
    .encode();
  return {
    client_id: clientId,
    scope: ["User.Read"],
    token_endpoint: ENDPOINT,
    grant_type: "authorization_code",
    environment: "login.unit.test",
    response: {
      access_token: `AT-${uid}`,
      token_type: "Bearer",
      expires_in: 3600,
      scope: "User.Read openid profile",
      refresh_token: `RT-${uid}`,
      id_token: idToken,
      client_info: clientInfo(uid, TENANT),
    },
  };
}

const noNetwork = async (url: string, _init: HttpRequestInit): Promise<Response> => {
  throw new Error(`no request expected, got ${url}`);
};

function pca(cache: SerializableTokenCache) {
  return new PublicClientApplication("pca-id", {
    authority: `https://login.unit.test/${TENANT}`,
    instanceDiscovery: false,
    tokenCache: cache,
    httpClient: noNetwork,
  });
}

test("getAccounts lists one account per user, filters by username case-insensitively", async () => {
  const cache = new SerializableTokenCache();
  cache.add(userEvent("pca-id", "u1", "Alice@Contoso.com"), 1_000);
  cache.add(userEvent("pca-id", "u2", "bob@contoso.com"), 1_000);
  const app = pca(cache);
  const all = await app.getAccounts();
  assert.deepEqual(all.map((a) => a.username).sort(), ["Alice@Contoso.com", "bob@contoso.com"]);
  const alice = await app.getAccounts({ username: "alice@contoso.COM" });
  assert.equal(alice.length, 1);
  assert.deepEqual(alice[0], {
    home_account_id: `u1.${TENANT}`,
    environment: "login.unit.test",
    username: "Alice@Contoso.com",
    account_source: "authorization_code",
    authority_type: "MSSTS",
    local_account_id: "u1",
    realm: TENANT,
  });
});

test("removeAccount removes that user's tokens and account, and nobody else's", async () => {
  const cache = new SerializableTokenCache();
  cache.add(userEvent("pca-id", "u1", "alice@contoso.com"), 1_000);
  cache.add(userEvent("pca-id", "u2", "bob@contoso.com"), 1_000);
  const app = pca(cache);
  const [alice] = await app.getAccounts({ username: "alice@contoso.com" });
  assert.ok(alice);
  await app.removeAccount(alice);
  const state = cache.serialize();
  assert.doesNotMatch(state, /AT-u1|RT-u1|"u1\./);
  assert.match(state, /AT-u2/);
  assert.match(state, /RT-u2/);
  assert.deepEqual((await app.getAccounts()).map((a) => a.username), ["bob@contoso.com"]);
});

test("a PublicClientApplication refuses a client credential, and removeAccount a non-account", async () => {
  assert.throws(
    () => new PublicClientApplication("x", { clientCredential: "secret" } as never),
    { code: "ERR_INVALID_ARG_VALUE" },
  );
  const app = pca(new SerializableTokenCache());
  await assert.rejects(app.removeAccount({} as never), { code: "ERR_INVALID_ARG_TYPE" });
});
