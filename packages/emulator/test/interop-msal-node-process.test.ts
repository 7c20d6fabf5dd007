// The emulator against unmodified @azure/msal-node in a process of its own, with msal-node's own HTTP
// client trusting the emulator's CA through NODE_EXTRA_CA_CERTS: client credentials, auth code with
// PKCE and the interactive flow through Chromium, device code, username/password and refresh; and
// token cache files that msal-ts and msal-node hand each other. The scripts under ./node-peer are the
// msal-node side (plain JavaScript, run by plain node).
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
import { isClaimsChallenge } from "../src/claims-request.js";
import { createEmulator, defaultTenant } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { launchChromiumTrusting } from "../../../test-support/chromium.js";
import type { TrustingBrowser } from "../../../test-support/chromium.js";
import { startDriver } from "./support/driver-process.js";
import { msalTsDesktop, ok } from "./support/msal-ts-peer.js";
import type { DriverRun, Json } from "./support/driver-process.js";

const SCRIPTS = join(dirname(fileURLToPath(import.meta.url)), "node-peer");

const [DAEMON, WEB, DESKTOP] = defaultTenant.apps;
const [ADELE] = defaultTenant.users;
const GRAPH_READ = ["User.Read"];
const DEVICE_CODE_GRANT = "device_code";

let emu: Emulator;
let dir: string;
let caFile: string;
/** Driver processes still running (a failed test may leave one polling). */
const running = new Set<ChildProcess>();

before(async () => {
  emu = await createEmulator({ deviceCode: { interval: 1 } });
  dir = mkdtempSync(join(tmpdir(), "msal-node-interop-"));
  caFile = join(dir, "emulator-ca.pem");
  writeFileSync(caFile, emu.caCertificate);
});

