import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { MFA_CODE, SignInError, completeDeviceLogin, createEmulator } from "../src/index.js";
import type { Emulator, EmulatorOptions } from "../src/index.js";
import { USER_CODE_ALPHABET } from "../src/device-codes.js";
import { parseForms } from "../src/sign-in/html-forms.js";
import type { HtmlForm } from "../src/sign-in/html-forms.js";
import { assertEntraError } from "./support/entra-error.js";
import { call } from "./support/https.js";
import type { TestResponse } from "./support/https.js";
import {
  ADELE,
  DESKTOP,
  LEE,
  MEGAN,
  OTHER_TENANT_ID,
  TENANT_ID,
  TestBrowser,
  WEB,
  WEB_CREDENTIALS,
  tokenRequest,
  useUserFlowEmulator,
  userFlowOptions,
} from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const SCOPE = "openid profile offline_access User.Read";

interface DeviceAuthorization {
  user_code: string;
  device_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
  message: string;
}

function deviceCodeRequest(emu: Emulator, form: Record<string, string>, tenant: string = TENANT_ID): Promise<TestResponse> {
  return call(`${emu.authorityFor(tenant)}/oauth2/v2.0/devicecode`, { ca: emu.caCertificate, form });
}

async function start(emu: Emulator = env.emu, form: Record<string, string> = {}, tenant?: string): Promise<DeviceAuthorization> {
  const r = await deviceCodeRequest(emu, { client_id: DESKTOP.clientId, scope: SCOPE, ...form }, tenant);
  assert.equal(r.status, 200, r.text);
  return r.json<DeviceAuthorization>();
}

/** A poll as MSAL Python sends it: `device_code`, the same value as `code`, and `client_info=1`. */
function poll(flow: Pick<DeviceAuthorization, "device_code">, extra: Record<string, string> = {}, tenant?: string, emu: Emulator = env.emu): Promise<TestResponse> {
  return tokenRequest(
    emu,
    { grant_type: DEVICE_CODE_GRANT, client_id: DESKTOP.clientId, device_code: flow.device_code, code: flow.device_code, client_info: "1", ...extra },
    tenant,
  );
}

function form(r: TestResponse): HtmlForm {
  const [f] = parseForms(r.text);
  assert.ok(f, `no form in ${r.status}: ${r.text.slice(0, 400)}`);
  return f;
}

function hidden(f: HtmlForm): Record<string, string> {
  return Object.fromEntries(f.inputs.filter((i) => i.type === "hidden").map((i) => [i.name, i.value]));
}

/** Presses a button (`action` value) on the current page, with the page's hidden fields. */
function press(browser: TestBrowser, page: TestResponse, action: string, extra: Record<string, string> = {}): Promise<TestResponse> {
  const f = form(page);
  return browser.post(f.action, { ...hidden(f), ...extra, action });
}

/** Opens /devicelogin and submits a code. */
async function enterCode(browser: TestBrowser, userCode: string): Promise<TestResponse> {
  const page = await browser.get("/devicelogin");
  return press(browser, page, "next", { user_code: userCode });
}

function signInAs(browser: TestBrowser, page: TestResponse, user: { username: string; password: string }): Promise<TestResponse> {
  return press(browser, page, "sign-in", { username: user.username, password: user.password });
}

function assertConfirmation(page: TestResponse, appName: string, username: string): void {
  assert.equal(page.status, 200, page.text);
  assert.match(page.text, new RegExp(`Are you trying to sign in to <span id="app-name">${appName}</span>\\?`));
  assert.match(page.text, new RegExp(username.replace(/\./g, "\\.")));
  assert.match(page.text, /<button type="submit" class="primary" id="approve" name="action" value="approve">Continue<\/button>/);
  assert.match(page.text, /id="decline" name="action" value="decline">Cancel</);
}

