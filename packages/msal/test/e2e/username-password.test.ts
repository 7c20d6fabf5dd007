import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { MsalError, SerializableTokenCache } from "@msal-ts/msal";
import {
  ADELE,
  ALEX,
  DESKTOP_APP,
  GRAPH_READ,
  LEE,
  MEGAN,
  failed,
  ok,
  publicApp,
  recordingClient,
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

function accountEntries(cache: SerializableTokenCache): Record<string, unknown>[] {
  return Object.values((JSON.parse(cache.serialize()) as CacheState).Account ?? {});
}

describe("username and password against the emulator", () => {
  test("a managed user signs in; the account records the password grant", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const before = t.emu.tokenRequestCount({ grantType: "password", clientId: DESKTOP_APP });
    const r = ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    assert.equal(t.emu.tokenRequestCount({ grantType: "password", clientId: DESKTOP_APP }), before + 1);
    assert.equal(r.token_source, "identity_provider");
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
    assert.equal(decodeJwt(r.access_token).scp, "User.Read");
    const [entry] = accountEntries(cache);
    assert.equal(entry?.account_source, "password");
    assert.equal(entry?.username, ADELE.username);
    assert.equal(entry?.realm, t.emu.defaultTenantId);
    const [account] = await app.getAccounts();
    assert.ok(account);
    assert.equal(ok(await app.acquireTokenSilent(GRAPH_READ, account)).token_source, "cache");
  });

  test("a confidential client may use it too", async () => {
    const r = ok(await webApp(t).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
  });

  test("a wrong password: invalid_grant 50126, nothing cached", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const r = failed(await app.acquireTokenByUsernamePassword(ADELE.username, "not-her-password", GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.ok(r.error_codes?.includes(50126));
    assert.ok(r.correlation_id);
    assert.equal(cache.serialize(), "{}");
  });

  test("an unknown user: invalid_grant 50034", async () => {
    const r = failed(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword("nobody@contoso.onmicrosoft.com", "x", GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.ok(r.error_codes?.includes(50034));
  });

  test("a user who needs MFA: invalid_grant with suberror basic_action and a claims challenge", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const r = failed(await app.acquireTokenByUsernamePassword(MEGAN.username, MEGAN.password, GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.ok(r.error_codes?.includes(50076));
    assert.equal(r.suberror, "basic_action");
    assert.ok(r.claims, "a claims challenge to sign in interactively with");
    assert.equal(typeof JSON.parse(r.claims), "object");
    assert.equal(cache.serialize(), "{}");
  });

  test("a user who must consent: consent_required", async () => {
    const r = failed(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(LEE.username, LEE.password, GRAPH_READ));
    assert.equal(r.error, "invalid_grant");
    assert.equal(r.suberror, "consent_required");
  });

  test("a federated user: user realm, MEX, WS-Trust, then the SAML bearer grant", async () => {
    const rec = await recordingClient(t);
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache, httpClient: rec.http });
    t.emu.clearRequests();
    const r = ok(await app.acquireTokenByUsernamePassword(ALEX.username, ALEX.password, GRAPH_READ));
    assert.equal(r.id_token_claims?.preferred_username, ALEX.username);

    const paths = t.emu.requests.map((q) => `${q.method} ${q.path}`);
    const at = (pattern: RegExp): number => paths.findIndex((p) => pattern.test(p));
    const realm = at(/^GET \/common\/userrealm\/alex(@|%40)contoso\.example$/);
    const mex = at(/^GET \/federation\/contoso\.example\/mex$/);
    const wsTrust = at(/^POST \/federation\/contoso\.example\/trust\/13\/usernamemixed$/);
    const token = t.emu.requests.findIndex((q) => q.grant_type === "urn:ietf:params:oauth:grant-type:saml1_1-bearer");
    assert.ok(realm >= 0 && mex > realm && wsTrust > mex && token > wsTrust, `in order: ${paths.join(", ")}`);
    assert.equal(t.emu.tokenRequestCount({ grantType: "password" }), 0, "the password never went to the token endpoint");
    assert.equal(t.emu.requests[token]?.status, 200);

    const samlPost = rec.tokenRequests().at(-1);
    assert.ok(samlPost);
    assert.equal(samlPost.body.get("password"), null);
    assert.match(samlPost.body.get("assertion") ?? "", /^[A-Za-z0-9_-]+$/, "base64url without padding");
    const soap = rec.seen.find((q) => q.url.includes("/usernamemixed"));
    assert.match(soap?.headers["content-type"] ?? "", /^application\/soap\+xml/);

    const [entry] = accountEntries(cache);
    assert.equal(entry?.username, ALEX.username);
    const [account] = await app.getAccounts();
    assert.equal(account?.username, ALEX.username);
  });

  test("a federated user with a wrong password: the federation service's refusal is thrown", async () => {
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { tokenCache: cache });
    const before = t.emu.tokenRequestCount();
    await assert.rejects(app.acquireTokenByUsernamePassword(ALEX.username, "Not-Alex-Pw-9731", GRAPH_READ), (e: unknown) => {
      assert.ok(e instanceof MsalError);
      assert.equal(e.code, "ERR_WS_TRUST");
      assert.ok(!e.message.includes("Not-Alex-Pw-9731"), "the password is never in a message");
      return true;
    });
    assert.equal(t.emu.tokenRequestCount(), before, "no token request");
    assert.equal(cache.serialize(), "{}");
  });

  test("bad arguments throw", async () => {
    const app = publicApp(t, DESKTOP_APP);
    await assert.rejects(app.acquireTokenByUsernamePassword("", "x", GRAPH_READ), TypeError);
    await assert.rejects(app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ["openid"]), TypeError);
  });
});