after(async () => {
  for (const child of running) child.kill();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An msal-node AuthenticationResult as the scripts print it. */
interface NodeResult {
  readonly accessToken: string;
  readonly idTokenClaims: Json;
  readonly scopes: string[];
  readonly fromCache: boolean;
  readonly tokenType: string;
  readonly account: NodeAccount | null;
}

/** An msal-node AccountInfo as the scripts print it. */
interface NodeAccount {
  readonly homeAccountId: string;
  readonly environment: string;
  readonly tenantId: string;
  readonly username: string;
}

/**
 * Starts `script` under plain node, trusting the emulator's CA through NODE_EXTRA_CA_CERTS (read
 * by node at start-up for every TLS connection, fetch included). The test runner's own loader
 * options are not passed on: the scripts are JavaScript.
 */
function startNode(script: string, request: Json): DriverRun {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, NO_PROXY: "localhost,127.0.0.1" };
  delete env.NODE_OPTIONS;
  const check = (line: Json, stderr: string): void => {
    if (line.error) assert.fail(`msal-node threw in ${script}: ${JSON.stringify(line.error)}\n${stderr}`);
  };
  return startDriver(
    { name: script, command: process.execPath, args: [join(SCRIPTS, script)], env, running, check },
    { authority: emu.authority, ...request },
  );
}

function runNode(script: string, request: Json): Promise<Json> {
  return startNode(script, request).done();
}

/** A result msal-node returned, failing when there was none. */
function nodeResult(value: unknown): NodeResult {
  assert.ok(value && typeof value === "object", `expected an msal-node result, got ${JSON.stringify(value)}`);
  const r = value as NodeResult;
  assert.equal(typeof r.accessToken, "string");
  return r;
}

/** msal-ts's desktop app, as the peer sees the emulator. */
const desktop = (cache: SerializableTokenCache): PublicClientApplication => msalTsDesktop(DESKTOP.clientId, emu.authority, caFile, cache);

function cacheFile(name: string): string {
  return join(dir, `${name}.json`);
}

/** The requests the emulator served since `from`, as `METHOD path`. */
function requestsSince(from: number): string[] {
  return emu.requests.slice(from).map((r) => `${r.method} ${r.path}`);
}

const discoveryRequest = (): string => `GET /${emu.defaultTenantId}/v2.0/.well-known/openid-configuration`;

/** Signs Adele in on the emulator's page in `browser`, starting at `authUrl`, until the browser reaches `redirectPrefix`. */
async function signInWithChromium(browser: TrustingBrowser, authUrl: string, redirectPrefix: string, routeRedirect: boolean): Promise<URL | undefined> {
  const context = await browser.newContext();
  let redirect: URL | undefined;
  try {
    if (routeRedirect) {
      // The web app's callback: the browser lands there with the code; nothing needs to listen.
      await context.route(`${redirectPrefix}**`, async (route) => {
        redirect = new URL(route.request().url());
        await route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
      });
    }
    const page = await context.newPage();
    await page.goto(authUrl);
    assert.ok(page.url().startsWith(emu.url), "the sign-in page is the emulator's");
    await page.fill("#username", ADELE.username);
    await page.fill("#password", ADELE.password);
    await page.click("button#sign-in");
    await page.waitForURL((url) => url.href.startsWith(redirectPrefix));
    await page.waitForLoadState("load");
  } finally {
    await context.close();
  }
  return redirect;
}

describe("msal-node (its own HTTP client, NODE_EXTRA_CA_CERTS) against the emulator", { timeout: 120_000 }, () => {
  let browser: TrustingBrowser | undefined;
  const chromium = async (): Promise<TrustingBrowser> => (browser ??= await launchChromiumTrusting(emu.caCertificate));
  after(async () => {
    await browser?.close();
  });

  test("msal-node's authorize claims (voluntary ID token claims) are no claims challenge; a resource's challenge is", () => {
    const voluntary = { signin_state: { essential: false }, login_hint: { essential: false }, tenant_region_sub_scope: { essential: false } };
    assert.equal(isClaimsChallenge(JSON.stringify({ id_token: voluntary })), false);
    assert.equal(isClaimsChallenge(JSON.stringify({ id_token: voluntary, access_token: { xms_cc: { values: ["cp1"] } } })), false);
    assert.equal(isClaimsChallenge(JSON.stringify({ access_token: { nbf: { essential: true, value: "1700000000" } } })), true);
    assert.equal(isClaimsChallenge(JSON.stringify({ id_token: { acr: { values: ["urn:mfa"] } } })), true);
  });

  test("client credentials: a token for the daemon, then the same token from msal-node's cache", async () => {
    const grants = { grantType: "client_credentials", clientId: DAEMON.clientId, status: 200 };
    const before = emu.tokenRequestCount(grants);
    const from = emu.requests.length;
    const out = await runNode("client-credentials.mjs", {
      client_id: DAEMON.clientId,
      client_secret: DAEMON.secrets[0],
      scopes: ["https://graph.microsoft.com/.default"],
    });
    const first = nodeResult(out.first);
    const claims = decodeJwt(first.accessToken);
    assert.equal(claims.tid, emu.defaultTenantId);
    assert.equal(claims.azp ?? claims.appid, DAEMON.clientId);
    assert.deepEqual(claims.roles, ["User.Read.All"]);
    assert.equal(first.fromCache, false);
    const second = nodeResult(out.second);
    assert.equal(second.accessToken, first.accessToken);
    assert.equal(second.fromCache, true);
    assert.equal(emu.tokenRequestCount(grants), before + 1);
    // knownAuthorities: the OIDC document, no instance discovery, then one token request.
    assert.deepEqual(requestsSince(from), [discoveryRequest(), `POST /${emu.defaultTenantId}/oauth2/v2.0/token`]);
  });

  test("auth code with PKCE through Chromium: getAuthCodeUrl, the real sign-in page, acquireTokenByCode", async () => {
    const redirectUri = "http://localhost:5125/auth/redirect";
    const node = startNode("auth-code.mjs", { client_id: WEB.clientId, client_secret: WEB.secrets[0], scopes: GRAPH_READ, redirect_uri: redirectUri });
    const { authUrl, state } = (await node.next()) as { authUrl: string; state: string };
    const auth = new URL(authUrl);
    assert.equal(auth.origin + auth.pathname, `${emu.authority}/oauth2/v2.0/authorize`);
    assert.equal(auth.searchParams.get("code_challenge_method"), "S256");
    const redirect = await signInWithChromium(await chromium(), authUrl, redirectUri, true);
    assert.ok(redirect);
    assert.equal(redirect.searchParams.get("state"), state);
    const before = emu.tokenRequestCount({ grantType: "authorization_code", clientId: WEB.clientId, status: 200 });
    node.send(Object.fromEntries(redirect.searchParams));
    const out = await node.done();
    const result = nodeResult(out.result);
    assert.equal(result.idTokenClaims.preferred_username, ADELE.username);
    assert.equal(result.idTokenClaims.aud, WEB.clientId);
    assert.equal(result.account?.homeAccountId, `${String(result.idTokenClaims.oid)}.${emu.defaultTenantId}`);
    assert.equal(emu.tokenRequestCount({ grantType: "authorization_code", clientId: WEB.clientId, status: 200 }), before + 1);
    assert.deepEqual((out.accounts as NodeAccount[]).map((a) => a.username), [ADELE.username]);
  });

  test("interactive through Chromium: msal-node's loopback listener receives the form_post response", async () => {
    const node = startNode("interactive.mjs", { client_id: DESKTOP.clientId, scopes: GRAPH_READ });
    const { authUrl } = (await node.next()) as { authUrl: string };
    const auth = new URL(authUrl);
    assert.equal(auth.searchParams.get("response_mode"), "form_post");
    assert.equal(auth.searchParams.get("code_challenge_method"), "S256");
    const redirectUri = auth.searchParams.get("redirect_uri") ?? "";
    assert.match(redirectUri, /^http:\/\/localhost:\d+$/);
    await signInWithChromium(await chromium(), authUrl, redirectUri, false);
    const result = nodeResult((await node.done()).result);
    assert.equal(result.idTokenClaims.preferred_username, ADELE.username);
    assert.equal(result.idTokenClaims.aud, DESKTOP.clientId);
    assert.equal(decodeJwt(result.accessToken).scp, "User.Read");
  });

  test("device code: msal-node finds /devicecode, the user approves on /devicelogin while it polls", async () => {
    const grants = { grantType: DEVICE_CODE_GRANT, clientId: DESKTOP.clientId, status: 200 };
    const before = emu.tokenRequestCount(grants);
    const node = startNode("device-code.mjs", { client_id: DESKTOP.clientId, scopes: GRAPH_READ });
    const { deviceCode } = (await node.next()) as { deviceCode: { userCode: string; verificationUri: string; interval: number; message: string } };
    assert.equal(deviceCode.verificationUri, emu.deviceLoginUrl);
    assert.equal(deviceCode.interval, 1);
    assert.ok(deviceCode.message.includes(deviceCode.userCode));
    assert.equal(await emu.completeDeviceLogin(deviceCode.userCode, { username: ADELE.username, password: ADELE.password }), "approved");
    const result = nodeResult((await node.done()).result);
    assert.equal(result.idTokenClaims.preferred_username, ADELE.username);
    assert.equal(decodeJwt(result.accessToken).scp, "User.Read");
    assert.equal(emu.tokenRequestCount(grants), before + 1);
  });

  test("username/password with no user realm discovery, then a forced refresh from the cache file", async () => {
    const file = cacheFile("node-ropc");
    const passwords = { grantType: "password", clientId: DESKTOP.clientId, status: 200 };
    const signIns = emu.tokenRequestCount(passwords);
    const from = emu.requests.length;
    const out = await runNode("username-password.mjs", {
      client_id: DESKTOP.clientId,
      username: ADELE.username,
      password: ADELE.password,
      scopes: GRAPH_READ,
      cache_file: file,
    });
    const signedIn = nodeResult(out.result);
    assert.equal(signedIn.idTokenClaims.preferred_username, ADELE.username);
    // With knownAuthorities msal-node caches under the host and port (see cacheEnvironment below).
    assert.equal(signedIn.account?.environment, emu.host);
    assert.ok(!requestsSince(from).some((r) => r.includes("/userrealm/")), "msal-node does no user realm discovery");
    assert.equal(emu.tokenRequestCount(passwords), signIns + 1);

    const refreshes = { grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 };
    const before = emu.tokenRequestCount(refreshes);
    const refreshed = await runNode("silent.mjs", { client_id: DESKTOP.clientId, username: ADELE.username, scopes: GRAPH_READ, cache_file: file, force_refresh: true });
    const r = nodeResult(refreshed.result);
    assert.equal(r.fromCache, false);
    assert.notEqual(r.accessToken, signedIn.accessToken);
    assert.equal(emu.tokenRequestCount(refreshes), before + 1);
  });
});

/**
 * The emulator listens on a port, which real authorities never do. msal-node caches under the
 * authority's host and port, msal-ts and MSAL Python under its host name; msal-node's
 * `cloudDiscoveryMetadata` maps one to the other, as instance discovery maps the public cloud's
 * network host to its cache host.
 */
const cacheEnvironment = (): string => new URL(emu.url).hostname;

describe("token cache files shared by msal-ts and msal-node", { timeout: 120_000 }, () => {
  test("msal-ts writes, msal-node reads: the account and its access token with no token request; then a refresh", async () => {
    const cache = new SerializableTokenCache();
    const signedIn = ok(await desktop(cache).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const file = cacheFile("from-msal-ts");
    writeFileSync(file, cache.serialize());

    const from = emu.requests.length;
    const tokens = emu.tokenRequestCount();
    const out = await runNode("silent.mjs", { client_id: DESKTOP.clientId, username: ADELE.username, scopes: GRAPH_READ, cache_file: file, cache_environment: cacheEnvironment() });
    const accounts = out.accounts as NodeAccount[];
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0]?.username, ADELE.username);
    assert.equal(accounts[0]?.environment, cacheEnvironment());
    const fromCache = nodeResult(out.result);
    assert.equal(fromCache.accessToken, signedIn.access_token);
    assert.equal(fromCache.fromCache, true);
    assert.equal(emu.tokenRequestCount(), tokens, "no token request");
    // A new msal-node app reads the OIDC document before its first call; nothing else went out.
    assert.deepEqual(requestsSince(from), [discoveryRequest()]);

    const refreshes = { grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 };
    const before = emu.tokenRequestCount(refreshes);
    const refreshed = await runNode("silent.mjs", { client_id: DESKTOP.clientId, username: ADELE.username, scopes: GRAPH_READ, cache_file: file, force_refresh: true, cache_environment: cacheEnvironment() });
    const r = nodeResult(refreshed.result);
    assert.notEqual(r.accessToken, signedIn.access_token);
    assert.equal(emu.tokenRequestCount(refreshes), before + 1);
    assert.equal(emu.tokenRequestCount(), tokens + 1);
  });

  test("msal-node writes, msal-ts reads: the account and its access token with no request; then a refresh with msal-node's refresh token", async () => {
    const file = cacheFile("from-msal-node");
    const node = startNode("device-code.mjs", { client_id: DESKTOP.clientId, scopes: GRAPH_READ, cache_file: file, cache_environment: cacheEnvironment() });
    const { deviceCode } = (await node.next()) as { deviceCode: { userCode: string } };
    await emu.completeDeviceLogin(deviceCode.userCode, { username: ADELE.username, password: ADELE.password });
    const signedIn = nodeResult((await node.done()).result);

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
    assert.equal(fromCache.access_token, signedIn.accessToken);
    assert.equal(fromCache.token_source, "cache");
    assert.equal(emu.requests.length, requests, "no request of any kind");

    const refreshes = { grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 };
    const before = emu.tokenRequestCount(refreshes);
    const refreshed = ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(refreshed.token_source, "identity_provider");
    assert.notEqual(refreshed.access_token, signedIn.accessToken);
    assert.equal(emu.tokenRequestCount(refreshes), before + 1);
  });

  test("msal-node redeems a refresh token msal-ts obtained: acquireTokenByRefreshToken", async () => {
    const cache = new SerializableTokenCache();
    ok(await desktop(cache).acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const entries = JSON.parse(cache.serialize()) as { RefreshToken?: Record<string, { secret: string }> };
    const [refreshToken] = Object.values(entries.RefreshToken ?? {});
    assert.ok(refreshToken);
    const refreshes = { grantType: "refresh_token", clientId: DESKTOP.clientId, status: 200 };
    const before = emu.tokenRequestCount(refreshes);
    const out = await runNode("refresh-token.mjs", { client_id: DESKTOP.clientId, scopes: GRAPH_READ, refresh_token: refreshToken.secret });
    const r = nodeResult(out.result);
    assert.equal(r.idTokenClaims.preferred_username, ADELE.username);
    assert.equal(r.account?.username, ADELE.username);
    assert.equal(emu.tokenRequestCount(refreshes), before + 1);
  });
});