/** Enters the code, signs in as Adele and presses Continue. */
async function approveAsAdele(userCode: string, browser = new TestBrowser(env.emu)): Promise<void> {
  const confirm = await signInAs(browser, await enterCode(browser, userCode), ADELE);
  assertConfirmation(confirm, "Sample desktop app", ADELE.username);
  const done = await press(browser, confirm, "approve");
  assert.match(done.text, /id="success">You have signed in to the Sample desktop app application on your device\. You may now close this window\./);
}

describe("POST /{tenant}/oauth2/v2.0/devicecode", () => {
  test("answers the six fields of Entra's response, in its order, with a 9-character user code", async () => {
    const r = await deviceCodeRequest(env.emu, { client_id: DESKTOP.clientId, scope: SCOPE });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-store, no-cache");
    const body = r.json<DeviceAuthorization>();
    assert.deepEqual(Object.keys(body), ["user_code", "device_code", "verification_uri", "expires_in", "interval", "message"]);
    assert.equal(body.user_code.length, 9);
    for (const c of body.user_code) assert.ok(USER_CODE_ALPHABET.includes(c), `unexpected character ${c}`);
    assert.ok(body.device_code.length >= 40);
    assert.notEqual(body.device_code, body.user_code);
    assert.equal(body.verification_uri, `${env.emu.url}/devicelogin`);
    assert.equal(body.verification_uri, env.emu.deviceLoginUrl);
    assert.equal(body.expires_in, 900);
    assert.equal(body.interval, 5);
    assert.equal(
      body.message,
      `To sign in, use a web browser to open the page ${env.emu.url}/devicelogin and enter the code ${body.user_code} to authenticate.`,
    );
    const again = await start();
    assert.notEqual(again.user_code, body.user_code);
    assert.notEqual(again.device_code, body.device_code);
  });

  test("is the device_authorization_endpoint of the tenant's metadata, also on /organizations", async () => {
    for (const tenant of [TENANT_ID, "organizations"]) {
      const meta = (await call(`${env.emu.authorityFor(tenant)}/v2.0/.well-known/openid-configuration`, { ca: env.emu.caCertificate })).json();
      const endpoint = String(meta.device_authorization_endpoint);
      assert.equal(endpoint, `${env.emu.authorityFor(tenant)}/oauth2/v2.0/devicecode`);
      const r = await call(endpoint, { ca: env.emu.caCertificate, form: { client_id: DESKTOP.clientId, scope: SCOPE } });
      assert.equal(r.status, 200, r.text);
    }
  });

  test("a confidential app may start one too, without presenting its credential", async () => {
    const r = await deviceCodeRequest(env.emu, { client_id: WEB.clientId, scope: SCOPE });
    assert.equal(r.status, 200, r.text);
  });

  test("refuses what Entra refuses", async () => {
    const error = async (f: Record<string, string>, tenant?: string) => (await deviceCodeRequest(env.emu, f, tenant)).json();
    assertEntraError(env.emu.url, await error({ scope: SCOPE }), "invalid_request", 900144);
    assertEntraError(env.emu.url, await error({ client_id: DESKTOP.clientId }), "invalid_request", 900144);
    assertEntraError(env.emu.url, await error({ client_id: "0b0b0b0b-0000-4000-8000-000000000000", scope: SCOPE }), "unauthorized_client", 700016);
    assertEntraError(env.emu.url, await error({ client_id: DESKTOP.clientId, scope: "User.Read api://orders/Orders.Read" }), "invalid_scope", 700022);
    assertEntraError(env.emu.url, await error({ client_id: DESKTOP.clientId, scope: SCOPE, claims: "not json" }), "invalid_request", 90100);
    assertEntraError(env.emu.url, await error({ client_id: DESKTOP.clientId, scope: SCOPE }, "nowhere.example"), "invalid_tenant", 90002);
  });
});

