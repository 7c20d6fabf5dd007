// Every acquire method takes `data` (extra body parameters) and `authScheme`: each one's token request
// carries the caller's data and PoP's token_type and req_cnf, and the PoP result it returns is
// accepted by the emulator's PoP API.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { Agent, fetch } from "undici";
import { defaultTenant } from "@msal-ts/emulator";
import { ConfidentialClientApplication, PopAuthScheme, type AuthenticationResult, type ClientApplicationOptions } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
  GRAPH_READ,
  ORDERS_READ,
  WEB_REDIRECT,
  last,
  ok,
  ordersApi,
  publicApp,
  recordingClient,
  startAuthority,
  webApp,
  type RecordingClient,
  type TestAuthority,
} from "./support.js";

const DAEMON = defaultTenant.apps[0];
const DATA = { x_extra_parameter: "extra-value" } as const;

let t: TestAuthority;
let dispatcher: Agent;

before(async () => {
  t = await startAuthority();
  dispatcher = new Agent({ connect: { ca: t.emu.caCertificate } });
});

after(async () => {
  await dispatcher.close();
  await t.emu.close();
});

async function scheme(name: string): Promise<PopAuthScheme> {
  const r = await fetch(`${t.emu.popApiUrl}/nonce`, { dispatcher });
  return new PopAuthScheme("POST", `${t.emu.popApiUrl}/${name}`, ((await r.json()) as { nonce: string }).nonce);
}

/** Checks the last token request and that the PoP API accepts the result. */
async function assertPop(rec: RecordingClient, s: PopAuthScheme, result: AuthenticationResult): Promise<void> {
  const r = ok(result);
  const body = last(rec.tokenRequests()).body;
  assert.equal(body.get("x_extra_parameter"), "extra-value", "the caller's data is sent");
  assert.equal(body.get("token_type"), "pop");
  assert.ok(body.get("req_cnf"));
  assert.equal(r.token_type, "pop");
  const answer = await fetch(s.url, { method: "POST", headers: { authorization: `PoP ${r.access_token}` }, dispatcher });
  assert.equal(answer.status, 200, await answer.text());
}

/** A GET of the loopback redirect, as the browser delivers it. */
function deliver(url: string): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: u.port, path: `${u.pathname}${u.search}`, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve());
    });
    req.on("error", reject);
    req.end();
  });
}

function recorded(rec: RecordingClient): ClientApplicationOptions {
  return { httpClient: rec.http };
}

test("acquireTokenForClient", async () => {
  const rec = await recordingClient(t);
  const app = new ConfidentialClientApplication(DAEMON.clientId, { ...t.appOptions, ...recorded(rec), clientCredential: DAEMON.secrets[0] });
  const s = await scheme("client");
  await assertPop(rec, s, await app.acquireTokenForClient(["api://orders/.default"], { data: DATA, authScheme: s }));
});

test("acquireTokenByUsernamePassword, acquireTokenSilent, acquireTokenSilentWithError, acquireTokenByRefreshToken", async () => {
  const rec = await recordingClient(t);
  const app = publicApp(t, DESKTOP_APP, recorded(rec));
  let s = await scheme("ropc");
  const signIn = ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ, { data: DATA, authScheme: s }));
  await assertPop(rec, s, signIn);
  const [account] = await app.getAccounts();
  assert.ok(account);
  s = await scheme("silent");
  await assertPop(rec, s, ok(await app.acquireTokenSilent(ORDERS_READ, account, { data: DATA, authScheme: s })));
  s = await scheme("silent-with-error");
  const withError = await app.acquireTokenSilentWithError(ORDERS_READ, account, { data: DATA, authScheme: s, forceRefresh: true });
  assert.ok(withError);
  await assertPop(rec, s, withError);

  const rt = signIn.refresh_token;
  assert.ok(rt);
  const other = publicApp(t, DESKTOP_APP, recorded(rec));
  s = await scheme("migration");
  await assertPop(rec, s, await other.acquireTokenByRefreshToken(rt, GRAPH_READ, { data: DATA, authScheme: s }));
});

test("acquireTokenByAuthCodeFlow and acquireTokenByAuthorizationCode", async () => {
  const rec = await recordingClient(t);
  const app = webApp(t, recorded(rec));
  const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
  let s = await scheme("auth-code-flow");
  await assertPop(rec, s, await app.acquireTokenByAuthCodeFlow(flow, (await t.emu.signIn(flow.auth_uri, ADELE)).params, { data: DATA, authScheme: s }));

  const url = await app.getAuthorizationRequestUrl(GRAPH_READ, { redirectUri: WEB_REDIRECT });
  const code = (await t.emu.signIn(url, ADELE)).params.code;
  assert.ok(code);
  s = await scheme("auth-code");
  await assertPop(rec, s, await app.acquireTokenByAuthorizationCode(code, GRAPH_READ, { redirectUri: WEB_REDIRECT, data: DATA, authScheme: s }));
});

test("acquireTokenOnBehalfOf", async () => {
  const incoming = ok(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
  const rec = await recordingClient(t);
  const s = await scheme("obo");
  await assertPop(rec, s, await ordersApi(t, recorded(rec)).acquireTokenOnBehalfOf(incoming, GRAPH_READ, { data: DATA, authScheme: s }));
});

test("acquireTokenByDeviceFlow", async () => {
  const rec = await recordingClient(t);
  const app = publicApp(t, DESKTOP_APP, recorded(rec));
  const flow = await app.initiateDeviceFlow(GRAPH_READ);
  if ("error" in flow) assert.fail(flow.error);
  const outcome = await t.emu.completeDeviceLogin(flow.user_code, ADELE);
  assert.ok(outcome);
  const s = await scheme("device");
  await assertPop(rec, s, await app.acquireTokenByDeviceFlow(flow, { data: DATA, authScheme: s }));
});

test("acquireTokenInteractive", async () => {
  const rec = await recordingClient(t);
  const app = publicApp(t, DESKTOP_APP, recorded(rec));
  const s = await scheme("interactive");
  const result = await app.acquireTokenInteractive(GRAPH_READ, {
    data: DATA,
    authScheme: s,
    timeout: 60,
    openBrowser: async (url) => deliver((await t.emu.signIn(url, ADELE)).url),
  });
  await assertPop(rec, s, result);
});
