import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MsalError, SerializableTokenCache, type Account, type TokenCache } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
  FAMILY_APP,
  GRAPH_READ,
  ORDERS_API,
  ORDERS_READ,
  WEB_APP,
  WEB_REDIRECT,
  failed,
  ok,
  ordersApi,
  publicApp,
  recordingClient,
  requestCount,
  signInWithAuthCode,
  startAuthority,
  webApp,
  type TestAuthority,
} from "./support.js";

let t: TestAuthority;

before(async () => {
  t = await startAuthority();
});

after(async () => {
  await t.emu.close();
});

const now = (): number => Math.floor(Date.now() / 1000);

/** The one access token of `clientId` in the cache, whatever its scopes. */
function accessTokenOf(cache: TokenCache, account: Account, clientId: string, scopes: readonly string[] = GRAPH_READ) {
  const at = cache.findAccessToken({
    home_account_id: account.home_account_id,
    environment: account.environment,
    client_id: clientId,
    realm: t.emu.defaultTenantId,
    scopes,
  });
  assert.ok(at, "an access token is cached");
  return at;
}

/** Changes the lifetime fields (`expires_on`, `refresh_on`) of the app's cached access token. */
function ageAccessToken(cache: TokenCache, account: Account, clientId: string, changes: Record<string, string>): void {
  cache.modify("AccessToken", accessTokenOf(cache, account, clientId), changes);
}

async function signedInWebApp(tokenCache = new SerializableTokenCache()) {
  const app = webApp(t, { tokenCache });
  const first = await signInWithAuthCode(t, app, ADELE);
  const [account] = await app.getAccounts();
  assert.ok(account);
  return { app, cache: tokenCache, account, first };
}