describe("polling with the device code grant", () => {
  test("authorization_pending AADSTS70016 until the user approves; then the tokens, once", async () => {
    const flow = await start();
    for (let i = 0; i < 2; i++) assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_pending", 70016);
    const signedInAt = clock.now;
    await approveAsAdele(flow.user_code);
    clock.now += 30;
    const r = await poll(flow);
    assert.equal(r.status, 200, r.text);
    const body = r.json();
    assert.deepEqual(Object.keys(body), [
      "token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "id_token", "client_info", "foci",
    ]);
    assert.equal(body.scope, "User.Read openid profile");
    const id = decodeJwt(String(body.id_token));
    assert.equal(id.preferred_username, ADELE.username);
    assert.equal(id.aud, DESKTOP.clientId);
    assert.equal(id.auth_time, signedInAt, "the token carries the sign-in on the device login page");
    assert.equal(decodeJwt(String(body.access_token)).scp, "User.Read");

    const spent = (await poll(flow)).json();
    assertEntraError(env.emu.url, spent, "invalid_grant", 70000);
    assert.match(String(spent.error_description), /redeemed already/);
  });

  test("the user declines on the confirmation page: authorization_declined", async () => {
    const flow = await start();
    const browser = new TestBrowser(env.emu);
    const confirm = await signInAs(browser, await enterCode(browser, flow.user_code), ADELE);
    const declined = await press(browser, confirm, "decline");
    assert.match(declined.text, /id="declined">You declined to sign in to Sample desktop app on the other device/);
    assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_declined", 70000);
    assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_declined", 70000);
  });

  test("past expires_in: expired_token AADSTS70020, also when approved but not redeemed in time", async () => {
    const flow = await start();
    const approved = await start();
    await approveAsAdele(approved.user_code);
    clock.now += 900;
    assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_pending", 70016);
    clock.now += 1;
    assertEntraError(env.emu.url, (await poll(flow)).json(), "expired_token", 70020);
    assertEntraError(env.emu.url, (await poll(approved)).json(), "expired_token", 70020);
  });

  test("an unknown device code is bad_verification_code AADSTS70018; none at all is AADSTS900144", async () => {
    assertEntraError(env.emu.url, (await poll({ device_code: "made-up" })).json(), "bad_verification_code", 70018);
    const flow = await start();
    assertEntraError(env.emu.url, (await poll(flow, {}, OTHER_TENANT_ID)).json(), "bad_verification_code", 70018);
    const r = await tokenRequest(env.emu, { grant_type: DEVICE_CODE_GRANT, client_id: DESKTOP.clientId, code: flow.device_code });
    assertEntraError(env.emu.url, r.json(), "invalid_request", 900144);
  });

  test("another app cannot poll with the device code", async () => {
    const flow = await start();
    const body = (await poll(flow, { client_id: WEB.clientId, client_secret: WEB_CREDENTIALS.client_secret })).json();
    assertEntraError(env.emu.url, body, "invalid_grant", 70000);
    assert.match(String(body.error_description), /another application/);
  });

  test("a confidential app authenticates on every poll", async () => {
    const flow = await start(env.emu, { client_id: WEB.clientId });
    assertEntraError(env.emu.url, (await poll(flow, { client_id: WEB.clientId })).json(), "invalid_client", 7000218);
    assertEntraError(env.emu.url, (await poll(flow, { ...WEB_CREDENTIALS })).json(), "authorization_pending", 70016);
    const browser = new TestBrowser(env.emu);
    const confirm = await signInAs(browser, await enterCode(browser, flow.user_code), ADELE);
    assertConfirmation(confirm, "Sample web app", ADELE.username);
    await press(browser, confirm, "approve");
    const r = await poll(flow, { ...WEB_CREDENTIALS });
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().access_token)).azpacr, "1");
  });

  test("on /organizations the user's tenant issues; client capabilities in claims reach the access token", async () => {
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } });
    const flow = await start(env.emu, { claims }, "organizations");
    await approveAsAdele(flow.user_code);
    const r = await poll(flow, {}, "organizations");
    assert.equal(r.status, 200, r.text);
    const at = decodeJwt(String(r.json().access_token));
    assert.equal(at.tid, TENANT_ID);
    assert.deepEqual(at.xms_cc, ["cp1"]);
  });

  test("msal-common's short grant type name, device_code, polls too", async () => {
    const flow = await start();
    const form = { grant_type: "device_code", client_id: DESKTOP.clientId, device_code: flow.device_code };
    assertEntraError(env.emu.url, (await tokenRequest(env.emu, form)).json(), "authorization_pending", 70016);
    await approveAsAdele(flow.user_code);
    assert.equal((await tokenRequest(env.emu, form)).status, 200);
  });

  test("without slowDown, polling fast is only ever pending", async () => {
    const flow = await start();
    for (let i = 0; i < 3; i++) assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_pending", 70016);
  });
});

