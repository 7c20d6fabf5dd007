import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SignJWT, decodeJwt, generateKeyPair } from "jose";
import { PROTECTED_API_PATH } from "../src/index.js";
import { call } from "./support/https.js";
import { ADELE, DAEMON, DESKTOP, tokenRequest, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

async function userToken(scope: string): Promise<string> {
  const r = await tokenRequest(env.emu, { grant_type: "password", client_id: DESKTOP.clientId, username: ADELE.username, password: ADELE.password, scope });
  return String(r.json().access_token);
}

function me(token?: string) {
  return call(env.emu.protectedApiUrl, { ca: env.emu.caCertificate, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
}

function assertChallenge(r: Awaited<ReturnType<typeof me>>, error?: string): void {
  assert.equal(r.status, error === "insufficient_scope" ? 403 : 401, r.text);
  const header = String(r.headers["www-authenticate"]);
  assert.match(header, new RegExp(`^Bearer realm="${env.emu.host.replace(/[.]/g, "\\.")}", authorization_uri="${env.emu.authority}/oauth2/v2\\.0/authorize"`));
  if (error) assert.match(header, new RegExp(`error="${error}"`));
  else assert.doesNotMatch(header, /error=/);
}

describe(`the protected API (${PROTECTED_API_PATH})`, () => {
  test("answers a Graph user token with the user's profile", async () => {
    assert.equal(env.emu.protectedApiUrl, `${env.emu.url}/api/me`);
    const token = await userToken("User.Read");
    const r = await me(token);
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.equal(body.name, ADELE.displayName);
    assert.equal(body.preferred_username, ADELE.username);
    assert.equal(body.email, ADELE.email);
    assert.equal(body.tid, env.emu.defaultTenantId);
    assert.equal(body.oid, decodeJwt(token).oid);
    assert.equal(body.scp, "User.Read");
  });

  test("accepts a token for a configured API too", async () => {
    const r = await me(await userToken("api://orders/Orders.Read"));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().scp, "Orders.Read");
  });

  test("401 with a bare Bearer challenge when no token is sent", async () => {
    assertChallenge(await me());
    assertChallenge(await call(env.emu.protectedApiUrl, { ca: env.emu.caCertificate, headers: { authorization: "Basic abc" } }));
  });

  test("401 invalid_token for a forged, malformed or expired token", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    const forged = await new SignJWT(decodeJwt(await userToken("User.Read"))).setProtectedHeader({ alg: "RS256" }).sign(privateKey);
    assertChallenge(await me(forged), "invalid_token");
    assertChallenge(await me("abc.def.ghi"), "invalid_token");
    const token = await userToken("User.Read");
    clock.now += 4000;
    try {
      const r = await me(token);
      assertChallenge(r, "invalid_token");
      assert.match(String(r.headers["www-authenticate"]), /error_description="The token has expired\."/);
    } finally {
      clock.now -= 4000;
    }
  });

  test("401 invalid_token for an ID token (its audience is an app, not an API)", async () => {
    const r = await tokenRequest(env.emu, { grant_type: "password", client_id: DESKTOP.clientId, username: ADELE.username, password: ADELE.password, scope: "openid User.Read" });
    const response = await me(String(r.json().id_token));
    assertChallenge(response, "invalid_token");
    assert.match(String(response.headers["www-authenticate"]), /audience/);
  });

  test("403 insufficient_scope for an app-only token", async () => {
    const r = await tokenRequest(env.emu, { grant_type: "client_credentials", client_id: DAEMON.clientId, client_secret: DAEMON.secrets[0], scope: "https://graph.microsoft.com/.default" });
    assertChallenge(await me(String(r.json().access_token)), "insufficient_scope");
  });
});
