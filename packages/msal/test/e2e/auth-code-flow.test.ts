import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { MFA_CODE } from "@msal-ts/emulator";
import { IdTokenError, MsalError, SerializableTokenCache, type AuthCodeFlow } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
  GRAPH_READ,
  LEE,
  LOOPBACK_REDIRECT,
  MEGAN,
  WEB_APP,
  WEB_REDIRECT,
  failed,
  ok,
  publicApp,
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

function hex256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

function base64url256(s: string): string {
  return createHash("sha256").update(s).digest("base64url");
}

describe("auth code flow against the emulator", () => {
  test("sign-in, redemption, id_token_claims, account in getAccounts()", async () => {
    const cache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache: cache });
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });

    const url = new URL(flow.auth_uri);
    const q = url.searchParams;
    assert.equal(q.get("client_id"), WEB_APP);
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("redirect_uri"), WEB_REDIRECT);
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.equal(q.get("code_challenge"), base64url256(flow.code_verifier));
    assert.equal(q.get("state"), flow.state);
    assert.ok(flow.state.length >= 16);
    assert.equal(q.get("nonce"), hex256(flow.nonce), "the URL carries the hex SHA-256 of the nonce");
    assert.notEqual(q.get("nonce"), flow.nonce);
    assert.equal(q.get("client_info"), "1");
    assert.deepEqual(q.get("scope")?.split(" "), ["User.Read", "offline_access", "openid", "profile"]);

    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    assert.equal(signIn.responseMode, "query");
    assert.ok(signIn.url.startsWith(WEB_REDIRECT));
    const before = t.emu.tokenRequestCount();
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(t.emu.tokenRequestCount({ grantType: "authorization_code", clientId: WEB_APP }), 1);
    assert.equal(t.emu.tokenRequestCount(), before + 1);
    assert.equal(r.token_source, "identity_provider");
    assert.ok(r.refresh_token, "offline_access brought a refresh token");
    const claims = r.id_token_claims;
    assert.ok(claims);
    assert.equal(claims.nonce, hex256(flow.nonce));
    assert.equal(claims.aud, WEB_APP);
    assert.equal(claims.preferred_username, ADELE.username);

    const accounts = await app.getAccounts();
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.username, ADELE.username);
    assert.equal(accounts[0]?.account_source, "authorization_code");
    const counts = cache.count();
    assert.deepEqual(
      [counts.AccessToken, counts.RefreshToken, counts.IdToken, counts.Account, counts.AppMetadata],
      [1, 1, 1, 1, 1],
    );
  });

  for (const responseMode of ["query", "fragment", "form_post"] as const) {
    test(`response mode ${responseMode}`, async () => {
      const app = webApp(t);
      const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, responseMode });
      assert.equal(new URL(flow.auth_uri).searchParams.get("response_mode"), responseMode);
      const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
      assert.equal(signIn.responseMode, responseMode);
      assert.ok(signIn.params.code);
      const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
      assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
    });
  }

  test("the flow survives a JSON round trip (a session store); the redirect URL's own parameters work", async () => {
    const app = webApp(t);
    const flow = JSON.parse(JSON.stringify(await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, maxAge: 3600 }))) as AuthCodeFlow;
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const redirect = new URL(signIn.url);
    assert.equal(redirect.searchParams.get("state"), flow.state);
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, redirect.searchParams));
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
  });

  test("a fragment response handed over as URLSearchParams; a repeated field is refused", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, responseMode: "fragment" });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const fields = new URLSearchParams(new URL(signIn.url).hash.slice(1));
    const repeated = new URLSearchParams(fields);
    repeated.append("code", "another-code");
    await assert.rejects(app.acquireTokenByAuthCodeFlow(flow, repeated), { code: "ERR_INVALID_ARG_VALUE" });
    ok(await app.acquireTokenByAuthCodeFlow(flow, fields));
  });

  test("a state mismatch throws ERR_STATE_MISMATCH and caches nothing", async () => {
    const cache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache: cache });
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const before = t.emu.tokenRequestCount();
    await assert.rejects(app.acquireTokenByAuthCodeFlow(flow, { ...signIn.params, state: "forged-state-value" }), (e: unknown) => {
      assert.ok(e instanceof MsalError);
      assert.equal(e.code, "ERR_STATE_MISMATCH");
      return true;
    });
    // A response from another sign-in (its own valid state) does not fit this flow either.
    const other = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    await assert.rejects(app.acquireTokenByAuthCodeFlow(other, signIn.params), { code: "ERR_STATE_MISMATCH" });
    assert.equal(t.emu.tokenRequestCount(), before, "the code was not redeemed");
    assert.equal(cache.serialize(), "{}");
    assert.deepEqual(await app.getAccounts(), []);
  });

  test("a flow not made by initiateAuthCodeFlow throws", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const response = { code: "some-code", state: flow.state };
    const { code_verifier: _v, ...withoutVerifier } = flow;
    await assert.rejects(app.acquireTokenByAuthCodeFlow(withoutVerifier as unknown as AuthCodeFlow, response), { code: "ERR_STATE_MISMATCH" });
    await assert.rejects(
      app.acquireTokenByAuthCodeFlow({ auth_uri: flow.auth_uri, state: flow.state } as unknown as AuthCodeFlow, response),
      { code: "ERR_STATE_MISMATCH" },
    );
    await assert.rejects(app.acquireTokenByAuthCodeFlow(null as unknown as AuthCodeFlow, response), { code: "ERR_STATE_MISMATCH" });
    await assert.rejects(app.acquireTokenByAuthCodeFlow({ ...flow, state: "" }, { ...response, state: "" }), { code: "ERR_STATE_MISMATCH" });
  });

  test("a tampered nonce fails the ID token check and caches nothing", async () => {
    const cache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache: cache });
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const tampered: AuthCodeFlow = { ...flow, nonce: `${flow.nonce}x` };
    const before = t.emu.tokenRequestCount();
    await assert.rejects(app.acquireTokenByAuthCodeFlow(tampered, signIn.params), (e: unknown) => {
      assert.ok(e instanceof IdTokenError);
      assert.equal(e.claim, "nonce");
      return true;
    });
    assert.equal(t.emu.tokenRequestCount(), before + 1, "the code was redeemed; its ID token was refused");
    assert.equal(cache.serialize(), "{}");
    assert.deepEqual(await app.getAccounts(), []);
  });

  test("a code redeemed twice gives invalid_grant 54005", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    const again = failed(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(again.error, "invalid_grant");
    assert.ok(again.error_codes?.includes(54005), `error_codes ${JSON.stringify(again.error_codes)}`);
    assert.ok(again.correlation_id);
  });

  test("consent cancelled: access_denied comes back as an error result, no token request", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, { ...LEE, consent: false });
    assert.equal(signIn.params.error, "access_denied");
    const before = t.emu.tokenRequestCount();
    const r = failed(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(r.error, "access_denied");
    assert.equal(t.emu.tokenRequestCount(), before);
  });

  test("consent accepted: lee gets a token", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, { ...LEE, consent: true });
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(r.id_token_claims?.preferred_username, LEE.username);
  });

  test("prompt=none without a session: login_required as an error result", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, prompt: "none" });
    const signIn = await t.emu.signIn(flow.auth_uri);
    const before = t.emu.tokenRequestCount();
    const r = failed(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(r.error, "login_required");
    assert.equal(t.emu.tokenRequestCount(), before);
  });

  test("prompt=none with a session signs in silently", async () => {
    const app = webApp(t);
    const cookies = new Map<string, string>();
    const first = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    ok(await app.acquireTokenByAuthCodeFlow(first, (await t.emu.signIn(first.auth_uri, { ...ADELE, cookies })).params));
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, prompt: "none" });
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, (await t.emu.signIn(flow.auth_uri, { cookies })).params));
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
  });

  test("maxAge: a fresh sign-in passes and auth_time is present", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, maxAge: 600 });
    assert.equal(new URL(flow.auth_uri).searchParams.get("max_age"), "600");
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    const authTime = r.id_token_claims?.auth_time;
    assert.equal(typeof authTime, "number");
    assert.ok(Math.abs((authTime as number) - Date.now() / 1000) < 600);
  });

  test("an MFA user signs in with the one-time code", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT, loginHint: MEGAN.username });
    const q = new URL(flow.auth_uri).searchParams;
    assert.equal(q.get("login_hint"), MEGAN.username);
    assert.equal(q.get("X-AnchorMailbox"), `UPN:${MEGAN.username}`);
    const signIn = await t.emu.signIn(flow.auth_uri, { ...MEGAN, mfaCode: MFA_CODE });
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(r.id_token_claims?.preferred_username, MEGAN.username);
    const [account] = await app.getAccounts({ username: MEGAN.username.toUpperCase() });
    assert.equal(account?.username, MEGAN.username);
    // Her refresh token remembers the second factor: a refresh needs none.
    const refreshed = ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(refreshed.token_source, "identity_provider");
  });

  test("client capabilities travel on the authorize URL and the redemption", async () => {
    const app = webApp(t, { clientCapabilities: ["CP1"] });
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const claims = JSON.parse(new URL(flow.auth_uri).searchParams.get("claims") ?? "null") as unknown;
    assert.deepEqual(claims, { access_token: { xms_cc: { values: ["CP1"] } } });
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, (await t.emu.signIn(flow.auth_uri, ADELE)).params));
    assert.deepEqual(decodeJwt(r.access_token).xms_cc, ["CP1"]);
    const [account] = await app.getAccounts();
    const refreshed = ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.deepEqual(decodeJwt(refreshed.access_token).xms_cc, ["CP1"]);
  });

  test("a public client on a loopback redirect (no secret)", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: LOOPBACK_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(r.id_token_claims?.aud, DESKTOP_APP);
    assert.equal(r.foci, "1");
  });

  test("redeeming for a subset of the flow's scopes", async () => {
    const app = webApp(t);
    const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    await assert.rejects(app.acquireTokenByAuthCodeFlow(flow, signIn.params, { scopes: ["api://orders/Orders.Read"] }), {
      code: "ERR_INVALID_ARG_VALUE",
    });
    const r = ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params, { scopes: GRAPH_READ }));
    assert.ok(r.scope?.split(" ").includes("User.Read"));
  });

  test("deprecated pair: getAuthorizationRequestUrl + acquireTokenByAuthorizationCode with a nonce", async () => {
    const app = webApp(t);
    const nonce = "my-own-nonce-value";
    const authUrl = await app.getAuthorizationRequestUrl(GRAPH_READ, { redirectUri: WEB_REDIRECT, state: "s1", nonce });
    const q = new URL(authUrl).searchParams;
    assert.equal(q.get("nonce"), nonce, "sent as given");
    assert.equal(q.get("code_challenge"), null, "no PKCE on the deprecated URL");
    const signIn = await t.emu.signIn(authUrl, ADELE);
    assert.equal(signIn.params.state, "s1");
    const code = signIn.params.code;
    assert.ok(code);
    const r = ok(await app.acquireTokenByAuthorizationCode(code, GRAPH_READ, { redirectUri: WEB_REDIRECT, nonce }));
    assert.equal(r.id_token_claims?.nonce, nonce);
    assert.equal((await app.getAccounts()).length, 1);
  });

  test("deprecated pair with a wrong nonce: IdTokenError, nothing cached", async () => {
    const cache = new SerializableTokenCache();
    const app = webApp(t, { tokenCache: cache });
    const authUrl = await app.getAuthorizationRequestUrl(GRAPH_READ, { redirectUri: WEB_REDIRECT, nonce: "sent-nonce" });
    const signIn = await t.emu.signIn(authUrl, ADELE);
    await assert.rejects(
      app.acquireTokenByAuthorizationCode(signIn.params.code ?? "", GRAPH_READ, { redirectUri: WEB_REDIRECT, nonce: "other-nonce" }),
      (e: unknown) => e instanceof IdTokenError && e.claim === "nonce",
    );
    assert.equal(cache.serialize(), "{}");
  });

  test("a wrong client secret: invalid_client error result, nothing cached", async () => {
    const cache = new SerializableTokenCache();
    const good = webApp(t);
    const flow = await good.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const { ConfidentialClientApplication } = await import("@msal-ts/msal");
    const bad = new ConfidentialClientApplication(WEB_APP, { ...t.appOptions, clientCredential: "wrong", tokenCache: cache });
    const r = failed(await bad.acquireTokenByAuthCodeFlow(flow, signIn.params));
    assert.equal(r.error, "invalid_client");
    assert.equal(cache.serialize(), "{}");
  });

  test("reserved scopes are refused before anything is sent", async () => {
    const app = webApp(t);
    await assert.rejects(app.initiateAuthCodeFlow(["openid"], { redirectUri: WEB_REDIRECT }), TypeError);
    await assert.rejects(app.initiateAuthCodeFlow(["offline_access", ...GRAPH_READ]), TypeError);
    // An empty list only signs in.
    const flow = await app.initiateAuthCodeFlow([], { redirectUri: WEB_REDIRECT });
    assert.deepEqual(new URL(flow.auth_uri).searchParams.get("scope")?.split(" "), ["offline_access", "openid", "profile"]);
  });
});
