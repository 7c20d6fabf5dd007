import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { SerializableTokenCache } from "@msal-ts/msal";
import {
  ADELE,
  ALEX,
  DESKTOP_APP,
  GRAPH_READ,
  ORDERS_API,
  ORDERS_READ,
  failed,
  ok,
  ordersApi,
  publicApp,
  startAuthority,
  type TestAuthority,
} from "./support.js";

let t: TestAuthority;
/** Adele's token for the Orders API, as a client app would send it. */
let incoming: string;
/** Another token of Adele's for the Orders API (another sign-in). */
let incoming2: string;
/** Alex's token for the Orders API. */
let incomingAlex: string;

before(async () => {
  t = await startAuthority();
  const client = publicApp(t, DESKTOP_APP);
  incoming = ok(await client.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
  incoming2 = ok(await client.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
  assert.notEqual(incoming, incoming2);
  incomingAlex = ok(await client.acquireTokenByUsernamePassword(ALEX.username, ALEX.password, ORDERS_READ)).access_token;
});

after(async () => {
  await t.emu.close();
});

const OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

describe("on-behalf-of against the emulator", () => {
  test("the incoming token is for the Orders API", () => {
    const claims = decodeJwt(incoming);
    assert.equal(claims.aud, ORDERS_API);
    assert.equal(claims.scp, "Orders.Read");
  });

  test("exchanges the user's token for a Graph token, then serves it from the cache", async () => {
    const cache = new SerializableTokenCache();
    const api = ordersApi(t, { tokenCache: cache });
    const before = t.emu.tokenRequestCount({ grantType: OBO_GRANT });
    const first = ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    assert.equal(first.token_source, "identity_provider");
    assert.equal(t.emu.tokenRequestCount({ grantType: OBO_GRANT, clientId: ORDERS_API }), before + 1);
    const claims = decodeJwt(first.access_token);
    assert.equal(claims.aud, "https://graph.microsoft.com");
    assert.equal(claims.scp, "User.Read");
    assert.equal(claims.preferred_username, ADELE.username);
    assert.equal(first.id_token_claims?.aud, ORDERS_API);

    const requests = t.emu.requests.length;
    const second = ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    assert.equal(second.token_source, "cache");
    assert.equal(second.access_token, first.access_token);
    assert.equal(t.emu.requests.length, requests, "no request at all");

    const hash = createHash("sha256").update(incoming).digest("base64url");
    const state = JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, unknown>>>;
    const ats = Object.values(state.AccessToken ?? {});
    const rts = Object.values(state.RefreshToken ?? {});
    assert.equal(ats.length, 1);
    assert.equal(ats[0]?.userAssertionHash, hash);
    assert.equal(rts.length, 1);
    assert.equal(rts[0]?.userAssertionHash, hash);
    const accounts = Object.values(state.Account ?? {});
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.account_source, undefined, "OBO sets no account_source");
  });

  test("another assertion is a new request; each user's assertion keeps its own tokens", async () => {
    const api = ordersApi(t);
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    const before = t.emu.tokenRequestCount({ grantType: OBO_GRANT });
    // The same user, another token: not the cached token's assertion, so the authority is asked.
    const sameUser = ok(await api.acquireTokenOnBehalfOf(incoming2, GRAPH_READ));
    assert.equal(sameUser.token_source, "identity_provider");
    assert.equal(t.emu.tokenRequestCount({ grantType: OBO_GRANT }), before + 1);
    // Another user: tokens of both users stay cached side by side.
    const alex = ok(await api.acquireTokenOnBehalfOf(incomingAlex, GRAPH_READ));
    assert.equal(alex.token_source, "identity_provider");
    assert.equal(decodeJwt(alex.access_token).preferred_username, ALEX.username);
    assert.equal(ok(await api.acquireTokenOnBehalfOf(incomingAlex, GRAPH_READ)).access_token, alex.access_token);
    const adele = ok(await api.acquireTokenOnBehalfOf(incoming2, GRAPH_READ));
    assert.equal(adele.token_source, "cache");
    assert.equal(adele.access_token, sameUser.access_token);
    assert.equal(t.emu.tokenRequestCount({ grantType: OBO_GRANT }), before + 2);
  });

  test("forceRefresh and a claims challenge skip the cache", async () => {
    const api = ordersApi(t);
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    const before = t.emu.tokenRequestCount({ grantType: OBO_GRANT });
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ, { forceRefresh: true }));
    ok(
      await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ, {
        claimsChallenge: JSON.stringify({ access_token: { nbf: { essential: true, value: "1700000000" } } }),
      }),
    );
    assert.equal(t.emu.tokenRequestCount({ grantType: OBO_GRANT }), before + 2);
  });

  test("an assertion for another audience: invalid_grant, nothing cached", async () => {
    const cache = new SerializableTokenCache();
    const api = ordersApi(t, { tokenCache: cache });
    const graphToken = ok(
      await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ),
    ).access_token;
    const r = failed(await api.acquireTokenOnBehalfOf(graphToken, GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.ok(r.correlation_id);
    assert.equal(cache.serialize(), "{}");
  });

  test("reserved scopes are refused before the cache is consulted", async () => {
    const api = ordersApi(t);
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    await assert.rejects(api.acquireTokenOnBehalfOf(incoming, ["openid"]), TypeError);
    await assert.rejects(api.acquireTokenOnBehalfOf("", GRAPH_READ), TypeError);
  });

  test("the cached OBO account can be used silently by the API", async () => {
    const cache = new SerializableTokenCache();
    const api = ordersApi(t, { tokenCache: cache });
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    const [account] = await api.getAccounts();
    assert.equal(account?.username, ADELE.username);
    const r = ok(await api.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(r.token_source, "cache");
  });
});