describe("an emulator with slow_down and short-lived codes (deviceCode option)", () => {
  const slowClock = { now: 1_900_000_000 };
  let emu: Emulator;
  before(async () => {
    emu = await createEmulator(userFlowOptions(slowClock, { deviceCode: { interval: 2, expiresIn: 120, slowDown: true } }));
  });
  after(() => emu.close());

  test("the response carries the configured interval and lifetime", async () => {
    const flow = await start(emu);
    assert.equal(flow.interval, 2);
    assert.equal(flow.expires_in, 120);
  });

  test("each poll sooner than the interval is slow_down and adds 5 s to it; a patient poll is pending", async () => {
    const flow = await start(emu);
    const tooSoon = (await poll(flow, {}, undefined, emu)).json();
    assertEntraError(emu.url, tooSoon, "slow_down", 7001601);
    assert.match(String(tooSoon.error_description), /at least 7 seconds/);
    slowClock.now += 7;
    assertEntraError(emu.url, (await poll(flow, {}, undefined, emu)).json(), "authorization_pending", 70016);
    slowClock.now += 6;
    assertEntraError(emu.url, (await poll(flow, {}, undefined, emu)).json(), "slow_down", 7001601);
    slowClock.now += 11;
    assertEntraError(emu.url, (await poll(flow, {}, undefined, emu)).json(), "slow_down", 7001601);
    slowClock.now += 17;
    assertEntraError(emu.url, (await poll(flow, {}, undefined, emu)).json(), "authorization_pending", 70016);
  });

  test("a code that expires while the user signs in is refused at the end", async () => {
    const flow = await start(emu);
    const browser = new TestBrowser(emu);
    const credentials = await press(browser, await browser.get("/devicelogin"), "next", { user_code: flow.user_code });
    slowClock.now += 121;
    const late = await signInAs(browser, credentials, ADELE);
    assert.equal(late.status, 400);
    assert.match(late.text, /That code has expired/);
    assertEntraError(emu.url, (await poll(flow, {}, undefined, emu)).json(), "expired_token", 70020);
  });
});

