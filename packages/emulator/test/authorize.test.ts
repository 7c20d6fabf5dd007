import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MFA_CODE } from "../src/index.js";
import { MFA_CLAIMS_CHALLENGE } from "../src/claims-request.js";
import { parseForms } from "../src/sign-in/html-forms.js";
import type { HtmlForm } from "../src/sign-in/html-forms.js";
import type { TestResponse } from "./support/https.js";
import {
  ADELE,
  DESKTOP,
  IAN,
  LEE,
  MEGAN,
  OTHER_TENANT_ID,
  TENANT_ID,
  TestBrowser,
  WEB,
  WEB_REDIRECT,
  authorizeUrl,
  redirectParams,
  useUserFlowEmulator,
} from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

function form(r: TestResponse): HtmlForm {
  const [f] = parseForms(r.text);
  assert.ok(f, `no form in ${r.status}: ${r.text.slice(0, 400)}`);
  return f;
}

function hidden(f: HtmlForm): Record<string, string> {
  return Object.fromEntries(f.inputs.filter((i) => i.type === "hidden").map((i) => [i.name, i.value]));
}

/** Fills and submits the credentials page. */
function submitPassword(browser: TestBrowser, page: TestResponse, user: { username: string; password: string }): Promise<TestResponse> {
  const f = form(page);
  return browser.post(f.action, { ...hidden(f), username: user.username, password: user.password, action: "sign-in" });
}

/** Presses a button (`action` value) on the current page. */
function press(browser: TestBrowser, page: TestResponse, action: string, extra: Record<string, string> = {}): Promise<TestResponse> {
  const f = form(page);
  return browser.post(f.action, { ...hidden(f), ...extra, action });
}

function assertErrorPage(r: TestResponse, code: number): void {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.headers.location, undefined);
  assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
  assert.match(r.text, new RegExp(`role="alert" id="error">AADSTS${code}: `));
}

