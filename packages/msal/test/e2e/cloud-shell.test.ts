// Azure Cloud Shell end to end: with AZUREPS_HOST_ENVIRONMENT=cloud-shell/1.0 and MSI_ENDPOINT pointing
// at the emulator's Cloud Shell endpoint (the variables emu.managedIdentity.environment("cloud-shell")
// hands out), a public client's prompt-none interactive call and its silent calls for the CLOUDSHELL
// account get tokens there; outside Cloud Shell nothing goes there. process.env is restored after
// each test.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { defaultTenant, type ManagedIdentityHost } from "@msal-ts/emulator";
import {
  ManagedIdentityError,
  NetworkError,
  PopAuthScheme,
  SerializableTokenCache,
  type Account,
  type PublicClientApplication,
} from "@msal-ts/msal";
import { DESKTOP_APP, failed, ok, publicApp, recordingClient, startAuthority, type RecordingClient, type TestAuthority } from "./support.js";

const GRAPH_USER_READ = ["https://graph.microsoft.com/User.Read"];
const CLOUD_SHELL_VARIABLES = ["AZUREPS_HOST_ENVIRONMENT", "MSI_ENDPOINT"] as const;

let t: TestAuthority;
let mi: ManagedIdentityHost;
let saved: Record<string, string | undefined>;

before(async () => {
  t = await startAuthority({ managedIdentity: {} });
  assert.ok(t.emu.managedIdentity);
  mi = t.emu.managedIdentity;
});

after(async () => {
  await t.emu.close();
});

beforeEach(() => {
  saved = Object.fromEntries(CLOUD_SHELL_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of CLOUD_SHELL_VARIABLES) delete process.env[name];
});