describe("the /devicelogin page", () => {
  test("GET shows the code form with stable ids", async () => {
    const r = await call(`${env.emu.url}/devicelogin`, { ca: env.emu.caCertificate });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-store");
    assert.match(r.text, /<title>Enter code<\/title>/);
    assert.match(r.text, /<input type="text" id="user-code" name="user_code"/);
    assert.match(r.text, /<button type="submit" class="primary" id="next" name="action" value="next">Next<\/button>/);
    assert.equal(form(r).action, "/devicelogin");
    const prefilled = await call(`${env.emu.url}/devicelogin?user_code=ABC`, { ca: env.emu.caCertificate });
    assert.match(prefilled.text, /id="user-code" name="user_code"[^>]* value="ABC"/);
  });

  test("a code typed in lower case with spaces and dashes is found; the sign-in forms post to /devicelogin", async () => {
    const flow = await start();
    const browser = new TestBrowser(env.emu);
    const typed = `${flow.user_code.slice(0, 4).toLowerCase()} - ${flow.user_code.slice(4)}`;
    const credentials = await enterCode(browser, typed);
    assert.equal(credentials.status, 200, credentials.text);
    assert.match(credentials.text, /<title>Sign in to your account<\/title>/);
    assert.match(credentials.text, /to continue to <strong>Sample desktop app<\/strong>/);
    assert.equal(form(credentials).action, "/devicelogin");
    assert.ok(hidden(form(credentials)).flow);
  });

  test("a wrong password shows the form again; the right one leads to the confirmation", async () => {
    const flow = await start();
    const browser = new TestBrowser(env.emu);
    const credentials = await enterCode(browser, flow.user_code);
    const wrong = await signInAs(browser, credentials, { username: ADELE.username, password: "wrong" });
    assert.match(wrong.text, /Your account or password is incorrect/);
    const confirm = await signInAs(browser, wrong, ADELE);
    assertConfirmation(confirm, "Sample desktop app", ADELE.username);
    assert.match(String(confirm.headers["set-cookie"]), /msalts_session=/);
  });

  test("unknown, expired and used codes are refused on the page", async () => {
    const browser = new TestBrowser(env.emu);
    const unknown = await enterCode(browser, "QQQQQQQQQ");
    assert.equal(unknown.status, 400);
    assert.match(unknown.text, /role="alert" id="error">That code didn&#39;t work\. Check the code and try again\./);
    assert.match(unknown.text, /value="QQQQQQQQQ"/);
    assert.match((await enterCode(browser, "   ")).text, /That code didn&#39;t work/);

    const used = await start();
    await approveAsAdele(used.user_code);
    const again = await enterCode(new TestBrowser(env.emu), used.user_code);
    assert.equal(again.status, 400);
    assert.match(again.text, /That code was already used/);

    const expiring = await start();
    clock.now += 901;
    const expired = await enterCode(new TestBrowser(env.emu), expiring.user_code);
    assert.equal(expired.status, 400);
    assert.match(expired.text, /That code has expired/);
  });

  test("a multi-factor user passes the second factor first", async () => {
    const flow = await start();
    const browser = new TestBrowser(env.emu);
    const mfa = await signInAs(browser, await enterCode(browser, flow.user_code), MEGAN);
    assert.match(mfa.text, /<title>Verify your identity<\/title>/);
    const wrong = await press(browser, mfa, "verify", { otc: "000000" });
    assert.match(wrong.text, /That code didn&#39;t work/);
    const confirm = await press(browser, wrong, "verify", { otc: MFA_CODE });
    assertConfirmation(confirm, "Sample desktop app", MEGAN.username);
    await press(browser, confirm, "approve");
    const r = await poll(flow);
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().id_token)).preferred_username, MEGAN.username);
  });

  test("a user who must consent sees the consent page; Cancel declines the device code", async () => {
    const flow = await start(env.emu, { scope: "openid profile offline_access api://orders/Orders.Read" });
    const browser = new TestBrowser(env.emu);
    const consent = await signInAs(browser, await enterCode(browser, flow.user_code), LEE);
    assert.match(consent.text, /<title>Permissions requested<\/title>/);
    assert.match(consent.text, /<code>api:\/\/orders\/Orders\.Read<\/code>/);
    assert.equal(form(consent).action, "/devicelogin");
    const cancelled = await press(browser, consent, "cancel");
    assert.match(cancelled.text, /id="declined"/);
    assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_declined", 70000);

    const second = await start(env.emu, { scope: "openid profile offline_access api://orders/Orders.Read" });
    const consentAgain = await signInAs(browser, await enterCode(browser, second.user_code), LEE);
    const confirm = await press(browser, consentAgain, "accept");
    assertConfirmation(confirm, "Sample desktop app", LEE.username);
    await press(browser, confirm, "approve");
    const r = await poll(second);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().scope, "api://orders/Orders.Read openid profile");
  });

  test("a browser with a session picks the account instead of asking for the password", async () => {
    const browser = new TestBrowser(env.emu);
    await approveAsAdele((await start()).user_code, browser);
    const flow = await start();
    const picker = await enterCode(browser, flow.user_code);
    assert.match(picker.text, /<title>Pick an account<\/title>/);
    const confirm = await press(browser, picker, "continue");
    assertConfirmation(confirm, "Sample desktop app", ADELE.username);
    await press(browser, confirm, "approve");
    assert.equal((await poll(flow)).status, 200);
  });

  test("a confirmation cannot be forged or answered twice", async () => {
    const flow = await start();
    const browser = new TestBrowser(env.emu);
    const confirm = await signInAs(browser, await enterCode(browser, flow.user_code), ADELE);
    const forged = await press(browser, confirm, "approve", { confirmation: "guessed" });
    assert.equal(forged.status, 400);
    assert.match(forged.text, /AADSTS50089/);
    assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_pending", 70016);
    assert.match((await press(browser, confirm, "approve")).text, /id="success"/);
    const twice = await press(browser, confirm, "decline");
    assert.match(twice.text, /AADSTS50089/);
    assert.equal((await poll(flow)).status, 200);
  });

  test("the request log masks the user code", async () => {
    env.emu.clearRequests();
    await call(`${env.emu.url}/devicelogin?user_code=SECRETCODE`, { ca: env.emu.caCertificate });
    const [entry] = env.emu.requests;
    assert.deepEqual(entry?.query, { user_code: "***" });
  });
});

