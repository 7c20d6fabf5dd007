// The device code flow with a real browser: the app polls while headless Chromium — trusting the
// emulator's CA — opens the verification page, enters the user code, signs in and answers the
// confirmation page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SerializableTokenCache, type DeviceFlow, type HttpClient } from "@msal-ts/msal";
import type { Page } from "playwright-core";
import { launchChromiumTrusting, type TrustingBrowser } from "../../../../test-support/chromium.js";
import { ADELE, DESKTOP_APP, failed, ok, publicApp, recordingClient, startAuthority, type TestAuthority } from "./support.js";

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

let t: TestAuthority;
let browser: TrustingBrowser;

before(async () => {
  t = await startAuthority({ deviceCode: { interval: 1 } });
  browser = await launchChromiumTrusting(t.emu.caCertificate);
});

after(async () => {
  await browser?.close();
  await t?.emu.close();
});

/** An HTTP client that also notes what each token-endpoint answer was: the error, or `tokens`. */
async function pollWatcher(): Promise<{ http: HttpClient; answers: string[]; firstAnswer: Promise<void>; rec: Awaited<ReturnType<typeof recordingClient>> }> {
  const rec = await recordingClient(t);
  const answers: string[] = [];
  let answered!: () => void;
  const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
  const http: HttpClient = async (url, init) => {
    const res = await rec.http(url, init);
    if (new URL(url).pathname.endsWith("/oauth2/v2.0/token")) {
      const body = (await res.clone().json()) as { error?: string };
      answers.push(body.error ?? "tokens");
      answered();
    }
    return res;
  };
  return { http, answers, firstAnswer, rec };
}

function started(flow: Awaited<ReturnType<ReturnType<typeof publicApp>["initiateDeviceFlow"]>>): DeviceFlow {
  if ("error" in flow) assert.fail(`the device flow did not start: ${flow.error}`);
  return flow;
}

/** On the verification page: enters the code and signs in, up to the confirmation page. */
async function enterCodeAndSignIn(page: Page, flow: DeviceFlow): Promise<void> {
  await page.goto(flow.verification_uri);
  await page.fill("#user-code", flow.user_code);
  await page.click("button#next");
  await page.fill("#username", ADELE.username);
  await page.fill("#password", ADELE.password);
  await page.click("button#sign-in");
  await page.waitForSelector("button#approve");
  assert.equal(await page.textContent("#app-name"), "Sample desktop app");
}

describe("the device code flow, approved in Chromium", () => {
  test("the app polls while the user enters the code, signs in and continues; the tokens land in the cache", async () => {
    const watcher = await pollWatcher();
    const cache = new SerializableTokenCache();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http, tokenCache: cache });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    assert.equal(flow.verification_uri, t.emu.deviceLoginUrl);
    assert.equal(flow.interval, 1);

    const polling = app.acquireTokenByDeviceFlow(flow);
    // The user only starts once the app has asked at least once.
    await watcher.firstAnswer;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await enterCodeAndSignIn(page, flow);
      await page.click("button#approve");
      await page.waitForSelector("#success");
      assert.match((await page.textContent("#success")) ?? "", /You have signed in to the Sample desktop app application on your device/);
    } finally {
      await context.close();
    }

    const result = ok(await polling);
    assert.equal(result.id_token_claims?.preferred_username, ADELE.username);
    assert.equal(result.token_source, "identity_provider");
    assert.equal(watcher.answers[0], "authorization_pending");
    assert.equal(watcher.answers.at(-1), "tokens");
    assert.ok(watcher.answers.slice(0, -1).every((a) => a === "authorization_pending"), watcher.answers.join(","));

    // Every poll: the device code grant with the flow's code, the start's correlation id, API id 622.
    const polls = watcher.rec.tokenRequests();
    assert.equal(polls.length, watcher.answers.length);
    for (const poll of polls) {
      assert.equal(poll.body.get("grant_type"), DEVICE_CODE_GRANT);
      assert.equal(poll.body.get("device_code"), flow.device_code);
      assert.equal(poll.body.get("code"), flow.device_code);
      assert.equal(poll.body.get("client_id"), DESKTOP_APP);
      assert.equal(poll.body.get("client_info"), "1");
      assert.equal(poll.headers["client-request-id"], flow._correlation_id);
      assert.equal(poll.headers["x-client-current-telemetry"], "4|622,0|");
    }

    const [account] = await app.getAccounts();
    assert.equal(account?.username, ADELE.username);
    assert.equal(account?.account_source, DEVICE_CODE_GRANT);
    const accounts = Object.values((JSON.parse(cache.serialize()) as { Account: Record<string, Record<string, unknown>> }).Account);
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.account_source, DEVICE_CODE_GRANT);
    // The refresh token from the device flow serves silent calls.
    assert.ok(await app.acquireTokenSilent(["User.Read"], account ?? null, { forceRefresh: true }));
  });

  test("Cancel on the confirmation page ends the polling with authorization_declined", async () => {
    const watcher = await pollWatcher();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    const polling = app.acquireTokenByDeviceFlow(flow);
    await watcher.firstAnswer;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await enterCodeAndSignIn(page, flow);
      await page.click("button#decline");
      await page.waitForSelector("#declined");
    } finally {
      await context.close();
    }
    const error = failed(await polling);
    assert.equal(error.error, "authorization_declined");
    assert.match(String(error.error_description), /^AADSTS70000: /);
    assert.equal(watcher.answers.at(-1), "authorization_declined");
    assert.equal((await app.getAccounts()).length, 0);
  });
});
