import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeJwt } from "jose";

import { MFA_CLAIMS_CHALLENGE } from "../src/claims-request.js";
import { assertEntraError } from "./support/entra-error.js";
import { ADELE, ALEX, DESKTOP, IAN, LEE, MEGAN, TENANT_ID, WEB, WEB_CREDENTIALS, tokenRequest, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

const SCOPE = "openid profile offline_access User.Read";

function ropc(user: { username: string; password: string }, extra: Record<string, string> = {}, tenant?: string) {
  return tokenRequest(
    env.emu,
    { grant_type: "password", client_id: DESKTOP.clientId, username: user.username, password: user.password, scope: SCOPE, client_info: "1", ...extra },
    tenant,
  );
}

describe("username and password (ROPC)", () => {
  test("issues the delegated response, with auth_time now and a fresh session id", async () => {
    const r = await ropc(ADELE);
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.deepEqual(Object.keys(body), [
      "token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info", "foci",
    ]);
    const id = decodeJwt(String(body.id_token));
    assert.equal(id.auth_time, clock.now);
    assert.equal(id.aud, DESKTOP.clientId);
    assert.equal(id.preferred_username, ADELE.username);
    assert.notEqual(decodeJwt(String((await ropc(ADELE)).json().id_token)).sid, id.sid);
  });

  test("on the tenant's domain and on /organizations; a confidential app authenticates", async () => {
    assert.equal((await ropc(ADELE, {}, "contoso.onmicrosoft.com")).status, 200);
    const orgs = await ropc(ADELE, {}, "organizations");
    assert.equal(orgs.status, 200, orgs.text);
    assert.equal(decodeJwt(String(orgs.json().access_token)).tid, TENANT_ID);
    const web = await ropc(ADELE, { ...WEB_CREDENTIALS });
    assert.equal(decodeJwt(String(web.json().access_token)).azpacr, "1");
    assertEntraError(env.emu.url, (await ropc(ADELE, { client_id: WEB.clientId })).json(), "invalid_client", 7000218);
  });

  test("/common and /consumers: invalid_request AADSTS9001023", async () => {
    for (const tenant of ["common", "consumers"]) {
      assertEntraError(env.emu.url, (await ropc(ADELE, {}, tenant)).json(), "invalid_request", 9001023);
    }
  });

  test("unknown user AADSTS50034, wrong password AADSTS50126, missing scope AADSTS900144", async () => {
    assertEntraError(env.emu.url, (await ropc({ username: "nobody@contoso.onmicrosoft.com", password: "x" })).json(), "invalid_grant", 50034);
    assertEntraError(env.emu.url, (await ropc({ username: "nobody@nowhere.example", password: "x" }, {}, "organizations")).json(), "invalid_grant", 50034);
    assertEntraError(env.emu.url, (await ropc({ username: ADELE.username, password: "wrong" })).json(), "invalid_grant", 50126);
    assertEntraError(env.emu.url, (await ropc(ADELE, { scope: "" })).json(), "invalid_request", 900144);
  });

  test("a federated user's password is the federation service's to check: AADSTS50126, pointing at WS-Trust", async () => {
    const body = (await ropc(ALEX)).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 50126);
    assert.match(String(body.error_description), /federated.*WS-Trust/);
  });

  test("an MFA user: invalid_grant AADSTS50076 with basic_action and a claims challenge", async () => {
    const body = (await ropc(MEGAN)).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 50076);
    assert.equal(body.suberror, "basic_action");
    assert.equal(body.claims, MFA_CLAIMS_CHALLENGE);
  });

  test("a user who needs interaction: interaction_required AADSTS50079", async () => {
    const body = (await ropc(IAN)).json();
    assertEntraError(env.emu.url, body, "interaction_required", 50079);
    assert.equal(body.suberror, "basic_action");
  });

  test("a user who has not consented: invalid_grant AADSTS65001 consent_required, until they consent on the page", async () => {
    const body = (await ropc(LEE)).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 65001);
    assert.equal(body.suberror, "consent_required");
    const url = `${env.emu.authority}/oauth2/v2.0/authorize?client_id=${DESKTOP.clientId}&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A1234&scope=${encodeURIComponent(SCOPE)}`;
    await env.emu.signIn(url, { username: LEE.username, password: LEE.password, consent: true });
    assert.equal((await ropc(LEE)).status, 200);
    assertEntraError(env.emu.url, (await ropc(LEE, { scope: "api://orders/Orders.Read" })).json(), "invalid_grant", 65001);
  });
});