describe("completeDeviceLogin", () => {
  test("approves a device code without a browser", async () => {
    const flow = await start();
    assert.equal(await env.emu.completeDeviceLogin(flow.user_code, { username: MEGAN.username, password: MEGAN.password }), "approved");
    assert.equal((await poll(flow)).status, 200);
  });

  test("declines on the confirmation page, or by cancelling consent", async () => {
    const flow = await start();
    assert.equal(await env.emu.completeDeviceLogin(flow.user_code, { username: ADELE.username, password: ADELE.password, decline: true }), "declined");
    assertEntraError(env.emu.url, (await poll(flow)).json(), "authorization_declined", 70000);
    const consent = await start(env.emu, { scope: "openid profile offline_access api://orders/Orders.ReadWrite" });
    const outcome = await completeDeviceLogin(consent.verification_uri, consent.user_code, {
      username: LEE.username,
      password: LEE.password,
      consent: false,
      ca: env.emu.caCertificate,
    });
    assert.equal(outcome, "declined");
  });

  test("throws SignInError for a code the page refuses, and for a wrong password", async () => {
    await assert.rejects(env.emu.completeDeviceLogin("QQQQQQQQQ", { username: ADELE.username, password: ADELE.password }), (err: unknown) => {
      assert.ok(err instanceof SignInError);
      assert.match(err.message, /That code didn't work/);
      return true;
    });
    const flow = await start();
    await assert.rejects(env.emu.completeDeviceLogin(flow.user_code, { username: ADELE.username, password: "wrong" }), /Your account or password is incorrect/);
  });
});

describe("deviceCode options are validated", () => {
  const rejects = (deviceCode: unknown, message: RegExp) =>
    assert.rejects(createEmulator({ deviceCode } as EmulatorOptions), (err: unknown) => {
      assert.ok(err instanceof TypeError, String(err));
      assert.match(err.message, message);
      return true;
    });
  test("interval and expiresIn are positive integers; slowDown is a boolean", async () => {
    await rejects({ interval: 0 }, /deviceCode\.interval must be a positive integer/);
    await rejects({ expiresIn: 1.5 }, /deviceCode\.expiresIn must be a positive integer/);
    await rejects({ slowDown: "yes" }, /deviceCode\.slowDown must be a boolean/);
    await rejects("fast", /deviceCode must be an object/);
  });
});
