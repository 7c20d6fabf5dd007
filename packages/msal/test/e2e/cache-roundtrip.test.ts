import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication, PublicClientApplication, SerializableTokenCache } from "@msal-ts/msal";
import {
  ADELE,
  ALEX,
  DESKTOP_APP,
  FAMILY_APP,
  GRAPH_READ,
  ORDERS_READ,
  WEB_APP,
  WEB_SECRET,
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

/** A fresh cache holding what `text` holds, as another process would load it. */
function reload(text: string): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  cache.deserialize(text);
  assert.equal(cache.hasStateChanged, false);
  return cache;
}

describe("serialize, deserialize, and carry on without the authority", () => {
  test("a fresh web app on the reloaded cache gets tokens and accounts with no request at all", async () => {
    const cache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache: cache });
    await signInWithAuthCode(t, app, ADELE);
    const [account] = await app.getAccounts();
    assert.ok(account);
    const orders = ok(await app.acquireTokenSilent(ORDERS_READ, account));
    assert.equal(orders.token_source, "identity_provider");
    assert.equal(cache.hasStateChanged, true);
    const text = cache.serialize();
    assert.equal(cache.hasStateChanged, false);

    const reloaded = reload(text);
    const fresh = new ConfidentialClientApplication(WEB_APP, { ...t.appOptions, clientCredential: WEB_SECRET, tokenCache: reloaded });
    const requests = requestCount(t);
    const accounts = await fresh.getAccounts();
    assert.equal(accounts.length, 1);
    assert.deepEqual(accounts[0], account);
    const graph = ok(await fresh.acquireTokenSilent(GRAPH_READ, accounts[0]));
    const orders2 = ok(await fresh.acquireTokenSilent(ORDERS_READ, accounts[0]));
    assert.equal(graph.token_source, "cache");
    assert.equal(orders2.token_source, "cache");
    assert.equal(orders2.access_token, orders.access_token);
    assert.equal(requestCount(t), requests, "no discovery, no token request");
    assert.equal(reloaded.serialize(), text, "reading changed nothing");
  });

  test("the reloaded cache refreshes like the original, and its output loads again", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const first = ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const reloaded = reload(cache.serialize());
    const fresh = new PublicClientApplication(DESKTOP_APP, { ...t.appOptions, tokenCache: reloaded });
    const [account] = await fresh.getAccounts();
    assert.ok(account);
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token" });
    const r = ok(await fresh.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 1);
    assert.notEqual(r.access_token, first.access_token);
    assert.equal(reloaded.hasStateChanged, true);

    const again = reload(reloaded.serialize());
    const third = new PublicClientApplication(DESKTOP_APP, { ...t.appOptions, tokenCache: again });
    const requests = requestCount(t);
    const cached = ok(await third.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(cached.access_token, r.access_token, "the refreshed token survived the round trip");
    assert.equal(requestCount(t), requests);
    const rts = Object.values((JSON.parse(again.serialize()) as CacheState).RefreshToken ?? {});
    assert.equal(rts.length, 1);
    assert.equal(rts[0]?.secret, r.refresh_token, "the rotated refresh token was saved");
  });

  test("several users and a family app share one file", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    ok(await app.acquireTokenByUsernamePassword(ALEX.username, ALEX.password, GRAPH_READ));
    const reloaded = reload(cache.serialize());
    const sibling = new PublicClientApplication(FAMILY_APP, { ...t.appOptions, tokenCache: reloaded });
    const accounts = await sibling.getAccounts();
    assert.deepEqual(accounts.map((a) => a.username).sort(), [ADELE.username, ALEX.username].sort());
    const alex = (await sibling.getAccounts({ username: ALEX.username }))[0];
    const before = t.emu.tokenRequestCount({ clientId: FAMILY_APP });
    const r = ok(await sibling.acquireTokenSilent(GRAPH_READ, alex));
    assert.equal(r.token_source, "identity_provider", "through the family token");
    assert.equal(t.emu.tokenRequestCount({ clientId: FAMILY_APP }), before + 1);
  });

  test("removeAccount survives the round trip", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const [account] = await app.getAccounts();
    assert.ok(account);
    await app.removeAccount(account);
    const reloaded = reload(cache.serialize());
    const fresh = new PublicClientApplication(DESKTOP_APP, { ...t.appOptions, tokenCache: reloaded });
    assert.deepEqual(await fresh.getAccounts(), []);
    assert.equal(await fresh.acquireTokenSilentWithError(GRAPH_READ, account), null);
  });
});
