import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SignJWT, decodeJwt, generateKeyPair } from "jose";

import { assertEntraError } from "./support/entra-error.js";
import { ADELE, DAEMON, DESKTOP, IAN, ORDERS_API, WEB, tokenRequest, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

const OBO = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const API = { client_id: ORDERS_API.clientId, client_secret: ORDERS_API.secrets[0] };

/** A user's access token for the Orders API, as a client app would send it. */
async function userTokenForOrders(user: { username: string; password: string } = ADELE, scope = "api://orders/Orders.Read"): Promise<string> {
  const r = await tokenRequest(env.emu, { grant_type: "password", client_id: DESKTOP.clientId, username: user.username, password: user.password, scope });
  assert.equal(r.status, 200, r.text);
  return String(r.json().access_token);
}

function obo(assertion: string, extra: Record<string, string> = {}) {
  return tokenRequest(env.emu, {
    grant_type: OBO,
    requested_token_use: "on_behalf_of",
    assertion,
    scope: "openid profile offline_access User.Read",
    client_info: "1",
    ...API,
    ...extra,
  });
}

describe("on-behalf-of", () => {
  test("exchanges the API's incoming user token for a Graph token for the same user, with RT, ID token, client_info", async () => {
    const incoming = await userTokenForOrders();
    const r = await obo(incoming);
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.deepEqual(Object.keys(body), ["token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info"]);
    const at = decodeJwt(String(body.access_token));
    const upstream = decodeJwt(incoming);
    assert.equal(at.aud, "https://graph.microsoft.com");
    assert.equal(at.azp, ORDERS_API.clientId);
    assert.equal(at.oid, upstream.oid);
    assert.equal(at.scp, "User.Read");
    assert.equal(decodeJwt(String(body.id_token)).aud, ORDERS_API.clientId);
    // The refresh token is the API's own.
    const refreshed = await tokenRequest(env.emu, { grant_type: "refresh_token", refresh_token: String(body.refresh_token), ...API });
    assert.equal(refreshed.status, 200, refreshed.text);
  });

  test("a token for another audience, an app token, a forged or expired token: invalid_grant AADSTS50013 / 500133", async () => {
    const forGraph = (await tokenRequest(env.emu, { grant_type: "password", client_id: DESKTOP.clientId, username: ADELE.username, password: ADELE.password, scope: "User.Read" })).json();
    assertEntraError(env.emu.url, (await obo(String(forGraph.access_token))).json(), "invalid_grant", 50013);

    const appToken = (await tokenRequest(env.emu, { grant_type: "client_credentials", client_id: DAEMON.clientId, client_secret: DAEMON.secrets[0], scope: "api://orders/.default" })).json();
    assertEntraError(env.emu.url, (await obo(String(appToken.access_token))).json(), "invalid_grant", 50013);

    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(decodeJwt(await userTokenForOrders())).setProtectedHeader({ alg: "RS256", typ: "JWT" }).sign(privateKey);
    assertEntraError(env.emu.url, (await obo(forged)).json(), "invalid_grant", 50013);
    assertEntraError(env.emu.url, (await obo("not.a.jwt")).json(), "invalid_grant", 50013);

    const incoming = await userTokenForOrders();
    clock.now += 3600;
    try {
      const body = (await obo(incoming)).json();
      assertEntraError(env.emu.url, body, "invalid_grant", 500133);
      assert.match(String(body.error_description), /expiry time of assertion/);
    } finally {
      clock.now -= 3600;
    }
  });

  test("only a confidential client that authenticates; the parameters must be complete", async () => {
    const incoming = await userTokenForOrders();
    assertEntraError(env.emu.url, (await obo(incoming, { client_secret: "" })).json(), "invalid_client", 7000218);
    const wrongCaller = await obo(incoming, { client_id: WEB.clientId, client_secret: WEB.secrets[0] });
    assertEntraError(env.emu.url, wrongCaller.json(), "invalid_grant", 50013);
    assertEntraError(env.emu.url, (await obo(incoming, { requested_token_use: "" })).json(), "invalid_request", 900144);
    assertEntraError(env.emu.url, (await obo("")).json(), "invalid_request", 900144);
  });

  test("a user who needs interaction: interaction_required AADSTS50079 with a claims challenge", async () => {
    // Ian cannot use ROPC; an interactive sign-in gets his token for the API.
    const url = `${env.emu.authority}/oauth2/v2.0/authorize?client_id=${DESKTOP.clientId}&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A1&scope=api%3A%2F%2Forders%2FOrders.Read`;
    const { params } = await env.emu.signIn(url, { username: IAN.username, password: IAN.password });
    const incoming = (await tokenRequest(env.emu, { grant_type: "authorization_code", client_id: DESKTOP.clientId, code: params.code ?? "", redirect_uri: "http://localhost:1" })).json();
    const body = (await obo(String(incoming.access_token))).json();
    assertEntraError(env.emu.url, body, "interaction_required", 50079);
    assert.ok(body.claims);
  });
});
