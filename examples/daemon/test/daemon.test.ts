// The daemon example: its one-command demo as a subprocess, and the daemon in-process against the
// emulator with each form of certificate, a certificate the tenant does not know, a token the API
// refuses, and configuration mistakes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { createEmulator, createTestCertificate, defaultTenant, type Emulator } from "@msal-ts/emulator";
import { Daemon, DaemonConfigError, daemonConfigFromEnv, runDaemon } from "../src/daemon.js";
import { startOrdersApi, type OrdersApi } from "../src/demo-orders-api.js";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));
const [daemonApp, , , , ordersApp] = defaultTenant.apps;
const CLIENT_CREDENTIALS = { grantType: "client_credentials", clientId: daemonApp.clientId };

/**
 * Runs one of the example's programs as a user would, with `env` added to the environment. It runs
 * asynchronously: the emulator a test started lives in this process and must keep answering.
 */
function run(script: string, env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", join(srcDir, script)],
      { encoding: "utf8", timeout: 15_000, env: { ...process.env, ...env } },
      (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}

// Started at once, so it runs while the in-process tests do.
const demo = run("demo.ts");

describe("the daemon against the emulator", () => {
  const pemCert = createTestCertificate({ subject: "CN=daemon pem" });
  const pfxCert = createTestCertificate({ subject: "CN=daemon pfx" });
  let emu: Emulator;
  let api: OrdersApi;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    emu = await createEmulator({
      tenants: [
        {
          ...defaultTenant,
          apps: defaultTenant.apps.map((app) =>
            app === daemonApp ? { ...app, certificates: [pemCert.certificate, pfxCert.certificate] } : app,
          ),
        },
      ],
    });
    api = await startOrdersApi({
      issuer: `${emu.authority}/v2.0`,
      jwksUri: `${emu.authority}/discovery/v2.0/keys`,
      audience: ordersApp.clientId,
      role: "Orders.Read.All",
      ca: emu.caCertificate,
    });
    dir = mkdtempSync(join(tmpdir(), "msal-ts-daemon-test-"));
    writeFileSync(join(dir, "ca.pem"), emu.caCertificate);
    writeFileSync(join(dir, "cert.pem"), pemCert.certificate);
    writeFileSync(join(dir, "key.pem"), pemCert.encryptedPrivateKey("pem-pass"));
    writeFileSync(join(dir, "daemon.pfx"), pfxCert.pkcs12("pfx-pass"));
    env = {
      AUTHORITY: emu.authority,
      CLIENT_ID: daemonApp.clientId,
      SCOPE: "api://orders/.default",
      API_URL: api.url,
      CA_FILE: join(dir, "ca.pem"),
      INSTANCE_DISCOVERY: emu.instanceDiscoveryUrl,
    };
  });

  after(async () => {
    await api?.close();
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("with a PKCS#12 file: one token request, then the cache", async () => {
    const daemon = new Daemon(daemonConfigFromEnv({ ...env, CERTIFICATE_PFX: join(dir, "daemon.pfx"), CERTIFICATE_PASSPHRASE: "pfx-pass" }));
    const before = emu.tokenRequestCount(CLIENT_CREDENTIALS);
    const first = await daemon.round();
    const second = await daemon.round();
    assert.ok(!("error" in first) && !("error" in second));
    assert.equal(first.tokenSource, "identity_provider");
    assert.equal(first.status, 200);
    assert.deepEqual((first.body as { roles: unknown }).roles, ["Orders.Read.All"]);
    assert.equal(second.tokenSource, "cache");
    assert.equal(second.status, 200);
    assert.equal(emu.tokenRequestCount(CLIENT_CREDENTIALS), before + 1);
  });

  test("with an encrypted PEM key: main.ts prints both calls and exits 0", async () => {
    const r = await run("main.ts", { ...env, CERTIFICATE_KEY: join(dir, "key.pem"), CERTIFICATE: join(dir, "cert.pem"), CERTIFICATE_PASSPHRASE: "pem-pass" });
    assert.equal(r.status, 0, r.stderr || r.stdout);
    assert.match(r.stdout, /^Call 1: token from identity_provider/m);
    assert.match(r.stdout, /^Call 2: token from cache/m);
  });

  test("a certificate the tenant does not know: the authority's invalid_client, exit code 1, and the daemon stops", async () => {
    const stranger = createTestCertificate({ subject: "CN=stranger" });
    writeFileSync(join(dir, "stranger-cert.pem"), stranger.certificate);
    writeFileSync(join(dir, "stranger-key.pem"), stranger.privateKey);
    const lines: string[] = [];
    const code = await runDaemon(
      daemonConfigFromEnv({ ...env, CERTIFICATE_KEY: join(dir, "stranger-key.pem"), CERTIFICATE: join(dir, "stranger-cert.pem") }),
      2,
      (line) => lines.push(line),
    );
    assert.equal(code, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", /^Call 1: no token: invalid_client: AADSTS\d+/);
  });

  test("a token for another resource: the API answers 401 and the exit code is 1", async () => {
    const lines: string[] = [];
    const config = daemonConfigFromEnv({
      ...env,
      SCOPE: "https://graph.microsoft.com/.default",
      CERTIFICATE_KEY: join(dir, "key.pem"),
      CERTIFICATE: join(dir, "cert.pem"),
      CERTIFICATE_PASSPHRASE: "pem-pass",
    });
    assert.equal(await runDaemon(config, 1, (line) => lines.push(line)), 1);
    assert.match(lines[0] ?? "", /-> 401 .*invalid_token/);
  });

  test("configuration mistakes name the variable", async () => {
    assert.throws(() => daemonConfigFromEnv({ ...env, AUTHORITY: "" }), { name: "DaemonConfigError", message: /Set AUTHORITY/ });
    assert.throws(() => daemonConfigFromEnv(env), (e: unknown) => e instanceof DaemonConfigError && /CERTIFICATE_KEY/.test(e.message));
    assert.throws(
      () => daemonConfigFromEnv({ ...env, CERTIFICATE_KEY: join(dir, "key.pem"), CERTIFICATE: join(dir, "key.pem") }),
      { name: "DaemonConfigError", message: /CERTIFICATE .* is not a readable PEM certificate/ },
    );
    const r = await run("main.ts", { AUTHORITY: "", CLIENT_ID: "" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /Set AUTHORITY/);
  });
});

test("the demo gets a token with a certificate, calls the API twice, and the second call is served from the cache", async () => {
  const r = await demo;
  assert.equal(r.status, 0, r.stderr || r.stdout);
  assert.match(r.stdout, /^Call 1: token from identity_provider .* -> 200 /m);
  assert.match(r.stdout, /^Call 2: token from cache .* -> 200 /m);
  assert.match(r.stdout, /"caller_credential":"certificate","roles":\["Orders\.Read\.All"\]/);
  assert.match(r.stdout, /answered 1 client credentials request\(s\): the second call used the cached token/);
  assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY|eyJ[\w-]+\.eyJ/, "no key and no token is printed");
});
