import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SerializableTokenCache } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
  FAMILY_APP,
  GRAPH_READ,
  ORDERS_READ,
  failed,
  ok,
  publicApp,
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

type CacheState = Record<string, Record<string, Record<string, unknown>> | undefined>;

describe("acquireTokenByRefreshToken (migration) against the emulator", () => {
  test("a refresh token from elsewhere brings the account and its tokens into a fresh cache", async () => {
    const elsewhere = ok(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    assert.ok(elsewhere.refresh_token);

    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    assert.deepEqual(await app.getAccounts(), []);
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP_APP });
    const migrated = ok(await app.acquireTokenByRefreshToken(elsewhere.refresh_token, GRAPH_READ));
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP_APP }), before + 1);
    assert.equal(migrated.token_source, "identity_provider");
    assert.equal(migrated.id_token_claims?.preferred_username, ADELE.username);

    const accounts = await app.getAccounts();
    assert.equal(accounts.length, 1);
    const [account] = accounts;
    assert.ok(account);
    assert.equal(account.username, ADELE.username);
    assert.equal(account.account_source, undefined, "a refresh-token grant sets no account_source");

    const state = JSON.parse(cache.serialize()) as CacheState;
    const rts = Object.values(state.RefreshToken ?? {});
    assert.equal(rts.length, 1);
    assert.equal(rts[0]?.secret, migrated.refresh_token, "the new refresh token is stored");
    assert.equal(rts[0]?.family_id, "1");

    const requests = requestCount(t);
    const silent = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(silent.token_source, "cache");
    assert.equal(silent.access_token, migrated.access_token);
    assert.equal(requestCount(t), requests);
  });

  test("the migrated token serves other scopes by refresh", async () => {
    const elsewhere = ok(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const app = publicApp(t, DESKTOP_APP);
    ok(await app.acquireTokenByRefreshToken(elsewhere.refresh_token ?? "", GRAPH_READ));
    const [account] = await app.getAccounts();
    const orders = ok(await app.acquireTokenSilent(ORDERS_READ, account));
    assert.equal(orders.token_source, "identity_provider");
  });

  test("a family token migrates into a sibling family app", async () => {
    const elsewhere = ok(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const cache = new SerializableTokenCache();
    const sibling = publicApp(t, FAMILY_APP, { tokenCache: cache });
    const r = ok(await sibling.acquireTokenByRefreshToken(elsewhere.refresh_token ?? "", GRAPH_READ));
    assert.equal(r.foci, "1");
    assert.equal(cache.getAppMetadata(FAMILY_APP, new URL(t.emu.url).hostname)?.family_id, "1");
  });

  test("another (non-family) app's refresh token: invalid_grant, nothing cached", async () => {
    const web = webApp(t);
    const fromWeb = await signInWithAuthCode(t, web, ADELE);
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const r = failed(await app.acquireTokenByRefreshToken(fromWeb.refresh_token ?? "", GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.ok(r.correlation_id);
    assert.equal(cache.serialize(), "{}");
  });

  test("an unknown refresh token: invalid_grant, nothing cached", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const r = failed(await app.acquireTokenByRefreshToken("not-a-refresh-token", GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.equal(cache.serialize(), "{}");
    assert.deepEqual(await app.getAccounts(), []);
  });

  test("bad arguments throw", async () => {
    const app = publicApp(t, DESKTOP_APP);
    await assert.rejects(app.acquireTokenByRefreshToken("", GRAPH_READ), TypeError);
    await assert.rejects(app.acquireTokenByRefreshToken("rt", ["offline_access"]), TypeError);
    await assert.rejects(app.acquireTokenByRefreshToken("rt", "User.Read" as unknown as string[]), TypeError);
  });
});
