// Client-side throttling against the emulator (client-behavior §5.1): what the authority asked the
// app to wait on is answered again by the app itself, without a request, until the time is up.
import assert from "node:assert/strict";
import { setTimeout as wait } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { ADELE, DESKTOP_APP, GRAPH_READ, failed, ok, publicApp, startAuthority, type TestAuthority } from "./support.js";

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

let t: TestAuthority;

before(async () => {
  t = await startAuthority({ deviceCode: { interval: 1 } });
});

after(async () => {
  await t.emu.close();
});

describe("throttling against the emulator", () => {
  test("a 429 with `Retry-After: 2` is replayed without a request until it passes", async () => {
    const app = publicApp(t, DESKTOP_APP);
    ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const [account] = await app.getAccounts();
    assert.ok(account);

    t.emu.failNextTokenRequests({ count: 1, status: 429, retryAfter: 2 });
    const tokenRequests = t.emu.tokenRequestCount();
    // forceRefresh goes to the authority; the throttle still stands in front of it.
    const first = failed(await app.acquireTokenSilentWithError(GRAPH_READ, account, { forceRefresh: true }));
    const answeredAt = Date.now();
    assert.equal(first.error, "temporarily_unavailable");
    assert.match(String(first.error_description), /^AADSTS90055: /);
    assert.equal(t.emu.tokenRequestCount(), tokenRequests + 1);
    assert.equal(t.emu.tokenRequestCount({ status: 429 }), 1);
    const requests = t.emu.requests.length;

    const during = [failed(await app.acquireTokenSilentWithError(GRAPH_READ, account, { forceRefresh: true }))];
    await wait(1500);
    during.push(failed(await app.acquireTokenSilentWithError(GRAPH_READ, account, { forceRefresh: true })));
    assert.ok(Date.now() - answeredAt < 2000, "the second replay came within the 2 s");
    for (const replayed of during) {
      assert.equal(replayed.error, first.error);
      assert.equal(replayed.error_description, first.error_description);
    }
    assert.equal(t.emu.requests.length, requests, "no request reached the emulator while throttled");

    await wait(Math.max(0, answeredAt + 2050 - Date.now()));
    const fresh = ok(await app.acquireTokenSilentWithError(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(fresh.token_source, "identity_provider");
    assert.equal(t.emu.tokenRequestCount(), tokenRequests + 2);
  });

  test("an invalid_grant for a bad refresh token is answered once; a second identical call is replayed", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const before = t.emu.tokenRequestCount({ grantType: "refresh_token" });
    const first = failed(await app.acquireTokenByRefreshToken("not-a-refresh-token", GRAPH_READ));
    assert.equal(first.error, "invalid_grant");
    const second = failed(await app.acquireTokenByRefreshToken("not-a-refresh-token", GRAPH_READ));
    assert.equal(second.error_description, first.error_description);
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 1);

    // Another request (other scopes), or another app with its own HTTP cache, is not held back.
    failed(await app.acquireTokenByRefreshToken("not-a-refresh-token", ["api://orders/Orders.Read"]));
    failed(await publicApp(t, DESKTOP_APP).acquireTokenByRefreshToken("not-a-refresh-token", GRAPH_READ));
    assert.equal(t.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 3);
  });

  test("device code polling is not replayed: every authorization_pending comes from the emulator", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const flow = await app.initiateDeviceFlow(GRAPH_READ);
    if ("error" in flow) assert.fail(flow.error);
    const pending = () => t.emu.tokenRequestCount({ grantType: DEVICE_CODE_GRANT, status: 400 });
    const before = pending();
    const polling = app.acquireTokenByDeviceFlow(flow);
    while (pending() < before + 2) await wait(50);
    assert.equal(await t.emu.completeDeviceLogin(flow.user_code, ADELE), "approved");
    const result = ok(await polling);
    assert.equal(result.id_token_claims?.preferred_username, ADELE.username);
    assert.equal(t.emu.tokenRequestCount({ grantType: DEVICE_CODE_GRANT, status: 200 }), 1);
  });
});
