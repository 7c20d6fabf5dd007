// acquireTokenInteractive against the emulator, with the emulator's form client standing in for the
// browser: it signs in at the authorize URL, and then delivers the redirect to the loopback listener
// as a browser would. (The same flow in real Chromium is in interactive-browser.test.ts.)
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { BrowserInteractionTimeoutError, MsalError, PublicClientApplication } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
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

before(async () => {
  t = await startAuthority();
});

after(async () => {
  await t.emu.close();
});

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** A GET to a loopback URL, on a fresh connection to 127.0.0.1 (where the listener binds). */
function get(url: string): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: u.port, path: `${u.pathname}${u.search}`, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function assertClosed(redirectUri: string): Promise<void> {
  await assert.rejects(get(redirectUri), { code: "ECONNREFUSED" });
}

/** What the stand-in browser saw. */
interface Browsing {
  /** The authorize URLs it was sent to. */
  readonly urls: string[];
  /** The listener's answers to the redirects it delivered (see `settled`). */
  readonly pages: Reply[];
  /** Resolves when the browser is done: the sign-in may finish before it has read the last page. */
  settled(): Promise<void>;
}

/** An `openBrowser` that signs `user` in with the emulator's form client and follows the redirect home. */
function formBrowser(
  user: { readonly username: string; readonly password: string },
  options: { readonly consent?: boolean; readonly before?: (authUri: string) => Promise<void> } = {},
): { readonly openBrowser: (url: string) => Promise<void> } & Browsing {
  const urls: string[] = [];
  const pages: Reply[] = [];
  const browsing: Promise<void>[] = [];
  const browse = async (url: string): Promise<void> => {
    await options.before?.(url);
    const signIn = await t.emu.signIn(url, {
      ...user,
      ...(options.consent !== undefined ? { consent: options.consent } : {}),
    });
    pages.push(await get(signIn.url));
  };
  return {
    urls,
    pages,
    settled: async () => {
      await Promise.all(browsing);
    },
    openBrowser: (url) => {
      urls.push(url);
      const done = browse(url);
      browsing.push(done);
      return done;
    },
  };
}

function redirectOf(authUri: string): string {
  const redirect = new URL(authUri).searchParams.get("redirect_uri");
  assert.ok(redirect, "the authorize URL names a redirect URI");
  return redirect;
}