describe("acquireTokenSilent against the emulator", () => {
  test("a cached token comes back with no request at all", async () => {
    const { app, account, first } = await signedInWebApp();
    const before = requestCount(t);
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(r.token_source, "cache");
    assert.equal(r.access_token, first.access_token);
    assert.ok(r.expires_in > 3000 && r.expires_in <= 3599);
    assert.deepEqual(Object.keys(r).sort(), ["access_token", "expires_in", "token_source", "token_type"]);
    assert.equal(requestCount(t), before, "not even discovery");
  });

  test("an expiring token is refreshed once; the refresh token rotates in place", async () => {
    const { app, cache, account, first } = await signedInWebApp();
    ageAccessToken(cache, account, WEB_APP, { expires_on: String(now() + 120) });
    const [rtBefore] = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: account.environment });
    assert.equal(rtBefore?.secret, first.refresh_token);
    const countsBefore = cache.count();
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token" });

    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(r.token_source, "identity_provider");
    assert.notEqual(r.access_token, first.access_token);
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 1);

    const rts = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: account.environment });
    assert.equal(rts.length, 1, "rotated in place, not added");
    assert.ok(rts[0]?.secret);
    assert.notEqual(rts[0]?.secret, first.refresh_token);
    assert.equal(rts[0]?.secret, r.refresh_token);
    assert.deepEqual(cache.count(), countsBefore, "no new Account, RefreshToken or AccessToken entry");
    const accounts = cache.getAccounts();
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.account_source, "authorization_code", "the refresh did not rewrite the account");

    // And the refreshed token is now the cached one.
    const again = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(again.token_source, "cache");
    assert.equal(again.access_token, r.access_token);
  });

  test("forceRefresh goes to the authority although a token is cached", async () => {
    const { app, account, first } = await signedInWebApp();
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token" });
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(r.token_source, "identity_provider");
    assert.notEqual(r.access_token, first.access_token);
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 1);
  });

  test("a claims challenge skips the cache", async () => {
    const { app, account } = await signedInWebApp();
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token" });
    const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: "1700000000" } } });
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account, { claimsChallenge: claims }));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 1);
  });

  test("a token past refresh_on is returned when the refresh fails (authority refusal)", async () => {
    const { app, cache, account, first } = await signedInWebApp();
    ageAccessToken(cache, account, WEB_APP, { refresh_on: String(now() - 10) });
    const [rt] = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: account.environment });
    assert.ok(rt);
    cache.modify("RefreshToken", rt, { secret: "not-a-refresh-token" });
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token", status: 400 });
    const r = ok(await app.acquireTokenSilentWithError(GRAPH_READ, account));
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token", status: 400 }), before + 1, "the refresh was tried and refused");
    assert.equal(r.token_source, "cache");
    assert.equal(r.access_token, first.access_token);
    assert.ok(typeof r.refresh_on === "number" && r.refresh_on < now());
  });

  test("a token past refresh_on is returned when the refresh fails (network)", async () => {
    const rec = await recordingClient(t);
    const tokenCache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache, httpClient: rec.http });
    const first = await signInWithAuthCode(t, app, ADELE);
    const [account] = await app.getAccounts();
    assert.ok(account);
    ageAccessToken(tokenCache, account, WEB_APP, { refresh_on: String(now() - 10) });
    rec.fail = (url) => url.endsWith("/oauth2/v2.0/token");
    const tokenPostsBefore = rec.tokenRequests().length;
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(rec.tokenRequests().length, tokenPostsBefore + 1, "the refresh was attempted");
    assert.equal(r.token_source, "cache");
    assert.equal(r.access_token, first.access_token);
  });

  test("a network failure without a fallback is thrown, not turned into null", async () => {
    const rec = await recordingClient(t);
    const tokenCache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache, httpClient: rec.http });
    await signInWithAuthCode(t, app, ADELE);
    const [account] = await app.getAccounts();
    assert.ok(account);
    rec.fail = (url) => url.endsWith("/oauth2/v2.0/token");
    await assert.rejects(app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }), (e: unknown) => {
      assert.ok(e instanceof MsalError);
      assert.equal(e.code, "ERR_NETWORK");
      return true;
    });
  });

  test("a failed refresh without a fallback: an error result with classification; acquireTokenSilent gives null", async () => {
    const { app, cache, account } = await signedInWebApp();
    ageAccessToken(cache, account, WEB_APP, { expires_on: String(now() + 60) });
    const [rt] = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: account.environment });
    assert.ok(rt);
    // A malformed token: the emulator answers invalid_grant with suberror bad_token.
    cache.modify("RefreshToken", rt, { secret: "garbage" });
    const r = failed(await app.acquireTokenSilentWithError(GRAPH_READ, account));
    assert.equal(r.error, "invalid_grant");
    assert.equal(r.suberror, "bad_token");
    assert.equal(r.classification, "", "bad_token is one of the suberrors classified as the empty string");
    assert.ok(r.correlation_id);
    assert.equal(await app.acquireTokenSilent(GRAPH_READ, account), null);
    assert.equal(cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: account.environment }).length, 1, "an error never deletes a refresh token");
  });

  test("an account with no refresh token for this app: null, no token request", async () => {
    const { cache, account } = await signedInWebApp();
    const other = ordersApi(t, { tokenCache: cache });
    const before = t.emu.tokenRequestCount();
    assert.equal(await other.acquireTokenSilentWithError(GRAPH_READ, account), null);
    assert.equal(await other.acquireTokenSilent(GRAPH_READ, account), null);
    assert.equal(t.emu.tokenRequestCount(), before);
    assert.equal(t.emu.tokenRequestCount({ clientId: ORDERS_API }), 0);
  });

  test("a null account gives null with no request", async () => {
    const app = webApp(t);
    const before = requestCount(t);
    assert.equal(await app.acquireTokenSilent(GRAPH_READ, null), null);
    assert.equal(await app.acquireTokenSilentWithError(GRAPH_READ, undefined), null);
    assert.equal(requestCount(t), before);
  });

  test("reserved scopes are refused whether or not the cache could answer", async () => {
    const { app, account } = await signedInWebApp();
    for (const scopes of [["openid"], ["profile"], ["offline_access", ...GRAPH_READ]]) {
      await assert.rejects(app.acquireTokenSilent(scopes, account), (e: unknown) => e instanceof TypeError);
      await assert.rejects(app.acquireTokenSilentWithError(scopes, account), TypeError);
    }
    await assert.rejects(app.acquireTokenSilent([], account), TypeError);
  });

  test("excludeScopes offline_access: no refresh token is asked for or kept", async () => {
    const rec = await recordingClient(t);
    const tokenCache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache, excludeScopes: ["offline_access"], httpClient: rec.http });
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    assert.ok(!new URL(flow.auth_uri).searchParams.get("scope")?.split(" ").includes("offline_access"));
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, (await t.emu.signIn(flow.auth_uri, ADELE)).params));
    const redemption = rec.tokenRequests().at(-1);
    assert.ok(redemption);
    assert.deepEqual(redemption.body.get("scope")?.split(" "), ["User.Read", "openid", "profile"]);
    assert.equal(r.refresh_token, undefined);
    assert.equal(tokenCache.count().RefreshToken, 0);
    const [account] = await app.getAccounts();
    assert.ok(account);
    ageAccessToken(tokenCache, account, WEB_APP, { expires_on: String(now() + 60) });
    assert.equal(await app.acquireTokenSilentWithError(GRAPH_READ, account), null, "nothing to refresh with");
  });

  test("another resource's scopes are obtained by refresh and cached separately", async () => {
    const { app, cache, account } = await signedInWebApp();
    const r = ok(await app.acquireTokenSilent(ORDERS_READ, account));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(cache.count().AccessToken, 2);
    const again = ok(await app.acquireTokenSilent(ORDERS_READ, account));
    assert.equal(again.token_source, "cache");
    assert.equal(again.access_token, r.access_token);
  });
});

