// The emulator against unmodified MSAL Python (Debian's python3-msal, run with Debian's interpreter):
// client credentials, auth code, device code, username/password and refresh; and token cache files
// that msal-ts and MSAL Python hand each other. The scripts under ./python are the Python side.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeJwt } from "jose";
import { SerializableTokenCache } from "@msal-ts/msal";
import type { PublicClientApplication } from "@msal-ts/msal";
import { createEmulator, defaultTenant } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { launchChromiumTrusting } from "../../../test-support/chromium.js";
import { startDriver } from "./support/driver-process.js";
import { msalTsDesktop, ok } from "./support/msal-ts-peer.js";
import type { DriverRun, Json } from "./support/driver-process.js";

/** The interpreter the Debian package installs MSAL Python for. */
const PYTHON = "/usr/bin/python3";
const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "python");

const [DAEMON, WEB, DESKTOP] = defaultTenant.apps;
const [ADELE] = defaultTenant.users;
const GRAPH_READ = ["User.Read"];

let emu: Emulator;
let dir: string;
let caFile: string;
/**
 * MSAL Python sends user realm discovery to port 443 of the authority's host whatever the
 * authority's port (authority-wire-format §6.2), so the emulator listens on 443 when it may.
 */
let onPort443 = false;
/** Driver processes still running (a failed test may leave one polling). */
const running = new Set<ChildProcess>();

before(async () => {
  const options = { deviceCode: { interval: 1 } };
  try {
    emu = await createEmulator({ ...options, port: 443 });
    onPort443 = true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "EACCES" && code !== "EADDRINUSE") throw err;
    emu = await createEmulator(options);
  }
  dir = mkdtempSync(join(tmpdir(), "msal-python-interop-"));
  caFile = join(dir, "emulator-ca.pem");
  writeFileSync(caFile, emu.caCertificate);
});

