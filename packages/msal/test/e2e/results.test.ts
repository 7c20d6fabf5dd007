import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SerializableTokenCache } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
  GRAPH_READ,
  ORDERS_READ,
  failed,
  ok,
  ordersApi,
  publicApp,
  signInWithAuthCode,
  startAuthority,
  webApp,
  type TestAuthority,
} from "./support.js";

const REFRESH_IN = 1200;
let t: TestAuthority;

before(async () => {
  // An authority that tells clients to refresh early.
  t = await startAuthority({ refreshIn: REFRESH_IN });
});

after(async () => {
  await t.emu.close();
});

const now = (): number => Math.floor(Date.now() / 1000);

/** refresh_on is now + refresh_in, give or take the seconds a test takes. */
function assertRefreshOn(value: unknown): void {
  assert.equal(typeof value, "number");
  assert.ok(Math.abs((value as number) - (now() + REFRESH_IN)) <= 5, `refresh_on ${String(value)}`);
}

describe("result shapes", () => {
  test("a token from the authority: token_source, refresh_on instead of refresh_in", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const r = ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(Object.hasOwn(r, "refresh_in"), false);
    assertRefreshOn(r.refresh_on);
    assert.equal(typeof r.expires_in, "number");
    assert.equal(r.token_type, "Bearer");
    assert.ok(r.id_token && r.id_token_claims && r.client_info && r.scope && r.refresh_token);
    assert.ok(Object.keys(r).every((k) => !k.startsWith("_")));

    const ats = Object.values((JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, unknown>>>).AccessToken ?? {});
    assertRefreshOn(Number(ats[0]?.refresh_on));

    const [account] = await app.getAccounts();
    const cached = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(cached.token_source, "cache");
    assertRefreshOn(cached.refresh_on);
    assert.deepEqual(Object.keys(cached).sort(), ["access_token", "expires_in", "refresh_on", "token_source", "token_type"]);
  });

  test("every flow's results follow the same shape", async () => {
    const web = webApp(t);
    const fromCode = await signInWithAuthCode(t, web, ADELE);
    const [account] = await web.getAccounts();
    const refreshed = ok(await web.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    const user = publicApp(t, DESKTOP_APP);
    const incoming = ok(await user.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
    const obo = ok(await ordersApi(t).acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    const migrated = ok(await publicApp(t, DESKTOP_APP).acquireTokenByRefreshToken(ok(await user.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ)).refresh_token ?? "", GRAPH_READ));
    for (const [name, r] of Object.entries({ fromCode, refreshed, obo, migrated })) {
      assert.equal(r.token_source, "identity_provider", name);
      assert.equal(Object.hasOwn(r, "refresh_in"), false, name);
      assertRefreshOn(r.refresh_on);
      assert.ok(r.id_token_claims, `${name} has id_token_claims`);
    }
  });

  test("error results carry the server's correlation_id", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const r = failed(await app.acquireTokenByUsernamePassword(ADELE.username, "nope", GRAPH_READ));
    assert.match(r.correlation_id ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(r.error_description?.includes(r.correlation_id ?? "-"), "the same id the description names");
    assert.ok(r.trace_id);
  });
});
