import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";
import { createEmulator } from "../src/index.js";
import { assertEntraError } from "./support/entra-error.js";
import { call } from "./support/https.js";
import {
  ADELE,
  DESKTOP,
  DESKTOP_REDIRECT,
  FAMILY,
  LEE,
  OTHER_APP,
  OTHER_TENANT_ID,
  TENANT_ID,
  WEB,
  WEB_CREDENTIALS,
  WEB_REDIRECT,
  pkce,
  signInForCode,
  tokenRequest,
  useUserFlowEmulator,
  userFlowOptions,
} from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

const SCOPE = "openid profile offline_access User.Read";

/** Signs Adele in to the web app with PKCE and returns what the redemption needs. */
async function webCode(params: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  const response = await signInForCode(env.emu, ADELE, { code_challenge: challenge, code_challenge_method: "S256", ...params });
  return { code: response.code ?? "", verifier };
}

function redeem(code: string, extra: Record<string, string> = {}, tenant?: string) {
  return tokenRequest(env.emu, { grant_type: "authorization_code", ...WEB_CREDENTIALS, code, redirect_uri: WEB_REDIRECT, scope: SCOPE, ...extra }, tenant);
}

describe("authorization code redemption", () => {
  test("with the PKCE verifier: tokens of the delegated shape, headers of the token endpoint", async () => {
    const { code, verifier } = await webCode();
    const r = await redeem(code, { code_verifier: verifier, client_info: "1" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers["cache-control"], "no-store, no-cache");
    const body = r.json();
    assert.deepEqual(Object.keys(body), [
      "token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info",
    ]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.scope, "User.Read openid profile");
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);
    assert.match(String(body.refresh_token), /^1\.[A-Za-z0-9_-]{64}$/);
    const info = JSON.parse(Buffer.from(String(body.client_info), "base64url").toString()) as Record<string, string>;
    assert.equal(info.utid, TENANT_ID);
    assert.equal(info.uid, decodeJwt(String(body.id_token)).oid);
  });

  test("the ID token: RS256 with kid, iss, aud = client id, nonce verbatim, auth_time of the sign-in, 1 hour", async () => {
    const nonce = "n-0S6_WzA2Mj+/é";
    const signInTime = clock.now;
    const { code, verifier } = await webCode({ nonce, max_age: "600" });
    clock.now += 30;
    try {
      const body = (await redeem(code, { code_verifier: verifier })).json();
      const jwks = (await call(`${env.emu.authority}/discovery/v2.0/keys`, { ca: env.emu.caCertificate })).json<JSONWebKeySet>();
      const { payload, protectedHeader } = await jwtVerify(String(body.id_token), createLocalJWKSet(jwks), {
        issuer: `${env.emu.url}/${TENANT_ID}/v2.0`,
        audience: WEB.clientId,
        currentDate: new Date(clock.now * 1000),
      });
      assert.equal(protectedHeader.typ, "JWT");
      assert.equal(protectedHeader.kid, jwks.keys[0]?.kid);
      assert.equal(protectedHeader.x5t, undefined);
      assert.equal(payload.nonce, nonce);
      assert.equal(payload.auth_time, signInTime);
      assert.equal(payload.iat, clock.now);
      assert.equal(payload.nbf, clock.now);
      assert.equal(payload.exp, clock.now + 3600);
      assert.equal(payload.tid, TENANT_ID);
      assert.equal(payload.ver, "2.0");
      assert.equal(payload.preferred_username, ADELE.username);
      assert.equal(payload.name, ADELE.displayName);
      assert.equal(payload.email, ADELE.email);
      assert.match(String(payload.oid), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(String(payload.sid), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(String(payload.uti), /^[A-Za-z0-9_-]{22}$/);
      assert.match(String(payload.sub), /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(payload.sub, payload.oid);
    } finally {
      clock.now -= 30;
    }
  });

  test("the access token: Graph audience, scp, azp/azpacr, user claims; sub is pairwise per app", async () => {
    const { code, verifier } = await webCode();
    const at = decodeJwt(String((await redeem(code, { code_verifier: verifier })).json().access_token));
    assert.equal(at.aud, "https://graph.microsoft.com");
    assert.equal(at.iss, `${env.emu.url}/${TENANT_ID}/v2.0`);
    assert.equal(at.scp, "User.Read");
    assert.equal(at.azp, WEB.clientId);
    assert.equal(at.azpacr, "1");
    assert.equal(at.preferred_username, ADELE.username);
    assert.equal(at.ver, "2.0");
    assert.equal(at.exp, clock.now + 3599);
    assert.equal(at.xms_cc, undefined);

    const desktop = await env.emu.signIn(
      `${env.emu.authority}/oauth2/v2.0/authorize?client_id=${DESKTOP.clientId}&response_type=code&redirect_uri=${encodeURIComponent(DESKTOP_REDIRECT)}&scope=openid+User.Read`,
      { username: ADELE.username, password: ADELE.password },
    );
    const fromDesktop = (
      await tokenRequest(env.emu, { grant_type: "authorization_code", client_id: DESKTOP.clientId, code: desktop.params.code ?? "", redirect_uri: DESKTOP_REDIRECT, scope: "openid User.Read" })
    ).json();
    const desktopAt = decodeJwt(String(fromDesktop.access_token));
    assert.equal(desktopAt.oid, at.oid);
    assert.notEqual(desktopAt.sub, at.sub);
    assert.equal(desktopAt.azpacr, "0");
    assert.equal(fromDesktop.refresh_token, undefined, "no offline_access, no refresh token");
    assert.equal(fromDesktop.foci, "1");
  });

  test("the token request's scope picks the resource: api://orders scopes, .default, capabilities into xms_cc", async () => {
    const a = await webCode({ scope: "openid offline_access api://orders/Orders.Read" });
    const orders = (await redeem(a.code, { code_verifier: a.verifier, scope: "openid api://orders/orders.read", claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}' })).json();
    assert.equal(orders.scope, "api://orders/Orders.Read openid");
    const at = decodeJwt(String(orders.access_token));
    assert.equal(at.aud, "0a0d3e45-0000-4b5c-9d00-0000000000a1");
    assert.equal(at.scp, "Orders.Read");
    assert.deepEqual(at.xms_cc, ["cp1"]);
    assert.ok(orders.id_token);

    const b = await webCode();
    const all = (await redeem(b.code, { code_verifier: b.verifier, scope: "api://orders/.default offline_access" })).json();
    assert.equal(all.scope, "api://orders/Orders.Read api://orders/Orders.ReadWrite openid profile");
    assert.equal(decodeJwt(String(all.access_token)).scp, "Orders.Read Orders.ReadWrite");
  });

  test("scopes of two resources: invalid_scope AADSTS700022; an undefined scope: AADSTS70011", async () => {
    const a = await webCode();
    assertEntraError(env.emu.url, (await redeem(a.code, { code_verifier: a.verifier, scope: "User.Read api://orders/Orders.Read" })).json(), "invalid_scope", 700022);
    const b = await webCode();
    assertEntraError(env.emu.url, (await redeem(b.code, { code_verifier: b.verifier, scope: "api://orders/Nope" })).json(), "invalid_scope", 70011);
  });
});

describe("authorization code failures", () => {
  test("PKCE: a wrong or missing verifier is invalid_grant AADSTS501481", async () => {
    const wrong = await webCode();
    const r = await redeem(wrong.code, { code_verifier: pkce().verifier });
    assert.equal(r.status, 400);
    assertEntraError(env.emu.url, r.json(), "invalid_grant", 501481);
    const missing = await webCode();
    assertEntraError(env.emu.url, (await redeem(missing.code)).json(), "invalid_grant", 501481);
  });

  test("PKCE plain: the verifier is the challenge", async () => {
    const verifier = pkce().verifier;
    const code = (await signInForCode(env.emu, ADELE, { code_challenge: verifier })).code ?? "";
    assert.equal((await redeem(code, { code_verifier: verifier })).status, 200);
  });

  test("a code is single-use: the second redemption is AADSTS54005", async () => {
    const { code, verifier } = await webCode();
    assert.equal((await redeem(code, { code_verifier: verifier })).status, 200);
    assertEntraError(env.emu.url, (await redeem(code, { code_verifier: verifier })).json(), "invalid_grant", 54005);
  });

  test("a code expires after 10 minutes: AADSTS70008", async () => {
    const { code, verifier } = await webCode();
    clock.now += 601;
    try {
      assertEntraError(env.emu.url, (await redeem(code, { code_verifier: verifier })).json(), "invalid_grant", 70008);
    } finally {
      clock.now -= 601;
    }
  });

  test("the redirect_uri must be the authorize request's: AADSTS500112", async () => {
    const { code, verifier } = await webCode();
    const r = await redeem(code, { code_verifier: verifier, redirect_uri: "http://localhost:9999/auth/redirect" });
    assertEntraError(env.emu.url, r.json(), "invalid_grant", 500112);
  });

  test("an unknown code, another tenant's path, another app: invalid_grant", async () => {
    assertEntraError(env.emu.url, (await redeem("not-a-code")).json(), "invalid_grant", 70000);
    const a = await webCode();
    const other = await redeem(a.code, { code_verifier: a.verifier, client_secret: "fabrikam-web-secret" }, OTHER_TENANT_ID);
    assertEntraError(env.emu.url, other.json(), "invalid_grant", 700005);
    const b = await webCode();
    const byDesktop = await tokenRequest(env.emu, { grant_type: "authorization_code", client_id: DESKTOP.clientId, code: b.code, redirect_uri: WEB_REDIRECT, code_verifier: b.verifier });
    assertEntraError(env.emu.url, byDesktop.json(), "invalid_grant", 70000);
  });

  test("a confidential app must authenticate: AADSTS7000218 without a secret, 7000215 with a wrong one", async () => {
    const { code, verifier } = await webCode();
    const r = await tokenRequest(env.emu, { grant_type: "authorization_code", client_id: WEB.clientId, code, redirect_uri: WEB_REDIRECT, code_verifier: verifier });
    assert.equal(r.status, 401);
    assertEntraError(env.emu.url, r.json(), "invalid_client", 7000218);
    assertEntraError(env.emu.url, (await redeem(code, { code_verifier: verifier, client_secret: "wrong" })).json(), "invalid_client", 7000215);
    // Failed client authentication does not spend the code.
    assert.equal((await redeem(code, { code_verifier: verifier })).status, 200);
  });

  test("a public client must not send a secret: AADSTS700025", async () => {
    const result = await env.emu.signIn(
      `${env.emu.authority}/oauth2/v2.0/authorize?client_id=${FAMILY.clientId}&response_type=code&redirect_uri=${encodeURIComponent(DESKTOP_REDIRECT)}&scope=openid`,
      { username: ADELE.username, password: ADELE.password },
    );
    const r = await tokenRequest(env.emu, { grant_type: "authorization_code", client_id: FAMILY.clientId, client_secret: "x", code: result.params.code ?? "", redirect_uri: DESKTOP_REDIRECT });
    assert.equal(r.status, 401);
    assertEntraError(env.emu.url, r.json(), "invalid_client", 700025);
  });
});

describe("multi-tenant sign-in", () => {
  test("on /organizations the user's tenant issues the code, redeemable at /organizations", async () => {
    const redirect = "http://localhost:4000";
    const url = `${env.emu.authorityFor("organizations")}/oauth2/v2.0/authorize?client_id=${OTHER_APP.clientId}&response_type=code&redirect_uri=${encodeURIComponent(redirect)}&scope=openid+profile&client_info=1`;
    const result = await env.emu.signIn(url, { username: "faye@fabrikam.example", password: "faye-password" });
    const info = JSON.parse(Buffer.from(result.params.client_info ?? "", "base64url").toString()) as Record<string, string>;
    assert.equal(info.utid, OTHER_TENANT_ID);
    const r = await tokenRequest(env.emu, { grant_type: "authorization_code", client_id: OTHER_APP.clientId, code: result.params.code ?? "", redirect_uri: redirect, scope: "openid profile" }, "organizations");
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().id_token)).iss, `${env.emu.url}/${OTHER_TENANT_ID}/v2.0`);
  });

  test("a user whose tenant lacks the app sees AADSTS700016 on a page", async () => {
    const url = `${env.emu.authorityFor("organizations")}/oauth2/v2.0/authorize?client_id=${OTHER_APP.clientId}&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A4000&scope=openid`;
    await assert.rejects(env.emu.signIn(url, { username: ADELE.username, password: ADELE.password }), /AADSTS700016/);
  });
});

describe("consent at redemption", () => {
  test("a user who must consent gets consent_required (AADSTS65001) for scopes not consented to", async () => {
    const result = await env.emu.signIn(`${env.emu.authority}/oauth2/v2.0/authorize?client_id=${WEB.clientId}&response_type=code&redirect_uri=${encodeURIComponent(WEB_REDIRECT)}&scope=openid+User.Read`, {
      username: LEE.username,
      password: LEE.password,
    });
    const r = await redeem(result.params.code ?? "", { scope: "openid api://orders/Orders.Read" });
    const body = r.json();
    assertEntraError(env.emu.url, body, "invalid_grant", 65001);
    assert.equal(body.suberror, "consent_required");
  });
});

describe("the request log", () => {
  test("keeps no codes, verifiers, passwords, secrets or tokens", async () => {
    env.emu.clearRequests();
    const { code, verifier } = await webCode({ login_hint: ADELE.username, "X-AnchorMailbox": `UPN:${ADELE.username}` });
    const tokens = (await redeem(code, { code_verifier: verifier })).json();
    await tokenRequest(env.emu, { grant_type: "refresh_token", ...WEB_CREDENTIALS, refresh_token: String(tokens.refresh_token), scope: SCOPE });
    // Credentials sent in a query string are masked too.
    await call(`${env.emu.authority}/oauth2/v2.0/token?code=${code}&password=${ADELE.password}&refresh_token=abc&client_secret=${WEB.secrets[0]}`, {
      ca: env.emu.caCertificate,
      form: { grant_type: "authorization_code", code, client_id: WEB.clientId, client_secret: WEB.secrets[0] },
    });
    const log = JSON.stringify(env.emu.requests);
    for (const secret of [code, verifier, ADELE.password, ADELE.username, WEB.secrets[0], String(tokens.refresh_token), String(tokens.access_token), String(tokens.id_token)]) {
      assert.ok(!log.includes(secret), `the log contains a secret: ${secret.slice(0, 12)}…`);
    }
    assert.equal(env.emu.tokenRequestCount({ grantType: "authorization_code" }), 2);
    assert.equal(env.emu.tokenRequestCount({ grantType: "refresh_token", clientId: WEB.clientId, status: 200 }), 1);
    assert.ok(env.emu.requests.some((e) => e.path.endsWith("/oauth2/v2.0/authorize") && e.client_id === WEB.clientId));
  });
});

describe("refresh_in", () => {
  test("is sent when configured (capped at the lifetime) and by default for lifetimes of 2 hours or more", async () => {
    for (const [options, expected] of [
      [{ tokenLifetime: 7200 }, 3600],
      [{ tokenLifetime: 300, refreshIn: 900 }, 300],
    ] as const) {
      const other = await createEmulator(userFlowOptions(clock, options));
      try {
        const r = await tokenRequest(other, { grant_type: "password", client_id: DESKTOP.clientId, username: ADELE.username, password: ADELE.password, scope: SCOPE });
        assert.equal(r.json().refresh_in, expected, JSON.stringify(options));
      } finally {
        await other.close();
      }
    }
  });
});
