// The example web app in a real browser: headless Chromium signs in on the emulator's page, sees the
// profile, calls the protected API with a token from the cache, and signs out.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createEmulator, defaultTenant, type Emulator } from "@msal-ts/emulator";
import type { Page } from "playwright-core";
import { launchChromiumTrusting, type TrustingBrowser } from "../../../test-support/chromium.js";
import { createWebApp } from "../src/app.js";

const [, webApp] = defaultTenant.apps;
const adele = defaultTenant.users[0];
const megan = defaultTenant.users[1];

let emu: Emulator;
let server: Server;
let baseUrl: string;
let browser: TrustingBrowser;
let dir: string;

before(async () => {
  emu = await createEmulator();
  dir = mkdtempSync(join(tmpdir(), "msal-ts-web-app-"));
  const caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
  server.on(
    "request",
    createWebApp({
      authority: emu.authority,
      clientId: webApp.clientId,
      clientSecret: webApp.secrets[0],
      baseUrl,
      api: { url: emu.protectedApiUrl, scopes: ["User.Read"] },
      logoutUrl: `${emu.authority}/oauth2/v2.0/logout`,
      caFile: caPath,
      msal: { instanceDiscovery: emu.instanceDiscoveryUrl },
    }),
  );
  browser = await launchChromiumTrusting(emu.caCertificate);
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  server?.closeAllConnections();
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.click("#sign-in");
  // The emulator's sign-in page, over HTTPS that Chromium verified against the emulator's CA.
  await page.waitForURL((url) => url.href.startsWith(emu.url));
  await page.fill("#username", username);
  await page.fill("#password", password);
  await page.click("button#sign-in");
}

describe("the example web app in Chromium", () => {
  test("signs in on the emulator's page, shows the profile, and calls the API with a cached token", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, adele.username, adele.password);
    await page.waitForURL(`${baseUrl}/profile`);
    assert.equal(await page.textContent("#signed-in-as"), adele.username);
    const claims = await page.textContent("#claims");
    assert.match(claims ?? "", new RegExp(adele.username.replace(".", "\\.")));
    assert.match(claims ?? "", /Adele Vance/);
    const requestsBefore = emu.tokenRequestCount();

    await page.click("text=Call the API");
    await page.waitForURL(`${baseUrl}/call-api`);
    assert.equal(await page.textContent("#api-status"), "200");
    // The access token came with the sign-in; the silent call found it in the session's cache.
    assert.equal(await page.textContent("#token-source"), "cache");
    assert.equal(emu.tokenRequestCount(), requestsBefore);
    const api = JSON.parse((await page.textContent("#api-response")) ?? "{}") as Record<string, unknown>;
    assert.equal(api.preferred_username, adele.username);
    assert.match(String(api.scp), /User\.Read/);

    await page.click("text=Sign out");
    await page.waitForURL(`${baseUrl}/`);
    assert.equal(await page.locator("#signed-in-as").count(), 0);
    await page.goto(`${baseUrl}/profile`);
    await page.waitForURL((url) => url.href.startsWith(emu.url));
    // Signed out at the emulator too: its page asks for credentials again.
    assert.equal(await page.locator("#password").count(), 1);
    await context.close();
  });

  test("a user with MFA signs in after the second step", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, megan.username, megan.password);
    await page.fill("#otc", await page.textContent("#mfa-code") ?? "");
    await page.click("#verify");
    await page.waitForURL(`${baseUrl}/profile`);
    assert.equal(await page.textContent("#signed-in-as"), megan.username);
    await context.close();
  });

  test("a wrong password keeps the user on the emulator's page with an error", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, adele.username, "not-the-password");
    assert.ok(page.url().startsWith(emu.url));
    assert.equal(await page.locator("#error").count(), 1);
    await context.close();
  });
});
