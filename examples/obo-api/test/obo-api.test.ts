// The on-behalf-of API example: its one-command demo as a subprocess, and the API in-process against
// the emulator: per-caller caching, the tokens it refuses, and how it reports upstream failures.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { createEmulator, defaultTenant, type Emulator } from "@msal-ts/emulator";
import { ConfidentialClientApplication, PublicClientApplication, type AuthenticationResult } from "@msal-ts/msal";
import { createOboApi, type OboApi, type OboApiConfig } from "../src/api.js";
import { oboApiConfigFromEnv } from "../src/config.js";

const demo = fileURLToPath(new URL("../src/demo.ts", import.meta.url));
const [daemonApp, , desktopApp, , ordersApp] = defaultTenant.apps;
const [adele, , , alex] = defaultTenant.users;
const casey = { username: "casey@contoso.onmicrosoft.com", password: "casey-password~emulator", interactionRequired: true };
const OBO = { grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", clientId: ordersApp.clientId };

// The demo as a subprocess, started at once so it runs while the in-process tests do.
const demoRun = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = execFile(process.execPath, ["--conditions=source", "--import", "tsx", demo], { encoding: "utf8", timeout: 15_000 }, (_e, stdout, stderr) =>
    resolve({ code: child.exitCode, stdout, stderr }),
  );
});

