// acquireTokenInteractive in real headless Chromium: the browser opens the emulator's sign-in page
// (over HTTPS it verifies against the emulator's CA), the user signs in, and the emulator redirects
// the browser to the library's loopback listener, which hands the code over for redemption.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BrowserInteractionTimeoutError, type AuthenticationResult } from "@msal-ts/msal";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromiumTrusting, type TrustingBrowser } from "../../../../test-support/chromium.js";
import {
  ADELE,
  DESKTOP_APP,
  FAMILY_APP,
  GRAPH_READ,
  LEE,
  MEGAN,
  ORDERS_READ,
  failed,
  last,
  ok,
  publicApp,
  recordingClient,
  startAuthority,
  type TestAuthority,
} from "./support.js";

let t: TestAuthority;
let chromium: TrustingBrowser;

before(async () => {
  t = await startAuthority();
  chromium = await launchChromiumTrusting(t.emu.caCertificate);
});

after(async () => {
  await chromium?.close();
  await t?.emu.close();
});

/** Seconds a browser test's sign-in may take before it fails instead of hanging. */
const GENEROUS = 60;

/** A fresh browser profile (its own cookies, so its own emulator session) with one tab. */
async function newTab(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.newContext();
  return { context, page: await context.newPage() };
}

/**
 * Starts a sign-in whose "browser" is `page`: the navigation starts, and the test drives the
 * emulator's page while the library waits for the redirect. Returns the pending result (its
 * failure is observed by whoever awaits it) and the authorize URLs opened.
 */
function startSignIn(
  page: Page,
  run: (openBrowser: (url: string) => Promise<unknown>) => Promise<AuthenticationResult>,
): { readonly result: Promise<AuthenticationResult>; readonly opened: string[] } {
  const opened: string[] = [];
  const result = run((url) => {
    opened.push(url);
    return page.goto(url);
  });
  result.catch(() => {});
  return { result, opened };
}

async function fillCredentials(page: Page, user: { readonly username: string; readonly password: string }): Promise<void> {
  await page.waitForSelector("#password");
  assert.ok(page.url().startsWith(t.emu.url), "the sign-in page is the emulator's");
  await page.fill("#username", user.username);
  await page.fill("#password", user.password);
  await page.click("button#sign-in");
}

/** Waits for the loopback listener's page and returns its heading. */
async function listenerPage(page: Page): Promise<string> {
  await page.waitForURL((url) => url.protocol === "http:" && url.hostname === "localhost");
  return (await page.textContent("#result")) ?? "";
}