afterEach(() => {
  for (const name of CLOUD_SHELL_VARIABLES) {
    const value = saved[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Sets the variables Cloud Shell sets, pointed at the emulator. */
function enterCloudShell(): void {
  Object.assign(process.env, mi.environment("cloud-shell").env);
}

const cloudShellCalls = (): number => mi.requestCount("cloud-shell");

interface Harness {
  readonly app: PublicClientApplication;
  readonly cache: SerializableTokenCache;
  readonly rec: RecordingClient;
}

async function harness(cache = new SerializableTokenCache()): Promise<Harness> {
  const rec = await recordingClient(t);
  return { app: publicApp(t, DESKTOP_APP, { tokenCache: cache, httpClient: rec.http }), cache, rec };
}

const noBrowser = (url: string): never => assert.fail(`no browser should open in Cloud Shell, got ${url}`);

type Entry = Record<string, unknown>;
function section(cache: SerializableTokenCache, name: string): Entry[] {
  const state = JSON.parse(cache.serialize()) as Record<string, Record<string, Entry> | undefined>;
  return Object.values(state[name] ?? {});
}

/** Signs in through Cloud Shell and returns the account getAccounts() lists. */
async function signedIn(h: Harness, scopes = GRAPH_USER_READ): Promise<Account> {
  ok(await h.app.acquireTokenInteractive(scopes, { prompt: "none", openBrowser: noBrowser }));
  const [account] = await h.app.getAccounts();
  assert.ok(account, "the Cloud Shell account is listed");
  return account;
}

/** Rewrites every cached access token's expires_on (a token about to expire, or one already gone). */
function expireAccessTokens(cache: SerializableTokenCache, expiresOn: number): void {
  const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, Entry> };
  for (const at of Object.values(state.AccessToken)) at["expires_on"] = String(expiresOn);
  cache.deserialize(JSON.stringify(state));
}

describe("inside Cloud Shell", () => {
  test("interactive with prompt none: the token comes from Cloud Shell and a CLOUDSHELL account is cached", async () => {
    enterCloudShell();
    const h = await harness();
    const before = cloudShellCalls();
    const result = ok(await h.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser }));
    assert.equal(cloudShellCalls(), before + 1);
    assert.equal(h.rec.tokenRequests().length, 0, "the authority's token endpoint is not involved");

    // The request: a form POST with Metadata: true and the resource, nothing of the app's.
    const [request] = h.rec.seen.filter((r) => r.url === mi.endpoint("cloud-shell"));
    assert.ok(request);
    assert.equal(request.method, "POST");
    assert.equal(request.headers["metadata"], "true");
    assert.equal(request.headers["content-type"], "application/x-www-form-urlencoded");
    assert.deepEqual([...request.body.entries()], [["resource", "https://graph.microsoft.com"]]);

    // The result: Cloud Shell's token, with the account facts made up from it.
    const user = defaultTenant.users[0];
    const claims = decodeJwt(result.access_token);
    assert.equal(claims.preferred_username, user.username);
    assert.equal(claims.tid, defaultTenant.id);
    assert.equal(claims.aud, "https://graph.microsoft.com");
    const oid = String(claims.oid);
    assert.equal(result.token_source, "broker");
    assert.equal(result.token_type, "Bearer");
    assert.ok(result.expires_in > 3600 && result.expires_in <= 86_400, String(result.expires_in));
    assert.equal(result.refresh_token, undefined);
    assert.deepEqual(JSON.parse(Buffer.from(String(result.client_info), "base64url").toString("utf8")), { uid: oid, utid: defaultTenant.id });
    assert.equal(result.id_token_claims?.["preferred_username"], user.username);
    assert.equal(result.id_token_claims?.["aud"], DESKTOP_APP);
    assert.equal(result.id_token_claims?.["tid"], defaultTenant.id);

    // The cache: an access token and an account, no refresh or ID token.
    const home = `${oid}.${defaultTenant.id}`;
    const environment = new URL(t.emu.authority).hostname;
    assert.deepEqual(section(h.cache, "Account"), [
      {
        home_account_id: home,
        environment,
        realm: defaultTenant.id,
        local_account_id: claims.sub,
        username: user.username,
        authority_type: "CLOUDSHELL",
      },
    ]);
    const [at] = section(h.cache, "AccessToken");
    assert.ok(at);
    assert.equal(at["secret"], result.access_token);
    assert.equal(at["home_account_id"], home);
    assert.equal(at["environment"], environment);
    assert.equal(at["realm"], defaultTenant.id);
    assert.equal(at["client_id"], DESKTOP_APP);
    assert.equal(at["target"], "https://graph.microsoft.com/User.Read");
    assert.equal(at["token_type"], "Bearer");
    assert.equal(Number(at["expires_on"]) - Number(at["cached_at"]), result.expires_in);
    assert.deepEqual(section(h.cache, "RefreshToken"), []);
    assert.deepEqual(section(h.cache, "IdToken"), []);

    // getAccounts() lists it inside Cloud Shell.
    assert.deepEqual(await h.app.getAccounts(), [
      { home_account_id: home, environment, username: user.username, authority_type: "CLOUDSHELL", local_account_id: claims.sub, realm: defaultTenant.id },
    ]);
  });

  test("a second silent call is answered from the cache, with no request", async () => {
    enterCloudShell();
    const h = await harness();
    const account = await signedIn(h);
    const first = section(h.cache, "AccessToken")[0]?.["secret"];
    const before = cloudShellCalls();
    const seen = h.rec.seen.length;
    const result = ok(await h.app.acquireTokenSilent(GRAPH_USER_READ, account));
    assert.equal(result.token_source, "cache");
    assert.equal(result.access_token, first);
    assert.equal(ok(await h.app.acquireTokenSilentWithError(GRAPH_USER_READ, account)).token_source, "cache");
    assert.equal(cloudShellCalls(), before);
    assert.equal(h.rec.seen.length, seen, "no request at all");
  });

  test("once the cached token is (nearly) expired, the silent call goes to Cloud Shell, and so does forceRefresh", async () => {
    enterCloudShell();
    const h = await harness();
    const account = await signedIn(h);
    expireAccessTokens(h.cache, Math.floor(Date.now() / 1000) + 120); // inside the five-minute margin
    const before = cloudShellCalls();
    const fresh = ok(await h.app.acquireTokenSilent(GRAPH_USER_READ, account));
    assert.equal(fresh.token_source, "broker");
    assert.equal(cloudShellCalls(), before + 1);
    const [at] = section(h.cache, "AccessToken");
    assert.equal(at?.["secret"], fresh.access_token, "the new token replaced the old one");
    assert.ok(Number(at?.["expires_on"]) > Date.now() / 1000 + 3600);
    assert.equal(section(h.cache, "Account").length, 1);

    assert.equal(ok(await h.app.acquireTokenSilent(GRAPH_USER_READ, account)).token_source, "cache");
    assert.equal(ok(await h.app.acquireTokenSilentWithError(GRAPH_USER_READ, account, { forceRefresh: true })).token_source, "broker");
    assert.equal(cloudShellCalls(), before + 2);
  });

  test("a token past its refresh_on is renewed from Cloud Shell, and kept when Cloud Shell fails", async () => {
    enterCloudShell();
    const h = await harness();
    const account = await signedIn(h);
    const age = () => {
      const state = JSON.parse(h.cache.serialize()) as { AccessToken: Record<string, Entry> };
      for (const at of Object.values(state.AccessToken)) at["refresh_on"] = String(Math.floor(Date.now() / 1000) - 1);
      h.cache.deserialize(JSON.stringify(state));
    };
    age();
    const aging = section(h.cache, "AccessToken")[0]?.["secret"];
    mi.failNext("cloud-shell", { status: 500 });
    const kept = ok(await h.app.acquireTokenSilentWithError(GRAPH_USER_READ, account));
    assert.equal(kept.token_source, "cache");
    assert.equal(kept.access_token, aging);

    const renewed = await harness(h.cache); // a fresh app: no replay of the 500 from the one before
    age();
    const calls = cloudShellCalls();
    const fresh = ok(await renewed.app.acquireTokenSilentWithError(GRAPH_USER_READ, account));
    assert.equal(fresh.token_source, "broker");
    assert.notEqual(fresh.access_token, aging);
    assert.equal(cloudShellCalls(), calls + 1);
  });

  test("a silent call for other scopes asks Cloud Shell for their resources", async () => {
    enterCloudShell();
    const h = await harness();
    const account = await signedIn(h);
    const scopes = ["api://orders/Orders.Read", "api://orders/Orders.ReadWrite"];
    const result = ok(await h.app.acquireTokenSilentWithError(scopes, account));
    assert.equal(result.token_source, "broker");
    assert.equal(decodeJwt(result.access_token).aud, defaultTenant.apis[0].appId);
    assert.equal(h.rec.seen.at(-1)?.body.get("resource"), "api://orders");
    const targets = section(h.cache, "AccessToken").map((e) => e["target"]).sort();
    assert.deepEqual(targets, ["api://orders/Orders.Read api://orders/Orders.ReadWrite", "https://graph.microsoft.com/User.Read"]);
    assert.equal(section(h.cache, "Account").length, 1, "the same user: still one account");
  });

  test("Cloud Shell's errors are error results, and nothing is cached", async () => {
    enterCloudShell();
    const down = await harness();
    mi.failNext("cloud-shell", { status: 503, message: "Cloud Shell is restarting." });
    const unavailable = failed(await down.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser }));
    assert.deepEqual(unavailable, { error: "InternalServerError", error_description: "Cloud Shell is restarting." });
    assert.equal(down.cache.serialize(), "{}");

    const h = await harness();
    const unknown = failed(await h.app.acquireTokenInteractive(["api://unknown/Read"], { prompt: "none", openBrowser: noBrowser }));
    assert.equal(unknown.error, "InvalidResource");
    assert.match(String(unknown.error_description), /AADSTS500011/);
    assert.equal(h.cache.serialize(), "{}");

    // Silent: the error with acquireTokenSilentWithError, null with acquireTokenSilent.
    const account = await signedIn(h);
    expireAccessTokens(h.cache, Math.floor(Date.now() / 1000) - 10);
    mi.failNext("cloud-shell", { status: 500, message: "boom" });
    const silent = failed(await h.app.acquireTokenSilentWithError(GRAPH_USER_READ, account));
    assert.deepEqual(silent, { error: "InternalServerError", error_description: "boom" });
    // Like MSAL Python, the app holds off asking again after a 5xx (its throttling replays the answer).
    const calls = cloudShellCalls();
    assert.equal(await h.app.acquireTokenSilent(GRAPH_USER_READ, account), null);
    assert.equal(cloudShellCalls(), calls);
  });

  test("a body that is not JSON throws NetworkError without quoting it", async () => {
    enterCloudShell();
    const h = await harness();
    mi.failNext("cloud-shell", { status: 200, body: "<html>secret-looking page</html>" });
    await assert.rejects(h.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser }), (e: unknown) => {
      assert.ok(e instanceof NetworkError);
      assert.equal(e.code, "ERR_INVALID_RESPONSE");
      assert.doesNotMatch(e.message, /secret-looking/);
      return true;
    });
    assert.equal(h.cache.serialize(), "{}");
  });

  test("another token type than asked for is the error result broker_error, and nothing is cached", async () => {
    enterCloudShell();
    const h = await harness();
    // The emulator's Cloud Shell, like the real one, issues no PoP tokens: it answers a bearer token.
    const data = { token_type: "pop", req_cnf: Buffer.from(JSON.stringify({ kid: "k1" })).toString("base64url"), key_id: "k1" };
    const result = failed(await h.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser, data }));
    assert.equal(result.error, "broker_error");
    assert.match(String(result.error_description), /pop/);
    assert.equal(h.rec.seen.at(-1)?.body.get("token_type"), "pop", "data is sent along");
    assert.equal(h.cache.serialize(), "{}");
  });

  test("an SSH certificate: data goes along, the certificate is cached under its key_id for the made-up account", async () => {
    enterCloudShell();
    const h = await harness();
    const { publicKey } = generateKeyPairSync("ed25519");
    const data = { token_type: "ssh-cert", req_cnf: JSON.stringify(publicKey.export({ format: "jwk" })), key_id: "shell-key" };
    const scopes = ["https://pas.windows.net/CheckMyAccess/Linux/.default"];
    // The emulator has no pas.windows.net API; Graph stands in for it, as in the SSH certificate tests.
    const cert = ok(await h.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser, data }));
    assert.equal(cert.token_type, "ssh-cert");
    assert.match(cert.access_token, /^AAAA/);
    const sent = h.rec.seen.at(-1)?.body;
    assert.equal(sent?.get("key_id"), "shell-key");
    assert.equal(sent?.get("req_cnf"), data.req_cnf);
    assert.equal(sent?.get("resource"), "https://graph.microsoft.com");
    // A certificate is no JWT: the account gets MSAL Python's defaults.
    const [account] = await h.app.getAccounts();
    assert.equal(account?.home_account_id, "user.cloudshell");
    assert.equal(account?.username, "currentuser@cloudshell");
    const [at] = section(h.cache, "AccessToken");
    assert.equal(at?.["key_id"], "shell-key");
    assert.equal(at?.["token_type"], "ssh-cert");
    assert.ok(account);
    const before = cloudShellCalls();
    assert.equal(ok(await h.app.acquireTokenSilent(GRAPH_USER_READ, account, { data })).access_token, cert.access_token);
    assert.equal(cloudShellCalls(), before);
    // A key Cloud Shell cannot certify is its error.
    const { privateKey } = generateKeyPairSync("ed25519");
    const privateJwk = JSON.stringify(privateKey.export({ format: "jwk" }));
    const refused = failed(await h.app.acquireTokenSilentWithError(GRAPH_USER_READ, account, { data: { ...data, req_cnf: privateJwk, key_id: "other-key" } }));
    assert.equal(refused.error, "BadRequest");
    assert.match(String(refused.error_description), /private key/);
    // The pas.windows.net audience goes as it is (here the emulator does not know it).
    const pas = failed(await h.app.acquireTokenSilentWithError(scopes, account, { data }));
    assert.equal(pas.error, "InvalidResource");
    assert.equal(h.rec.seen.at(-1)?.body.get("resource"), "https://pas.windows.net/CheckMyAccess/Linux/.default");
  });

  test("bad input is refused before anything is sent", async () => {
    enterCloudShell();
    const h = await harness();
    const interactive = (scopes: string[], extra = {}) => h.app.acquireTokenInteractive(scopes, { prompt: "none", openBrowser: noBrowser, ...extra });
    const scheme = new PopAuthScheme(PopAuthScheme.HTTP_GET, "https://resource.example/", "n");
    await assert.rejects(interactive([]), { code: "ERR_INVALID_ARG_VALUE" });
    await assert.rejects(interactive(["openid"]), { code: "ERR_INVALID_ARG_VALUE" });
    await assert.rejects(interactive(GRAPH_USER_READ, { authScheme: scheme }), /authScheme is not supported in Cloud Shell/);
    await assert.rejects(interactive(GRAPH_USER_READ, { data: { token_type: "ssh-cert" } }), /req_cnf/);
    const account = await signedIn(h);
    const calls = cloudShellCalls();
    await assert.rejects(h.app.acquireTokenSilent(GRAPH_USER_READ, account, { authScheme: scheme, forceRefresh: true }), /authScheme/);
    await assert.rejects(h.app.acquireTokenSilent(["profile"], account), { code: "ERR_INVALID_ARG_VALUE" });
    assert.equal(cloudShellCalls(), calls);
  });

  test("MSI_ENDPOINT must be on this machine; an endpoint that is not there is a NetworkError", async () => {
    enterCloudShell();
    const h = await harness();
    process.env.MSI_ENDPOINT = "http://cloudshell.example/oauth2/token";
    await assert.rejects(h.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser }), ManagedIdentityError);
    // A port nobody listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    process.env.MSI_ENDPOINT = `http://127.0.0.1:${port}/oauth2/token`;
    await assert.rejects(h.app.acquireTokenInteractive(GRAPH_USER_READ, { prompt: "none", openBrowser: noBrowser }), { code: "ERR_NETWORK" });
    assert.equal(h.cache.serialize(), "{}");
  });

  test("removeAccount forgets the Cloud Shell account and its tokens", async () => {
    enterCloudShell();
    const h = await harness();
    const account = await signedIn(h);
    await h.app.removeAccount(account);
    assert.deepEqual(await h.app.getAccounts(), []);
    assert.deepEqual(section(h.cache, "AccessToken"), []);
  });
});

