// Proof-of-possession tokens end to end: msal-ts asks the emulator for PoP tokens, and the emulator's
// PoP-protected API accepts the signed requests msal-ts makes — and refuses them for another URL,
// another method, a stale timestamp, or a bearer token.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { Agent, fetch } from "undici";
import { defaultTenant } from "@msal-ts/emulator";
import { ConfidentialClientApplication, PopAuthScheme, SerializableTokenCache, type PopHttpMethod, type TokenResult } from "@msal-ts/msal";
import { preparePopKey, signHttpRequest } from "../../src/protocol/index.js";
import { ADELE, DESKTOP_APP, GRAPH_READ, WEB_REDIRECT, ok, publicApp, startAuthority, webApp, type TestAuthority } from "./support.js";

const DAEMON = defaultTenant.apps[0];
const ORDERS = ["api://orders/.default"];

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

function daemon(tokenCache = new SerializableTokenCache()): ConfidentialClientApplication {
  return new ConfidentialClientApplication(DAEMON.clientId, { ...t.appOptions, clientCredential: DAEMON.secrets[0], tokenCache });
}

async function nonce(): Promise<string> {
  const r = await fetch(`${t.emu.popApiUrl}/nonce`, { dispatcher });
  assert.equal(r.status, 200);
  return String(((await r.json()) as { nonce: string }).nonce);
}

/** Calls the emulator's PoP API; the answer's status and body. */
async function callApi(url: string, method: string, authorization: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, { method, headers: { authorization }, dispatcher });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

async function scheme(method: PopHttpMethod, path: string, extra: { key?: Parameters<typeof preparePopKey>[0] } = {}): Promise<PopAuthScheme> {
  return new PopAuthScheme(method, `${t.emu.popApiUrl}/${path}`, await nonce(), extra.key ? { key: extra.key } : {});
}

function assertRefused(answer: { status: number; body: Record<string, unknown> }, pattern: RegExp): void {
  assert.equal(answer.status, 401, JSON.stringify(answer.body));
  assert.equal(answer.body.error, "invalid_token");
  assert.match(String(answer.body.error_description), pattern);
}

/** The PoP access token inside a signed request. */
function innerToken(result: TokenResult): string {
  return String(decodeJwt(result.access_token).at);
}

describe("PoP tokens for the app itself (client credentials)", () => {
  test("the emulator's PoP API accepts the signed request the result carries", async () => {
    const s = await scheme("GET", "orders");
    const r = ok(await daemon().acquireTokenForClient(ORDERS, { authScheme: s }));
    assert.equal(r.token_type, "pop");
    const answer = await callApi(s.url, "GET", `PoP ${r.access_token}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.azp, DAEMON.clientId);
    assert.deepEqual(answer.body.roles, ["Orders.Read.All"]);
  });

  test("refused for another URL or another method than it was signed for", async () => {
    const s = await scheme("GET", "orders");
    const r = ok(await daemon().acquireTokenForClient(ORDERS, { authScheme: s }));
    assertRefused(await callApi(`${t.emu.popApiUrl}/invoices`, "GET", `PoP ${r.access_token}`), /path/);
    assertRefused(await callApi(s.url, "DELETE", `PoP ${r.access_token}`), /method/);
    assert.equal((await callApi(s.url, "GET", `PoP ${r.access_token}`)).status, 200, "still good for what it was signed for");
  });

  test("refused with a ts ten minutes old: a request signed now with the same key and token passes", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const s = await scheme("POST", "orders", { key: privateKey });
    const r = ok(await daemon().acquireTokenForClient(ORDERS, { authScheme: s }));
    const key = await preparePopKey(privateKey);
    const now = Math.floor(Date.now() / 1000);
    const sign = (ts: number) => signHttpRequest({ accessToken: innerToken(r), method: "POST", url: s.url, nonce: s.nonce, key, now: ts });
    assertRefused(await callApi(s.url, "POST", `PoP ${sign(now - 600)}`), /ts/);
    assert.equal((await callApi(s.url, "POST", `PoP ${sign(now)}`)).status, 200);
  });

  test("a bearer token is refused at the PoP API", async () => {
    const bearer = ok(await daemon().acquireTokenForClient(ORDERS));
    assert.equal(bearer.token_type, "Bearer");
    assertRefused(await callApi(`${t.emu.popApiUrl}/orders`, "GET", `Bearer ${bearer.access_token}`), /PoP tokens only/);
  });

  test("a cached PoP token serves a later call with a request signed for that call", async () => {
    const app = daemon();
    const first = ok(await app.acquireTokenForClient(ORDERS, { authScheme: await scheme("GET", "orders") }));
    const before = t.emu.tokenRequestCount({ grantType: "client_credentials" });
    const s = await scheme("PATCH", "orders-42");
    const second = ok(await app.acquireTokenForClient(ORDERS, { authScheme: s }));
    assert.equal(second.token_source, "cache");
    assert.equal(t.emu.tokenRequestCount({ grantType: "client_credentials" }), before);
    assert.equal(innerToken(second), innerToken(first));
    const answer = await callApi(s.url, "PATCH", `PoP ${second.access_token}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.resource, "orders-42");
    // And a bearer call for the same scopes is not served the PoP token, nor does it replace it.
    const bearer = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(bearer.token_source, "identity_provider");
    assert.equal(decodeJwt(bearer.access_token).cnf, undefined);
    assert.equal(ok(await app.acquireTokenForClient(ORDERS, { authScheme: await scheme("GET", "orders") })).token_source, "cache");
  });
});

describe("PoP tokens for a signed-in user", () => {
  test("silent after a username/password sign-in: redeemed for a PoP token, then served from the cache", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const bearer = ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const [account] = await app.getAccounts();
    assert.ok(account);

    const s = await scheme("GET", "me");
    const first = ok(await app.acquireTokenSilent(GRAPH_READ, account, { authScheme: s }));
    assert.equal(first.token_source, "identity_provider", "the cached bearer token does not answer a PoP call");
    assert.equal(first.token_type, "pop");
    const answer = await callApi(s.url, "GET", `PoP ${first.access_token}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.preferred_username, ADELE.username);

    const s2 = await scheme("PUT", "me");
    const second = ok(await app.acquireTokenSilent(GRAPH_READ, account, { authScheme: s2 }));
    assert.equal(second.token_source, "cache");
    assert.equal((await callApi(s2.url, "PUT", `PoP ${second.access_token}`)).status, 200);
    assertRefused(await callApi(s.url, "GET", `PoP ${second.access_token}`), /method/);

    const again = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(again.token_source, "cache");
    assert.equal(again.access_token, bearer.access_token, "the bearer token is still there, untouched");
    assert.equal(again.token_type, "Bearer");
  });

  test("the auth code flow and the username/password flow can return a PoP token directly", async () => {
    const web = webApp(t);
    const flow = await web.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
    const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
    const s = await scheme("POST", "profile");
    const r = ok(await web.acquireTokenByAuthCodeFlow(flow, signIn.params, { authScheme: s }));
    assert.equal(r.token_type, "pop");
    assert.ok(r.id_token_claims, "the rest of the result is as usual");
    assert.equal((await callApi(s.url, "POST", `PoP ${r.access_token}`)).status, 200);

    const s2 = await scheme("DELETE", "profile");
    const ropc = ok(await publicApp(t, DESKTOP_APP).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ, { authScheme: s2 }));
    assert.equal((await callApi(s2.url, "DELETE", `PoP ${ropc.access_token}`)).status, 200);
  });
});