after(async () => {
  for (const child of running) child.kill();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Starts `script` under Debian's Python, trusting the emulator's CA through REQUESTS_CA_BUNDLE. */
function startPython(script: string, request: Json): DriverRun {
  const env = { ...process.env, REQUESTS_CA_BUNDLE: caFile, PYTHONDONTWRITEBYTECODE: "1", NO_PROXY: "localhost,127.0.0.1" };
  return startDriver({ name: script, command: PYTHON, args: [join(SCRIPTS, script)], env, running }, { authority: emu.authority, ...request });
}

function runPython(script: string, request: Json): Promise<Json> {
  return startPython(script, request).done();
}

/** A successful MSAL Python result (a dict with access_token), failing with its error otherwise. */
function token(value: unknown): Json {
  assert.ok(value && typeof value === "object", `expected a result, got ${JSON.stringify(value)}`);
  const r = value as Json;
  assert.equal(r.error, undefined, `MSAL Python got ${String(r.error)}: ${String(r.error_description)}`);
  assert.equal(typeof r.access_token, "string");
  return r;
}

/** msal-ts's desktop app, as the peer sees the emulator. */
const desktop = (cache: SerializableTokenCache): PublicClientApplication => msalTsDesktop(DESKTOP.clientId, emu.authority, caFile, cache);

function cacheFile(name: string): string {
  return join(dir, `${name}.json`);
}

describe("MSAL Python against the emulator", { timeout: 120_000 }, () => {
  test("client credentials: a token for the daemon, and MSAL Python 1.21 asks again on the second call", async () => {
    const before = emu.tokenRequestCount({ grantType: "client_credentials", clientId: DAEMON.clientId, status: 200 });
    const out = await runPython("client_credentials.py", {
      client_id: DAEMON.clientId,
      client_secret: DAEMON.secrets[0],
      scopes: ["https://graph.microsoft.com/.default"],
    });
    const first = token(out.first);
    const claims = decodeJwt(String(first.access_token));
    assert.equal(claims.tid, emu.defaultTenantId);
    assert.equal(claims.appid ?? claims.azp, DAEMON.clientId);
    assert.deepEqual(claims.roles, ["User.Read.All"]);
    token(out.second);
    // 1.21's acquire_token_for_client has no cache lookup (later versions added one): two requests.
    assert.equal(emu.tokenRequestCount({ grantType: "client_credentials", clientId: DAEMON.clientId, status: 200 }), before + 2);
    assert.ok(emu.requests.some((r) => r.path === `/${emu.defaultTenantId}/v2.0/.well-known/openid-configuration`));
    assert.ok(!emu.requests.some((r) => r.path.startsWith("/common/discovery/instance")), "instance_discovery=False means no discovery");
  });

  test("auth code flow: initiate_auth_code_flow, sign-in at the emulator, acquire_token_by_auth_code_flow", async () => {
    const redirectUri = "http://localhost:5123/auth/redirect";
    const py = startPython("auth_code_flow.py", {
      client_id: WEB.clientId,
      client_secret: WEB.secrets[0],
      scopes: GRAPH_READ,
      redirect_uri: redirectUri,
    });
    const { flow } = (await py.next()) as { flow: { auth_uri: string; state: string } };
    const authUri = new URL(flow.auth_uri);
    assert.equal(authUri.origin + authUri.pathname, `${emu.authority}/oauth2/v2.0/authorize`);
    assert.equal(authUri.searchParams.get("code_challenge_method"), "S256");
    const signIn = await emu.signIn(flow.auth_uri, { username: ADELE.username, password: ADELE.password });
    assert.ok(signIn.url.startsWith(redirectUri));
    assert.equal(signIn.params.state, flow.state);
    const before = emu.tokenRequestCount({ grantType: "authorization_code", clientId: WEB.clientId, status: 200 });
    py.send(signIn.params);
    const out = await py.done();
    const result = token(out.result);
    assert.equal(typeof result.refresh_token, "string");
    const idClaims = result.id_token_claims as Json;
    assert.equal(idClaims.preferred_username, ADELE.username);
    assert.equal(idClaims.aud, WEB.clientId);
    assert.equal(idClaims.tid, emu.defaultTenantId);
    assert.equal(emu.tokenRequestCount({ grantType: "authorization_code", clientId: WEB.clientId, status: 200 }), before + 1);
    const accounts = out.accounts as Json[];
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.username, ADELE.username);
    assert.equal(accounts[0]?.home_account_id, `${String(idClaims.oid)}.${emu.defaultTenantId}`);
  });

  test("auth code flow through Chromium: the real sign-in page, the redirect's query handed to MSAL Python", async () => {
    const redirectUri = "http://localhost:5124/auth/redirect";
    const py = startPython("auth_code_flow.py", { client_id: WEB.clientId, client_secret: WEB.secrets[0], scopes: GRAPH_READ, redirect_uri: redirectUri });
    const { flow } = (await py.next()) as { flow: { auth_uri: string } };
    const browser = await launchChromiumTrusting(emu.caCertificate);
    let redirect: URL | undefined;
    try {
      const context = await browser.newContext();
      // The web app's callback: the browser lands there with the code; nothing needs to listen.
      await context.route(`${redirectUri}**`, async (route) => {
        redirect = new URL(route.request().url());
        await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
      });
      const page = await context.newPage();
      await page.goto(flow.auth_uri);
      assert.ok(page.url().startsWith(emu.url), "the sign-in page is the emulator's");
      await page.fill("#username", ADELE.username);
      await page.fill("#password", ADELE.password);
      await page.click("button#sign-in");
      await page.waitForURL((url) => url.href.startsWith(redirectUri));
    } finally {
      await browser.close();
    }
    assert.ok(redirect);
    py.send(Object.fromEntries(redirect.searchParams));
    const result = token((await py.done()).result);
    assert.equal((result.id_token_claims as Json).preferred_username, ADELE.username);
  });

  test("device code: initiate_device_flow, the user approves on /devicelogin, acquire_token_by_device_flow", async () => {
    const deviceGrants = { grantType: "urn:ietf:params:oauth:grant-type:device_code", clientId: DESKTOP.clientId, status: 200 };
    const before = emu.tokenRequestCount(deviceGrants);
    const py = startPython("device_flow.py", { client_id: DESKTOP.clientId, scopes: GRAPH_READ });
    const { flow } = (await py.next()) as { flow: { user_code: string; verification_uri: string; interval: number; message: string } };
    assert.equal(flow.verification_uri, emu.deviceLoginUrl);
    assert.equal(flow.interval, 1);
    assert.ok(flow.message.includes(flow.user_code));
    assert.equal(await emu.completeDeviceLogin(flow.user_code, { username: ADELE.username, password: ADELE.password }), "approved");
    const out = await py.done();
    const result = token(out.result);
    assert.equal((result.id_token_claims as Json).preferred_username, ADELE.username);
    assert.equal(decodeJwt(String(result.access_token)).scp, "User.Read");
    assert.equal(emu.tokenRequestCount(deviceGrants), before + 1);
  });

  test("username/password after user realm discovery, then a forced refresh from the cache file", async (t) => {
    if (!onPort443) {
      t.skip("MSAL Python sends user realm discovery to port 443 of the host, where this process may not listen");
      return;
    }
    const file = cacheFile("python-ropc");
    const out = await runPython("username_password.py", {
      client_id: DESKTOP.clientId,
      username: ADELE.username,
      password: ADELE.password,
      scopes: GRAPH_READ,
      cache_file: file,
    });
    const signedIn = token(out.result);
    assert.ok(emu.requests.some((r) => r.path === `/common/userrealm/${ADELE.username}`), "MSAL Python asked for the user realm");
    assert.equal((signedIn.id_token_claims as Json).preferred_username, ADELE.username);

    const before = emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 });
    const refreshed = await runPython("silent.py", { client_id: DESKTOP.clientId, username: ADELE.username, scopes: GRAPH_READ, cache_file: file, force_refresh: true });
    const r = token(refreshed.result);
    assert.notEqual(r.access_token, signedIn.access_token);
    assert.equal(emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 }), before + 1);
  });
});