function assertRedirectedError(params: Record<string, string>, error: string, code: number, state = "state-123"): void {
  assert.equal(params.error, error, params.error_description);
  assert.match(params.error_description ?? "", new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: `));
  assert.equal(params.error_uri, `${env.emu.url}/error?code=${code}`);
  assert.equal(params.state, state);
  assert.equal(params.code, undefined);
}

/** A browser signed in as `user` to the web app. */
async function signedIn(user: { username: string; password: string } = ADELE): Promise<TestBrowser> {
  const browser = new TestBrowser(env.emu);
  const done = await submitPassword(browser, await browser.get(authorizeUrl(env.emu)), user);
  assert.ok(redirectParams(done).code);
  return browser;
}

describe("authorize: requests the emulator cannot send back show an error page", () => {
  test("unknown tenant: AADSTS90002", async () => {
    assertErrorPage(await new TestBrowser(env.emu).get(authorizeUrl(env.emu, {}, "nowhere.example")), 90002);
  });

  test("missing or unknown client_id: AADSTS900144, AADSTS700016", async () => {
    const browser = new TestBrowser(env.emu);
    assertErrorPage(await browser.get(authorizeUrl(env.emu, { client_id: undefined })), 900144);
    const r = await browser.get(authorizeUrl(env.emu, { client_id: "11111111-2222-4333-8444-555555555555" }));
    assertErrorPage(r, 700016);
    assert.match(r.text, /<title>Sign-in error<\/title>/);
  });

  test("an app of another tenant is unknown on this tenant's path", async () => {
    assertErrorPage(await new TestBrowser(env.emu).get(authorizeUrl(env.emu, { client_id: "0f1e2d3c-0000-4000-8000-000000000001" })), 700016);
  });

  test("unregistered redirect URI: AADSTS50011, with the URI escaped on the page", async () => {
    const browser = new TestBrowser(env.emu);
    assertErrorPage(await browser.get(authorizeUrl(env.emu, { redirect_uri: "https://evil.example/auth/redirect" })), 50011);
    const r = await browser.get(authorizeUrl(env.emu, { redirect_uri: 'http://localhost:1/x"><script>alert(1)</script>' }));
    assertErrorPage(r, 50011);
    assert.ok(!r.text.includes("<script>alert(1)"));
    assert.ok(r.text.includes("&lt;script&gt;alert(1)"));
  });

  test("a loopback registration matches any port on localhost and 127.0.0.1, same path only", async () => {
    const browser = new TestBrowser(env.emu);
    for (const uri of ["http://localhost:5123/auth/redirect", "http://127.0.0.1:40001/auth/redirect", "http://localhost/auth/redirect"]) {
      const r = await browser.get(authorizeUrl(env.emu, { redirect_uri: uri }));
      assert.equal(r.status, 200, `${uri}: ${r.text.slice(0, 300)}`);
    }
    for (const uri of ["http://localhost:5123/auth/other", "https://localhost:5123/auth/redirect", "http://localhost.evil.example/auth/redirect"]) {
      assertErrorPage(await browser.get(authorizeUrl(env.emu, { redirect_uri: uri })), 50011);
    }
    const desktop = await browser.get(authorizeUrl(env.emu, { client_id: DESKTOP.clientId, redirect_uri: "http://127.0.0.1:61000" }));
    assert.equal(desktop.status, 200);
  });
});

describe("authorize: other errors go back to the app", () => {
  test("response_type other than code: unsupported_response_type AADSTS70005, state echoed", async () => {
    const r = await new TestBrowser(env.emu).get(authorizeUrl(env.emu, { response_type: "token" }));
    assert.ok(r.headers.location?.startsWith(`${WEB_REDIRECT}?`));
    assertRedirectedError(redirectParams(r), "unsupported_response_type", 70005);
  });

  test("missing response_type or scope, bad response_mode, prompt, max_age or PKCE method: invalid_request", async () => {
    const browser = new TestBrowser(env.emu);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { response_type: undefined }))), "invalid_request", 900144);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { scope: undefined }))), "invalid_request", 900144);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { response_mode: "web_message" }))), "invalid_request", 90100);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "sometimes" }))), "invalid_request", 90100);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { max_age: "-1" }))), "invalid_request", 90100);
    const pkce = { code_challenge: "x".repeat(43), code_challenge_method: "S512" };
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, pkce))), "invalid_request", 90100);
  });

  test("a scope the API does not define: invalid_scope AADSTS70011, in the fragment when asked", async () => {
    const r = await new TestBrowser(env.emu).get(authorizeUrl(env.emu, { scope: "openid api://orders/Orders.Delete", response_mode: "fragment" }));
    assert.equal(new URL(r.headers.location ?? "").search, "");
    assertRedirectedError(redirectParams(r, "hash"), "invalid_scope", 70011);
  });
});

describe("the sign-in page", () => {
  test("is a titled, labelled form posting back with a hidden flow id; login_hint is prefilled and escaped", async () => {
    const r = await new TestBrowser(env.emu).get(authorizeUrl(env.emu, { login_hint: '"><b>adele</b>' }));
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-store");
    assert.match(r.text, /<title>Sign in to your account<\/title>/);
    assert.match(r.text, /<label for="username">Username<\/label>/);
    assert.match(r.text, /<label for="password">Password<\/label>/);
    assert.match(r.text, /<button type="submit"[^>]*>Sign in<\/button>/);
    assert.ok(r.text.includes(WEB.displayName));
    assert.ok(!r.text.includes("<b>adele</b>"));
    const f = form(r);
    assert.equal(f.method, "post");
    assert.equal(f.action, `/${TENANT_ID}/oauth2/v2.0/authorize`);
    assert.deepEqual(f.inputs.map((i) => i.name), ["flow", "username", "password"]);
    assert.equal(f.inputs[1]?.value, '"><b>adele</b>');
    assert.match(hidden(f).flow ?? "", /^[A-Za-z0-9_-]{43}$/);
  });

  test("a wrong password shows the page again with an error; the right one redirects with a code and the state verbatim", async () => {
    const browser = new TestBrowser(env.emu);
    const state = "a b&c=d/é?#x";
    const first = await browser.get(authorizeUrl(env.emu, { state }));
    const wrong = await submitPassword(browser, first, { username: ADELE.username, password: "nope" });
    assert.equal(wrong.status, 200);
    assert.match(wrong.text, /role="alert" id="error">Your account or password is incorrect/);
    assert.equal(form(wrong).inputs.find((i) => i.name === "username")?.value, ADELE.username);
    const unknown = await submitPassword(browser, wrong, { username: "nobody@contoso.onmicrosoft.com", password: "x" });
    assert.match(unknown.text, /Your account or password is incorrect/);
    const done = await submitPassword(browser, unknown, ADELE);
    const params = redirectParams(done);
    assert.ok(done.headers.location?.startsWith(`${WEB_REDIRECT}?code=`));
    assert.match(params.code ?? "", /^[A-Za-z0-9_-]{64}$/);
    assert.equal(params.state, state);
    assert.equal(params.client_info, undefined);
  });

  test("a finished or made-up sign-in cannot be posted to: AADSTS50089 page", async () => {
    const browser = new TestBrowser(env.emu);
    const page = await browser.get(authorizeUrl(env.emu));
    redirectParams(await submitPassword(browser, page, ADELE));
    assertErrorPage(await submitPassword(browser, page, ADELE), 50089);
    assertErrorPage(await browser.post(`/${TENANT_ID}/oauth2/v2.0/authorize`, { flow: "made-up", username: ADELE.username, password: ADELE.password }), 50089);
  });
});

describe("response modes", () => {
  test("query: code, client_info (client_info=1) and state in the query", async () => {
    const r = await env.emu.signIn(authorizeUrl(env.emu, { client_info: "1" }), { username: ADELE.username, password: ADELE.password });
    assert.equal(r.responseMode, "query");
    assert.deepEqual(Object.keys(r.params), ["code", "client_info", "state"]);
    const info = JSON.parse(Buffer.from(r.params.client_info ?? "", "base64url").toString()) as Record<string, string>;
    assert.match(info.uid ?? "", /^[0-9a-f-]{36}$/);
    assert.equal(info.utid, TENANT_ID);
    assert.ok(!(r.params.client_info ?? "").includes("="));
  });

  test("fragment: the response is in the fragment only", async () => {
    const r = await env.emu.signIn(authorizeUrl(env.emu, { response_mode: "fragment" }), { username: ADELE.username, password: ADELE.password });
    assert.equal(r.responseMode, "fragment");
    assert.equal(new URL(r.url).search, "");
    assert.ok(r.params.code);
    assert.equal(r.params.state, "state-123");
  });

  test("form_post: an auto-submitting form posts code and state to the redirect URI", async () => {
    const browser = new TestBrowser(env.emu);
    const page = await browser.get(authorizeUrl(env.emu, { response_mode: "form_post", state: 'x"<y' }));
    const r = await submitPassword(browser, page, ADELE);
    assert.equal(r.status, 200);
    assert.equal(r.headers.location, undefined);
    const f = form(r);
    assert.equal(f.action, WEB_REDIRECT);
    assert.equal(f.method, "post");
    assert.deepEqual(f.inputs.map((i) => i.name), ["code", "state"]);
    assert.equal(f.inputs[1]?.value, 'x"<y');
    assert.match(r.text, /<script>document\.getElementById\("response"\)\.submit\(\);<\/script>/);
  });
});

describe("the session cookie and prompt", () => {
  test("the cookie is host-only, Secure, HttpOnly, SameSite=Lax; a second authorize signs in without the form", async () => {
    const browser = new TestBrowser(env.emu);
    const done = await submitPassword(browser, await browser.get(authorizeUrl(env.emu)), ADELE);
    const cookie = String(done.headers["set-cookie"]);
    assert.match(cookie, /^msalts_session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Lax$/);
    assert.doesNotMatch(cookie, /Domain=/i);
    const again = await browser.get(authorizeUrl(env.emu, { state: "second" }));
    assert.equal(redirectParams(again).state, "second");
    assert.ok(redirectParams(again).code);
  });

  test("prompt=none: login_required (AADSTS50058) without a session, a code with one", async () => {
    const r = await new TestBrowser(env.emu).get(authorizeUrl(env.emu, { prompt: "none" }));
    assertRedirectedError(redirectParams(r), "login_required", 50058);
    const browser = await signedIn();
    assert.ok(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none" }))).code);
  });

  test("prompt=login shows the form again, for the signed-in user", async () => {
    const browser = await signedIn();
    const r = await browser.get(authorizeUrl(env.emu, { prompt: "login" }));
    assert.equal(r.status, 200);
    assert.equal(form(r).inputs.find((i) => i.name === "username")?.value, ADELE.username);
  });

  test("prompt=select_account offers the signed-in account or another one", async () => {
    const browser = await signedIn();
    const picker = await browser.get(authorizeUrl(env.emu, { prompt: "select_account" }));
    assert.match(picker.text, /<title>Pick an account<\/title>/);
    assert.ok(picker.text.includes(ADELE.displayName));
    assert.match(picker.text, />Use another account</);
    assert.ok(redirectParams(await press(browser, picker, "continue")).code);

    const again = await browser.get(authorizeUrl(env.emu, { prompt: "select_account" }));
    const credentials = await press(browser, again, "another");
    assert.equal(credentials.status, 200);
    assert.deepEqual(form(credentials).inputs.map((i) => i.name), ["flow", "username", "password"]);
  });

  test("prompt=create shows the form even in a session; POST with the parameters in the body works as GET", async () => {
    const browser = await signedIn();
    const created = await browser.get(authorizeUrl(env.emu, { prompt: "create", domain_hint: "contoso.onmicrosoft.com" }));
    assert.ok(form(created).inputs.some((i) => i.name === "password"));
    const params = Object.fromEntries(new URL(authorizeUrl(env.emu, { prompt: "none" })).searchParams);
    const posted = await browser.post(`${env.emu.authority}/oauth2/v2.0/authorize`, params);
    assert.ok(redirectParams(posted).code);
  });

  test("select_account without a session is the sign-in form", async () => {
    const r = await new TestBrowser(env.emu).get(authorizeUrl(env.emu, { prompt: "select_account" }));
    assert.ok(form(r).inputs.some((i) => i.name === "password"));
  });

  test("max_age: a session older than max_age signs in again; prompt=none then answers login_required", async () => {
    const browser = await signedIn();
    clock.now += 120;
    try {
      assert.ok(redirectParams(await browser.get(authorizeUrl(env.emu, { max_age: "3600" }))).code);
      const r = await browser.get(authorizeUrl(env.emu, { max_age: "60" }));
      assert.equal(r.status, 200);
      assert.ok(form(r).inputs.some((i) => i.name === "password"));
      assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { max_age: "60", prompt: "none" }))), "login_required", 50058);
    } finally {
      clock.now -= 120;
    }
  });

  test("a login_hint naming someone else, or another tenant's path, does not use the session", async () => {
    const browser = await signedIn();
    const hinted = await browser.get(authorizeUrl(env.emu, { login_hint: MEGAN.username }));
    assert.equal(form(hinted).inputs.find((i) => i.name === "username")?.value, MEGAN.username);
    const other = await browser.get(authorizeUrl(env.emu, { client_id: WEB.clientId }, OTHER_TENANT_ID));
    assert.ok(form(other).inputs.some((i) => i.name === "password"));
  });
});

describe("multi-factor authentication", () => {
  test("an MFA user gets the code page after the password; a wrong code shows it again", async () => {
    const browser = new TestBrowser(env.emu);
    const mfa = await submitPassword(browser, await browser.get(authorizeUrl(env.emu)), MEGAN);
    assert.match(mfa.text, /<title>Verify your identity<\/title>/);
    assert.match(mfa.text, new RegExp(`<strong id="mfa-code">${MFA_CODE}</strong>`));
    assert.match(mfa.text, /<label for="otc">Code<\/label>/);
    const wrong = await press(browser, mfa, "verify", { otc: "000000" });
    assert.match(wrong.text, /role="alert" id="error">That code didn&#39;t work/);
    assert.ok(redirectParams(await press(browser, wrong, "verify", { otc: MFA_CODE })).code);
    // The session remembers the second factor.
    assert.ok(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none" }))).code);
  });

  test("a claims challenge asks for the second factor again, even in a session; prompt=none answers interaction_required", async () => {
    const browser = await signedIn();
    assertRedirectedError(
      redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none", claims: MFA_CLAIMS_CHALLENGE }))),
      "interaction_required",
      50076,
    );
    const page = await browser.get(authorizeUrl(env.emu, { claims: MFA_CLAIMS_CHALLENGE }));
    assert.match(page.text, /Verify your identity/);
    assert.ok(redirectParams(await press(browser, page, "verify", { otc: MFA_CODE })).code);
    const capabilitiesOnly = JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } });
    assert.ok(redirectParams(await browser.get(authorizeUrl(env.emu, { claims: capabilitiesOnly }))).code);
  });

  test("a user who always needs interaction signs in on the page, but prompt=none answers interaction_required", async () => {
    const browser = await signedIn(IAN);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none" }))), "interaction_required", 50079);
  });
});

describe("consent", () => {
  test("a user who must consent sees the requested permissions; Cancel is access_denied AADSTS65004", async () => {
    const browser = new TestBrowser(env.emu);
    const consent = await submitPassword(browser, await browser.get(authorizeUrl(env.emu, { scope: "openid profile api://orders/Orders.Read" })), LEE);
    assert.match(consent.text, /<title>Permissions requested<\/title>/);
    assert.match(consent.text, /<li>Sign you in<\/li>/);
    assert.match(consent.text, /<code>api:\/\/orders\/Orders\.Read<\/code>/);
    assertRedirectedError(redirectParams(await press(browser, consent, "cancel")), "access_denied", 65004);
  });

  test("Accept issues the code and is remembered; prompt=none for an app not consented to is consent_required", async () => {
    const browser = new TestBrowser(env.emu);
    const consent = await submitPassword(browser, await browser.get(authorizeUrl(env.emu)), LEE);
    assert.match(consent.text, /<code>User\.Read<\/code>/);
    assert.ok(redirectParams(await press(browser, consent, "accept")).code);
    assert.ok(redirectParams(await browser.get(authorizeUrl(env.emu))).code, "no second consent page");
    const desktop = authorizeUrl(env.emu, { client_id: DESKTOP.clientId, redirect_uri: "http://localhost:7000", prompt: "none" });
    const r = await browser.get(desktop);
    assert.equal(redirectParams(r).error, "consent_required");
    assert.match(redirectParams(r).error_description ?? "", /^AADSTS65001: /);
  });

  test("prompt=consent shows the consent page to anyone", async () => {
    const browser = await signedIn();
    const page = await browser.get(authorizeUrl(env.emu, { prompt: "consent" }));
    assert.match(page.text, /Permissions requested/);
    assert.ok(redirectParams(await press(browser, page, "accept")).code);
  });
});

describe("logout", () => {
  test("ends the session and redirects to a registered URI with the state", async () => {
    const browser = await signedIn();
    const sessionValue = browser.cookies.get("msalts_session");
    const r = await browser.get(
      `${env.emu.authority}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("http://localhost:8000/auth/redirect")}&state=bye`,
    );
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, "http://localhost:8000/auth/redirect?state=bye");
    assert.match(String(r.headers["set-cookie"]), /^msalts_session=; .*Max-Age=0/);
    assert.equal(browser.cookies.size, 0);
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none" }))), "login_required", 50058);
    // The old cookie value no longer names a session either.
    browser.cookies.set("msalts_session", sessionValue ?? "");
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none" }))), "login_required", 50058);
  });

  test("an unregistered post-logout URI gets the signed-out page (POST works too)", async () => {
    const browser = await signedIn();
    const r = await browser.post(`${env.emu.authority}/oauth2/v2.0/logout`, { post_logout_redirect_uri: "https://evil.example/<x>" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.location, undefined);
    assert.match(r.text, /You signed out of your account/);
    assert.ok(r.text.includes("https://evil.example/&lt;x&gt;"));
    assertRedirectedError(redirectParams(await browser.get(authorizeUrl(env.emu, { prompt: "none" }))), "login_required", 50058);
  });
});