describe("acquireTokenInteractive with the emulator", () => {
  test("signs in through the loopback listener; the account and its tokens are cached", async () => {
    const rec = await recordingClient(t);
    const app = publicApp(t, DESKTOP_APP, { httpClient: rec.http });
    const browser = formBrowser(ADELE);
    const r = ok(await app.acquireTokenInteractive(GRAPH_READ, { openBrowser: browser.openBrowser }));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
    assert.equal(r.id_token_claims?.aud, DESKTOP_APP);
    assert.ok(r.refresh_token);

    // The authorize request: a loopback redirect URI on the port the system picked, PKCE, state and nonce.
    assert.equal(browser.urls.length, 1);
    const authUri = new URL(browser.urls[0] ?? "");
    const q = authUri.searchParams;
    const redirect = redirectOf(authUri.href);
    assert.match(redirect, /^http:\/\/localhost:\d+$/);
    assert.notEqual(redirect, "http://localhost:0");
    assert.equal(q.get("client_id"), DESKTOP_APP);
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get("state") ?? "").length >= 16);
    assert.match(q.get("nonce") ?? "", /^[0-9a-f]{64}$/);
    assert.equal(q.get("client_info"), "1");
    assert.equal(q.get("prompt"), null, "no prompt is sent by default");
    assert.deepEqual(q.get("scope")?.split(" "), ["User.Read", "offline_access", "openid", "profile"]);
    assert.equal(r.id_token_claims?.nonce, q.get("nonce"));

    // The browser saw the success page, without the code, and the listener is gone.
    await browser.settled();
    assert.equal(browser.pages.length, 1);
    assert.equal(browser.pages[0]?.status, 200);
    assert.match(browser.pages[0]?.body ?? "", /Authentication complete/);
    await assertClosed(redirect);

    // The redemption: the same redirect URI, a PKCE verifier, the interactive telemetry id, the anchor.
    const token = last(rec.tokenRequests());
    assert.equal(rec.tokenRequests().length, 1);
    assert.equal(token.body.get("grant_type"), "authorization_code");
    assert.equal(token.body.get("redirect_uri"), redirect);
    const verifier = token.body.get("code_verifier") ?? "";
    assert.equal(createHash("sha256").update(verifier).digest("base64url"), q.get("code_challenge"));
    assert.equal(token.headers["x-client-current-telemetry"], "4|169,0|");
    assert.match(token.headers["x-anchormailbox"] ?? "", /^Oid:[^@]+@[^@]+$/);
    assert.equal(token.body.get("client_id"), DESKTOP_APP);
    assert.equal(token.body.get("client_secret"), null);

    const accounts = await app.getAccounts();
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.username, ADELE.username);
    const before = t.emu.tokenRequestCount();
    const silent = ok(await app.acquireTokenSilent(GRAPH_READ, accounts[0] ?? null));
    assert.equal(silent.token_source, "cache");
    assert.equal(silent.access_token, r.access_token);
    assert.equal(t.emu.tokenRequestCount(), before);
  });

  test("extraScopesToConsent is asked for on the authorize URL only, not in the token request", async () => {
    const rec = await recordingClient(t);
    const app = publicApp(t, DESKTOP_APP, { httpClient: rec.http });
    const browser = formBrowser(LEE);
    const r = ok(
      await app.acquireTokenInteractive(GRAPH_READ, { openBrowser: browser.openBrowser, extraScopesToConsent: ORDERS_READ }),
    );
    const authScopes = new URL(browser.urls[0] ?? "").searchParams.get("scope")?.split(" ");
    assert.deepEqual(authScopes, ["User.Read", "api://orders/Orders.Read", "offline_access", "openid", "profile"]);
    const tokenScopes = last(rec.tokenRequests()).body.get("scope")?.split(" ");
    assert.deepEqual(tokenScopes, ["User.Read", "offline_access", "openid", "profile"]);
    assert.match(r.scope ?? "", /User\.Read/);
    assert.doesNotMatch(r.scope ?? "", /Orders/);

    // Consent covered the other API too: its token comes silently, with no sign-in page.
    const [account] = await app.getAccounts();
    const orders = ok(await app.acquireTokenSilent(ORDERS_READ, account ?? null));
    assert.equal(orders.token_source, "identity_provider");
    assert.equal(last(rec.tokenRequests()).body.get("grant_type"), "refresh_token");
  });

  test("prompt, loginHint, domainHint, maxAge and claimsChallenge reach the authorize URL", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const browser = formBrowser(ADELE);
    const claims = JSON.stringify({ id_token: { acrs: { essential: true, values: ["c1"] } } });
    const r = ok(
      await app.acquireTokenInteractive(GRAPH_READ, {
        openBrowser: browser.openBrowser,
        prompt: "login",
        loginHint: ADELE.username,
        domainHint: "contoso.onmicrosoft.com",
        maxAge: 3600,
        claimsChallenge: claims,
      }),
    );
    const q = new URL(browser.urls[0] ?? "").searchParams;
    assert.equal(q.get("prompt"), "login");
    assert.equal(q.get("login_hint"), ADELE.username);
    assert.equal(q.get("X-AnchorMailbox"), `UPN:${ADELE.username}`);
    assert.equal(q.get("domain_hint"), "contoso.onmicrosoft.com");
    assert.equal(q.get("max_age"), "3600");
    assert.equal(q.get("claims"), claims);
    assert.equal(typeof r.id_token_claims?.auth_time, "number", "max_age brings auth_time, which was checked");
  });

  test("a user with MFA signs in after the second step", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const r = ok(await app.acquireTokenInteractive(GRAPH_READ, { openBrowser: formBrowser(MEGAN).openBrowser }));
    assert.equal(r.id_token_claims?.preferred_username, MEGAN.username);
  });

  test("a sign-in only ([] scopes) gets an ID token for the user", async () => {
    const rec = await recordingClient(t);
    const app = publicApp(t, DESKTOP_APP, { httpClient: rec.http });
    const r = ok(await app.acquireTokenInteractive([], { openBrowser: formBrowser(ADELE).openBrowser, extraScopesToConsent: GRAPH_READ }));
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
    assert.deepEqual(last(rec.tokenRequests()).body.get("scope")?.split(" "), ["offline_access", "openid", "profile"]);
  });

  test("a declined consent comes back as an error result, not a throw, and no code is redeemed", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const browser = formBrowser(LEE, { consent: false });
    const before = t.emu.tokenRequestCount();
    // prompt=consent shows the consent page even when the user consented before.
    const r = failed(await app.acquireTokenInteractive(GRAPH_READ, { openBrowser: browser.openBrowser, prompt: "consent" }));
    assert.equal(r.error, "access_denied");
    assert.ok(r.error_description);
    assert.equal(t.emu.tokenRequestCount(), before);
    await browser.settled();
    assert.match(browser.pages[0]?.body ?? "", /Authentication failed/);
    assert.match(browser.pages[0]?.body ?? "", /access_denied/);
    assert.deepEqual(await app.getAccounts(), []);
    await assertClosed(redirectOf(browser.urls[0] ?? ""));
  });

  test("a forged redirect with another state is turned away while the real one is accepted", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const forged: Reply[] = [];
    const browser = formBrowser(ADELE, {
      before: async (authUri) => {
        const redirect = redirectOf(authUri);
        forged.push(await get(`${redirect}/?code=attacker-code&state=attacker-state`));
        forged.push(await get(`${redirect}/favicon.ico`));
      },
    });
    const r = ok(await app.acquireTokenInteractive(GRAPH_READ, { openBrowser: browser.openBrowser }));
    assert.deepEqual(
      forged.map((f) => f.status),
      [400, 404],
    );
    assert.equal(r.id_token_claims?.preferred_username, ADELE.username);
  });

  test("a given port is used for the redirect URI; a port in use is a clear error", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    const opened: string[] = [];
    const app = publicApp(t, DESKTOP_APP);
    try {
      await assert.rejects(
        app.acquireTokenInteractive(GRAPH_READ, { port, openBrowser: (url) => void opened.push(url) }),
        (e: unknown) => e instanceof MsalError && e.code === "ERR_LOOPBACK_PORT_IN_USE",
      );
      assert.deepEqual(opened, [], "no browser is opened when the listener cannot start");
    } finally {
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
    const browser = formBrowser(ADELE);
    ok(await app.acquireTokenInteractive(GRAPH_READ, { port, openBrowser: browser.openBrowser }));
    assert.equal(redirectOf(browser.urls[0] ?? ""), `http://localhost:${port}`);
  });

  test("no sign-in within the timeout: BrowserInteractionTimeoutError, and the listener is closed", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const opened: string[] = [];
    await assert.rejects(
      app.acquireTokenInteractive(GRAPH_READ, { timeout: 1, openBrowser: (url) => void opened.push(url) }),
      BrowserInteractionTimeoutError,
    );
    assert.equal(opened.length, 1);
    await assertClosed(redirectOf(opened[0] ?? ""));
  });

  test("an abort ends the wait with the signal's reason and closes the listener", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const controller = new AbortController();
    const opened: string[] = [];
    await assert.rejects(
      app.acquireTokenInteractive(GRAPH_READ, {
        signal: controller.signal,
        openBrowser: (url) => {
          opened.push(url);
          setImmediate(() => controller.abort());
        },
      }),
      { name: "AbortError" },
    );
    await assertClosed(redirectOf(opened[0] ?? ""));
    await assert.rejects(
      app.acquireTokenInteractive(GRAPH_READ, { signal: AbortSignal.abort(), openBrowser: () => assert.fail("not opened") }),
      { name: "AbortError" },
    );
  });

  test("a failing openBrowser ends the sign-in with its error and closes the listener", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const opened: string[] = [];
    const boom = new Error("no display");
    await assert.rejects(
      app.acquireTokenInteractive(GRAPH_READ, {
        openBrowser: (url) => {
          opened.push(url);
          throw boom;
        },
      }),
      (e) => e === boom,
    );
    await assertClosed(redirectOf(opened[0] ?? ""));
    await assert.rejects(
      app.acquireTokenInteractive(GRAPH_READ, {
        openBrowser: async (url) => {
          opened.push(url);
          await new Promise((resolve) => setImmediate(resolve));
          throw boom;
        },
      }),
      (e) => e === boom,
    );
    await assertClosed(redirectOf(opened[1] ?? ""));
  });

  test("an authority that refuses discovery is an error result, and no browser opens", async () => {
    const app = new PublicClientApplication(DESKTOP_APP, {
      ...t.appOptions,
      authority: t.emu.authorityFor("no-such-tenant.onmicrosoft.com"),
    });
    const r = failed(await app.acquireTokenInteractive(GRAPH_READ, { openBrowser: () => assert.fail("no browser for a refused authority") }));
    assert.equal(r.error, "invalid_tenant");
  });
});