describe("the API against the emulator", () => {
  let emu: Emulator;
  let dir: string;
  let config: OboApiConfig;
  const running: { server: Server; api: OboApi }[] = [];
  /** Adele's and Alex's tokens for the API, as a client app would send them. */
  let adeleToken: string;
  let alexToken: string;

  before(async () => {
    // The default tenant, plus a user whose every sign-in without her at hand needs her to act.
    emu = await createEmulator({ tenants: [{ ...defaultTenant, users: [...defaultTenant.users, casey] }] });
    dir = mkdtempSync(join(tmpdir(), "msal-ts-obo-test-"));
    writeFileSync(join(dir, "ca.pem"), emu.caCertificate);
    config = oboApiConfigFromEnv({
      AUTHORITY: emu.authority,
      CLIENT_ID: ordersApp.clientId,
      CLIENT_SECRET: ordersApp.secrets[0],
      REQUIRED_SCOPE: "Orders.Read",
      DOWNSTREAM_URL: emu.protectedApiUrl,
      CA_FILE: join(dir, "ca.pem"),
      INSTANCE_DISCOVERY: emu.instanceDiscoveryUrl,
    });
    const client = new PublicClientApplication(desktopApp.clientId, {
      authority: emu.authority,
      instanceDiscovery: emu.instanceDiscoveryUrl,
      verify: join(dir, "ca.pem"),
    });
    adeleToken = token(await client.acquireTokenByUsernamePassword(adele.username, adele.password, ["api://orders/Orders.Read"]));
    alexToken = token(await client.acquireTokenByUsernamePassword(alex.username, alex.password, ["api://orders/Orders.Read"]));
  });

  after(async () => {
    for (const { server, api } of running) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await api.close();
    }
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function token(r: AuthenticationResult | null): string {
    if (!r || "error" in r) assert.fail(`no token: ${r?.error}`);
    return r.access_token;
  }

  /** Serves an API with `config` and `changes` on a free port; returns its /profile URL. */
  async function serve(changes: Partial<OboApiConfig> = {}): Promise<string> {
    const api = createOboApi({ ...config, ...changes });
    const server = createServer(api.app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    running.push({ server, api });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/profile`;
  }

  async function get(url: string, bearer?: string): Promise<{ status: number; challenge: string | null; body: Record<string, unknown> }> {
    const answer = await fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
    return { status: answer.status, challenge: answer.headers.get("www-authenticate"), body: (await answer.json()) as Record<string, unknown> };
  }

  test("each caller gets the downstream answer for themselves, and their own cached on-behalf-of token", async () => {
    const url = await serve();
    const before = emu.tokenRequestCount(OBO);
    const a1 = await get(url, adeleToken);
    const x1 = await get(url, alexToken);
    const a2 = await get(url, adeleToken);
    const x2 = await get(url, alexToken);
    for (const r of [a1, x1, a2, x2]) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((a1.body.downstream as Record<string, unknown>).preferred_username, adele.username);
    assert.equal((x1.body.downstream as Record<string, unknown>).preferred_username, alex.username);
    assert.equal((x2.body.downstream as Record<string, unknown>).preferred_username, alex.username);
    assert.deepEqual(
      [a1, x1, a2, x2].map((r) => r.body.downstream_token_source),
      ["identity_provider", "identity_provider", "cache", "cache"],
    );
    assert.equal(emu.tokenRequestCount(OBO), before + 2);
  });

  test("an app-only token for the API gets 403 insufficient_scope", async () => {
    const url = await serve();
    const daemon = new ConfidentialClientApplication(daemonApp.clientId, {
      authority: emu.authority,
      instanceDiscovery: emu.instanceDiscoveryUrl,
      verify: join(dir, "ca.pem"),
      clientCredential: daemonApp.secrets[0],
    });
    const appToken = token(await daemon.acquireTokenForClient(["api://orders/.default"]));
    const before = emu.tokenRequestCount(OBO);
    const r = await get(url, appToken);
    assert.equal(r.status, 403);
    assert.match(r.challenge ?? "", /^Bearer .*error="insufficient_scope".*scope="Orders\.Read"/);
    assert.equal(emu.tokenRequestCount(OBO), before, "no on-behalf-of request for a refused token");
  });

  test("a token whose signature does not verify, one that is not a JWT, and one for another audience get 401 invalid_token", async () => {
    const url = await serve();
    const [header, payload, signature] = adeleToken.split(".") as [string, string, string];
    const forged = `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
    const badSignature = await get(url, forged);
    assert.equal(badSignature.status, 401);
    assert.match(badSignature.challenge ?? "", /error="invalid_token", error_description="signature verification failed"/);
    const notAJwt = await get(url, "not-a-token");
    assert.equal(notAJwt.status, 401);
    assert.match(notAJwt.challenge ?? "", /error="invalid_token"/);
    const otherApi = await get(await serve({ audiences: ["api://something-else"] }), adeleToken);
    assert.equal(otherApi.status, 401);
    assert.match(otherApi.challenge ?? "", /error="invalid_token".*aud/);
  });

  test("the authority asking for the user: 401 with its claims challenge for the client app", async () => {
    const client = new PublicClientApplication(desktopApp.clientId, {
      authority: emu.authority,
      instanceDiscovery: emu.instanceDiscoveryUrl,
      verify: join(dir, "ca.pem"),
    });
    const caseyToken = token(
      await client.acquireTokenInteractive(["api://orders/Orders.Read"], {
        openBrowser: async (authUri) => {
          await fetch((await emu.signIn(authUri, casey)).url);
        },
      }),
    );
    const r = await get(await serve(), caseyToken);
    assert.equal(r.status, 401);
    const claims = /error="insufficient_claims".*claims="([A-Za-z0-9+/=]+)"/.exec(r.challenge ?? "")?.[1];
    assert.ok(claims, r.challenge ?? "no challenge");
    assert.ok(JSON.parse(Buffer.from(claims, "base64").toString("utf8")).access_token, "a claims request for the access token");
  });

  test("the authority refusing the API's credential: 502 naming the error", async () => {
    const url = await serve({ clientCredential: "not-the-secret" });
    const r = await get(url, adeleToken);
    assert.equal(r.status, 502);
    assert.deepEqual(r.body, { error: "downstream_token", error_description: "On-behalf-of failed: invalid_client" });
  });

  test("the downstream API failing: 502 with its answer", async () => {
    const url = await serve({ downstream: { url: `${emu.url}/no-such-api`, scopes: ["User.Read"] } });
    const r = await get(url, adeleToken);
    assert.equal(r.status, 502);
    assert.equal(r.body.error, "downstream_api");
    assert.match(String(r.body.error_description), /answered 404/);
  });

  test("an unreachable authority: 502 without details", async () => {
    const closed = await createEmulator();
    const authority = closed.authority;
    await closed.close();
    const url = await serve({ authority });
    const r = await get(url, adeleToken);
    assert.equal(r.status, 502);
    assert.deepEqual(r.body, { error: "bad_gateway", error_description: "An upstream service failed; see the API's log." });
  });
});

test("the demo: a signed-in call goes through on-behalf-of, the second from the cache; other tokens get 401", async () => {
  const r = await demoRun;
  assert.equal(r.code, 0, r.stderr || r.stdout);
  assert.match(r.stdout, /with Adele's token for the API: 200\n.*"downstream":\{"name":"Adele Vance".*"aud":"https:\/\/graph\.microsoft\.com".*"downstream_token_source":"identity_provider"/);
  assert.match(r.stdout, /from the cache\): 200\n.*"downstream_token_source":"cache"/);
  assert.match(r.stdout, /token for Microsoft Graph instead: 401\n\s+WWW-Authenticate: Bearer .*error="invalid_token"/);
  assert.match(r.stdout, /With no token: 401\n\s+WWW-Authenticate: Bearer realm=/);
  assert.match(r.stdout, /answered 1 on-behalf-of request\(s\)/);
  assert.doesNotMatch(r.stdout + r.stderr, /eyJ[\w-]+\.eyJ|orders-api-secret/, "no token and no secret is printed");
});