describe("family of client ids", () => {
  test("a second family app gets a token through the first one's family refresh token", async () => {
    const cache = new SerializableTokenCache();
    const desktop = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const first = await signInWithAuthCode(t, desktop, ADELE);
    assert.equal(first.foci, "1");
    const environment = new URL(t.emu.url).hostname;

    const sibling = publicApp(t, FAMILY_APP, { tokenCache: cache });
    assert.equal(cache.getAppMetadata(FAMILY_APP, environment), undefined, "the sibling has never signed in");
    const [account] = await sibling.getAccounts();
    assert.ok(account, "accounts are shared by every app of the cache");
    const [rt] = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment });
    assert.equal(rt?.family_id, "1");
    assert.equal(rt?.client_id, DESKTOP_APP);
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: FAMILY_APP });
    const r = ok(await sibling.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: FAMILY_APP }), before + 1);
    assert.equal(cache.getAppMetadata(FAMILY_APP, environment)?.family_id, "1");

    const rts = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment });
    assert.equal(rts.length, 1, "the family token was updated in place under its owner");
    assert.equal(rts[0]?.client_id, DESKTOP_APP);
    assert.notEqual(rts[0]?.secret, first.refresh_token);

    const again = ok(await sibling.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(again.token_source, "cache");
  });

  test("an app outside the family does not get the family token", async () => {
    const cache = new SerializableTokenCache();
    const desktop = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    await signInWithAuthCode(t, desktop, ADELE);
    const outsider = webApp(t, { tokenCache: cache });
    const [account] = await outsider.getAccounts();
    assert.ok(account);
    const mismatchesBefore = t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: WEB_APP, status: 400 });
    const successesBefore = t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: WEB_APP, status: 200 });
    // The probe is speculative (the app may have been in the family): its refusal is no answer.
    assert.equal(await outsider.acquireTokenSilentWithError(GRAPH_READ, account), null);
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: WEB_APP, status: 400 }), mismatchesBefore + 1);
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: WEB_APP, status: 200 }), successesBefore);
    assert.equal(cache.getAppMetadata(WEB_APP, new URL(t.emu.url).hostname), undefined);
    assert.equal(cache.count().AccessToken, 1, "only the desktop app's token");
  });
});