describe("token cache files shared by msal-ts and MSAL Python", { timeout: 120_000 }, () => {
  test("msal-ts writes, MSAL Python reads: the account and its access token with no request; then a refresh with msal-ts's refresh token", async () => {
    const cache = new SerializableTokenCache();
    const signedIn = ok(await desktop(cache).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const file = cacheFile("from-msal-ts");
    writeFileSync(file, cache.serialize());

    const requests = emu.requests.length;
    const tokens = emu.tokenRequestCount();
    const out = await runPython("silent.py", { client_id: DESKTOP.clientId, username: ADELE.username, scopes: GRAPH_READ, cache_file: file });
    const accounts = out.accounts as Json[];
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.username, ADELE.username);
    const fromCache = token(out.result);
    assert.equal(fromCache.access_token, signedIn.access_token);
    assert.equal(emu.tokenRequestCount(), tokens, "no token request");
    // A new MSAL Python app always reads the OIDC document first; nothing else went out.
    assert.deepEqual(
      emu.requests.slice(requests).map((r) => `${r.method} ${r.path}`),
      [`GET /${emu.defaultTenantId}/v2.0/.well-known/openid-configuration`],
    );

    const refreshes = emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 });
    const refreshed = await runPython("silent.py", { client_id: DESKTOP.clientId, username: ADELE.username, scopes: GRAPH_READ, cache_file: file, force_refresh: true });
    const r = token(refreshed.result);
    assert.notEqual(r.access_token, signedIn.access_token);
    assert.equal(emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 }), refreshes + 1);
    assert.equal(emu.tokenRequestCount(), tokens + 1);
  });

  test("MSAL Python writes, msal-ts reads: the account and its access token with no request; then a refresh with Python's refresh token", async () => {
    const file = cacheFile("from-msal-python");
    const py = startPython("device_flow.py", { client_id: DESKTOP.clientId, scopes: GRAPH_READ, cache_file: file });
    const { flow } = (await py.next()) as { flow: { user_code: string } };
    await emu.completeDeviceLogin(flow.user_code, { username: ADELE.username, password: ADELE.password });
    const signedIn = token((await py.done()).result);

    const cache = new SerializableTokenCache();
    cache.deserialize(readFileSync(file, "utf8"));
    const app = desktop(cache);
    const requests = emu.requests.length;
    const accounts = await app.getAccounts({ username: ADELE.username });
    assert.equal(accounts.length, 1);
    const [account] = accounts;
    assert.ok(account);
    assert.equal(account.username, ADELE.username);
    const fromCache = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(fromCache.access_token, signedIn.access_token);
    assert.equal(fromCache.token_source, "cache");
    assert.equal(emu.requests.length, requests, "no request of any kind");

    const tokens = emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 });
    const refreshed = ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(refreshed.token_source, "identity_provider");
    assert.notEqual(refreshed.access_token, signedIn.access_token);
    assert.equal(emu.tokenRequestCount({ grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 }), tokens + 1);
  });
});