describe("outside Cloud Shell", () => {
  test("prompt none is an ordinary interactive sign-in: the browser opens, Cloud Shell is not asked", async () => {
    process.env.MSI_ENDPOINT = mi.endpoint("cloud-shell"); // MSI_ENDPOINT alone is no Cloud Shell session
    const h = await harness();
    const before = cloudShellCalls();
    let opened: string | undefined;
    await assert.rejects(
      h.app.acquireTokenInteractive(GRAPH_USER_READ, {
        prompt: "none",
        openBrowser: (url) => {
          opened = url;
          throw new Error("no browser in this test");
        },
      }),
      /no browser in this test/,
    );
    assert.ok(opened, "the browser was asked to open");
    const authorize = new URL(opened);
    assert.equal(authorize.origin, new URL(t.emu.authority).origin);
    assert.equal(authorize.searchParams.get("prompt"), "none");
    assert.equal(cloudShellCalls(), before);
  });

  test("a CLOUDSHELL account is not listed and is served from the cache alone", async () => {
    enterCloudShell();
    const h = await harness();
    const account = await signedIn(h);
    for (const name of CLOUD_SHELL_VARIABLES) delete process.env[name];

    assert.deepEqual(await h.app.getAccounts(), []);
    const before = cloudShellCalls();
    assert.equal(ok(await h.app.acquireTokenSilent(GRAPH_USER_READ, account)).token_source, "cache");
    expireAccessTokens(h.cache, Math.floor(Date.now() / 1000) - 10);
    assert.equal(await h.app.acquireTokenSilentWithError(GRAPH_USER_READ, account), null, "no refresh token: nothing to refresh with");
    assert.equal(cloudShellCalls(), before);
  });
});