describe("acquireTokenInteractive in Chromium", () => {
  test("signs in on the emulator's page; the token comes back through the loopback listener", async () => {
    const { context, page } = await newTab();
    const rec = await recordingClient(t);
    const app = publicApp(t, DESKTOP_APP, { httpClient: rec.http });
    const signIn = startSignIn(page, (openBrowser) => app.acquireTokenInteractive(GRAPH_READ, { openBrowser, timeout: GENEROUS }));
    await fillCredentials(page, ADELE);
    const r = ok(await signIn.result);
    assert.match(await listenerPage(page), /Authentication complete/);
    const code = new URL(page.url()).searchParams.get("code");
    assert.ok(code, "the browser came back with the code");
    assert.ok(!(await page.content()).includes(code), "the page does not echo the code");

    assert.equal(r.token_source, "identity_provider");
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
    assert.equal(r.id_token_claims?.name, "Adele Vance");
    const redirect = new URL(signIn.opened[0] ?? "").searchParams.get("redirect_uri");
    assert.match(redirect ?? "", /^http:\/\/localhost:\d+$/);
    const token = last(rec.tokenRequests());
    assert.equal(token.body.get("redirect_uri"), redirect);
    assert.equal(token.headers["x-client-current-telemetry"], "4|169,0|");

    const accounts = await app.getAccounts();
    assert.deepEqual(
      accounts.map((a) => a.username),
      [ADELE.username],
    );
    const requests = t.emu.tokenRequestCount();
    const silent = ok(await app.acquireTokenSilent(GRAPH_READ, accounts[0] ?? null));
    assert.equal(silent.token_source, "cache");
    assert.equal(silent.access_token, r.access_token);
    assert.equal(t.emu.tokenRequestCount(), requests, "the silent call was answered from the cache");
    await context.close();
  });

  test("nobody signs in: BrowserInteractionTimeoutError after the timeout, and the listener is closed", async () => {
    const { context, page } = await newTab();
    const app = publicApp(t, DESKTOP_APP);
    const opened: string[] = [];
    await assert.rejects(
      app.acquireTokenInteractive(GRAPH_READ, { timeout: 1, openBrowser: (url) => void opened.push(url) }),
      BrowserInteractionTimeoutError,
    );
    const redirect = new URL(opened[0] ?? "").searchParams.get("redirect_uri") ?? "";
    await assert.rejects(page.goto(`${redirect}/?code=late&state=late`), /ERR_CONNECTION_REFUSED/);
    await context.close();
  });

  test("the user cancels consent: an error result (access_denied), and the browser says so", async () => {
    const { context, page } = await newTab();
    const app = publicApp(t, DESKTOP_APP);
    const signIn = startSignIn(page, (openBrowser) => app.acquireTokenInteractive(GRAPH_READ, { openBrowser, timeout: GENEROUS }));
    await fillCredentials(page, LEE);
    await page.waitForSelector("#cancel");
    await page.click("#cancel");
    const r = failed(await signIn.result);
    assert.equal(r.error, "access_denied");
    assert.match(await listenerPage(page), /Authentication failed/);
    assert.equal(await page.textContent("#error"), "access_denied");
    assert.deepEqual(await app.getAccounts(), []);
    await context.close();
  });

  test("loginHint pre-fills the username; prompt=login asks again despite the session", async () => {
    const { context, page } = await newTab();
    const app = publicApp(t, DESKTOP_APP);
    const first = startSignIn(page, (openBrowser) =>
      app.acquireTokenInteractive(GRAPH_READ, { openBrowser, loginHint: ADELE.username, timeout: GENEROUS }),
    );
    await page.waitForSelector("#password");
    assert.equal(await page.inputValue("#username"), ADELE.username, "the login hint is pre-filled");
    await page.fill("#password", ADELE.password);
    await page.click("button#sign-in");
    ok(await first.result);
    await listenerPage(page);

    // The browser has a session now: without a prompt the sign-in completes with no page to fill.
    const sso = startSignIn(page, (openBrowser) => app.acquireTokenInteractive(GRAPH_READ, { openBrowser, timeout: GENEROUS }));
    assert.equal(ok(await sso.result).id_token_claims?.preferred_username, ADELE.username);
    assert.match(await listenerPage(page), /Authentication complete/);

    // prompt=login shows the credentials page again, pre-filled from the hint.
    const again = startSignIn(page, (openBrowser) =>
      app.acquireTokenInteractive(GRAPH_READ, { openBrowser, prompt: "login", loginHint: ADELE.username, timeout: GENEROUS }),
    );
    await page.waitForSelector("#password");
    assert.equal(new URL(again.opened[0] ?? "").searchParams.get("prompt"), "login");
    assert.equal(await page.inputValue("#username"), ADELE.username);
    await page.fill("#password", ADELE.password);
    await page.click("button#sign-in");
    assert.equal(ok(await again.result).id_token_claims?.preferred_username, ADELE.username);
    await context.close();
  });

  test("a user with MFA signs in after entering the one-time code", async () => {
    const { context, page } = await newTab();
    const app = publicApp(t, DESKTOP_APP);
    const signIn = startSignIn(page, (openBrowser) => app.acquireTokenInteractive(GRAPH_READ, { openBrowser, timeout: GENEROUS }));
    await fillCredentials(page, MEGAN);
    await page.waitForSelector("#otc");
    await page.fill("#otc", (await page.textContent("#mfa-code")) ?? "");
    await page.click("#verify");
    assert.equal(ok(await signIn.result).id_token_claims?.preferred_username, MEGAN.username);
    await context.close();
  });

  test("extraScopesToConsent: consented on the page, requested on the authorize URL only", async () => {
    const { context, page } = await newTab();
    const rec = await recordingClient(t);
    const app = publicApp(t, FAMILY_APP, { httpClient: rec.http });
    const signIn = startSignIn(page, (openBrowser) =>
      app.acquireTokenInteractive(GRAPH_READ, { openBrowser, extraScopesToConsent: ORDERS_READ, timeout: GENEROUS }),
    );
    await fillCredentials(page, LEE);
    await page.waitForSelector("#accept");
    const listed = (await page.textContent("#scopes")) ?? "";
    assert.match(listed, /User\.Read/);
    assert.match(listed, /api:\/\/orders\/Orders\.Read/);
    await page.click("#accept");
    const r = ok(await signIn.result);

    const authScopes = new URL(signIn.opened[0] ?? "").searchParams.get("scope")?.split(" ") ?? [];
    assert.ok(authScopes.includes("api://orders/Orders.Read"));
    const tokenScopes = last(rec.tokenRequests()).body.get("scope")?.split(" ") ?? [];
    assert.deepEqual(tokenScopes, ["User.Read", "offline_access", "openid", "profile"]);
    assert.doesNotMatch(r.scope ?? "", /Orders/);
    await context.close();
  });
});
