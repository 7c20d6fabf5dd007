import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeJwt } from "jose";

import { MFA_CLAIMS_CHALLENGE } from "../src/claims-request.js";
import { assertEntraError } from "./support/entra-error.js";
import {
  ADELE,
  DESKTOP,
  DESKTOP_REDIRECT,
  FAMILY,
  IAN,
  MEGAN,
  OTHER_TENANT_ID,
  WEB,
  WEB_CREDENTIALS,
  WEB_REDIRECT,
  tokenRequest,
  useUserFlowEmulator,
} from "./support/users.js";

const env = useUserFlowEmulator();

const SCOPE = "openid profile offline_access User.Read";

/** Tokens for a user of an app, through the sign-in page and a code redemption. */
async function tokensFor(
  user: { username: string; password: string },
  app: { clientId: string; secret?: string; redirect: string },
): Promise<Record<string, unknown>> {
  const url = new URL(`${env.emu.authority}/oauth2/v2.0/authorize`);
  for (const [k, v] of Object.entries({ client_id: app.clientId, response_type: "code", redirect_uri: app.redirect, scope: SCOPE })) url.searchParams.set(k, v);
  const result = await env.emu.signIn(url.toString(), { username: user.username, password: user.password });
  const r = await tokenRequest(env.emu, {
    grant_type: "authorization_code",
    client_id: app.clientId,
    ...(app.secret ? { client_secret: app.secret } : {}),
    code: result.params.code ?? "",
    redirect_uri: app.redirect,
    scope: SCOPE,
  });
  assert.equal(r.status, 200, r.text);
  return r.json();
}

const desktop = { clientId: DESKTOP.clientId, redirect: DESKTOP_REDIRECT };
const web = { clientId: WEB.clientId, secret: WEB.secrets[0], redirect: WEB_REDIRECT };

function refresh(clientId: string, refreshToken: string, extra: Record<string, string> = {}, tenant?: string) {
  return tokenRequest(env.emu, { grant_type: "refresh_token", client_id: clientId, refresh_token: refreshToken, scope: SCOPE, client_info: "1", ...extra }, tenant);
}

describe("refresh tokens", () => {
  test("rotate: each redemption returns a new refresh token and the old one stays valid", async () => {
    const first = await tokensFor(ADELE, web);
    const rt = String(first.refresh_token);
    const r = await refresh(WEB.clientId, rt, { client_secret: WEB.secrets[0] });
    assert.equal(r.status, 200, r.text);
    const second = r.json();
    assert.match(String(second.refresh_token), /^1\.[A-Za-z0-9_-]{64}$/);
    assert.notEqual(second.refresh_token, rt);
    assert.equal(second.scope, "User.Read openid profile");
    assert.ok(second.client_info);
    assert.equal(second.foci, undefined);
    const again = await refresh(WEB.clientId, rt, { client_secret: WEB.secrets[0] });
    assert.equal(again.status, 200);
    // The ID token keeps the original sign-in's session and time.
    const before = decodeJwt(String(first.id_token));
    const after = decodeJwt(String(second.id_token));
    assert.equal(after.auth_time, before.auth_time);
    assert.equal(after.sid, before.sid);
    assert.equal(after.nonce, undefined);
  });

  test("may be redeemed for another resource's scopes; without scope, for the same scopes", async () => {
    const { refresh_token } = await tokensFor(ADELE, web);
    const orders = (await refresh(WEB.clientId, String(refresh_token), { client_secret: WEB.secrets[0], scope: "api://orders/Orders.ReadWrite offline_access" })).json();
    assert.equal(orders.scope, "api://orders/Orders.ReadWrite");
    assert.equal(decodeJwt(String(orders.access_token)).scp, "Orders.ReadWrite");
    assert.equal(orders.id_token, undefined);
    const same = await tokenRequest(env.emu, { grant_type: "refresh_token", ...WEB_CREDENTIALS, refresh_token: String(refresh_token) });
    assert.equal(same.json().scope, "User.Read openid profile");
  });

  test("a family refresh token serves another family app, which gets foci=1", async () => {
    const first = await tokensFor(ADELE, desktop);
    assert.equal(first.foci, "1");
    const r = await refresh(FAMILY.clientId, String(first.refresh_token));
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.equal(body.foci, "1");
    assert.equal(decodeJwt(String(body.access_token)).azp, FAMILY.clientId);
    assert.equal(decodeJwt(String(body.id_token)).aud, FAMILY.clientId);
  });

  test("an app outside the family gets client_mismatch for a family token", async () => {
    const { refresh_token } = await tokensFor(ADELE, desktop);
    const body = (await refresh(WEB.clientId, String(refresh_token), { client_secret: WEB.secrets[0] })).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 70000);
    assert.deepEqual(body.error_additional_info, ["client_mismatch"]);
  });

  test("another app's (non-family) refresh token is invalid_grant AADSTS70000", async () => {
    const { refresh_token } = await tokensFor(ADELE, web);
    const body = (await refresh(DESKTOP.clientId, String(refresh_token))).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 70000);
    assert.equal(body.error_additional_info, undefined);
  });

  test("unknown tokens: invalid_grant AADSTS70000, with suberror bad_token when malformed", async () => {
    const unknown = (await refresh(DESKTOP.clientId, `1.${"A".repeat(64)}`)).json();
    assertEntraError(env.emu.url, unknown, "invalid_grant", 70000);
    assert.equal(unknown.suberror, undefined);
    const garbage = (await refresh(DESKTOP.clientId, "garbage")).json();
    assertEntraError(env.emu.url, garbage, "invalid_grant", 70000);
    assert.equal(garbage.suberror, "bad_token");
  });

  test("a confidential app must authenticate; another tenant's path does not know the user", async () => {
    const { refresh_token } = await tokensFor(ADELE, web);
    assertEntraError(env.emu.url, (await refresh(WEB.clientId, String(refresh_token))).json(), "invalid_client", 7000218);
    const other = (await refresh(WEB.clientId, String(refresh_token), { client_secret: "fabrikam-web-secret" }, OTHER_TENANT_ID)).json();
    assertEntraError(env.emu.url, other, "invalid_grant", 50020);
  });

  test("scopes of two resources: AADSTS700022", async () => {
    const { refresh_token } = await tokensFor(ADELE, desktop);
    assertEntraError(env.emu.url, (await refresh(DESKTOP.clientId, String(refresh_token), { scope: "User.Read api://orders/Orders.Read" })).json(), "invalid_scope", 700022);
  });

  test("claims: client capabilities reach the access token", async () => {
    const { refresh_token } = await tokensFor(ADELE, desktop);
    const body = (await refresh(DESKTOP.clientId, String(refresh_token), { claims: '{"access_token":{"xms_cc":{"values":["cp1"]},"nbf":{"essential":true,"value":"1"}}}' })).json();
    assert.deepEqual(decodeJwt(String(body.access_token)).xms_cc, ["cp1"]);
  });

  test("an MFA user's token (from an MFA sign-in) refreshes; a user needing interaction gets basic_action and a claims challenge", async () => {
    const megan = await tokensFor(MEGAN, desktop);
    assert.equal((await refresh(DESKTOP.clientId, String(megan.refresh_token))).status, 200);
    const ian = await tokensFor(IAN, desktop);
    const body = (await refresh(DESKTOP.clientId, String(ian.refresh_token))).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 50079);
    assert.equal(body.suberror, "basic_action");
    assert.equal(body.claims, MFA_CLAIMS_CHALLENGE);
  });
});
