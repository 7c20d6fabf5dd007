// The device-code CLI example: its one-command demo as a subprocess, and the tool against an
// emulator in this process: a sign-in, then a second run in another process that finds the cache
// files and sends no request; signing out; a declined code; giving up; configuration mistakes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { createEmulator, defaultTenant, type Emulator } from "@msal-ts/emulator";
import { cliConfigFromEnv, signIn, signOut, type DeviceCodeCliConfig } from "../src/cli.js";

const srcDir = fileURLToPath(new URL("../src/", import.meta.url));
const [, , desktopApp] = defaultTenant.apps;
const [adele] = defaultTenant.users;

/**
 * Runs one of the example's programs as a user would, with `env` added to the environment. It runs
 * asynchronously: the emulator a test started lives in this process and must keep answering.
 */
function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["--conditions=source", "--import", "tsx", join(srcDir, args[0] ?? ""), ...args.slice(1)],
      { encoding: "utf8", timeout: 15_000, env: { ...process.env, ...env } },
      (_error, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}

// Started at once, so it runs while the in-process tests do.
const demo = run(["demo.ts"]);

// Each test has a cache folder of its own, so they run side by side.
describe("the tool against the emulator", { concurrency: true }, () => {
  let dir: string;
  let n = 0;
  const emulators: Emulator[] = [];

  /** An emulated authority, and the variables that point the tool at it. */
  interface Authority {
    readonly emu: Emulator;
    readonly env: Readonly<Record<string, string>>;
  }

  async function startAuthority(): Promise<Authority> {
    const emu = await createEmulator({ deviceCode: { interval: 1 } });
    emulators.push(emu);
    const caFile = join(dir, `ca-${emulators.length}.pem`);
    writeFileSync(caFile, emu.caCertificate);
    return {
      emu,
      env: {
        AUTHORITY: emu.authority,
        CLIENT_ID: desktopApp.clientId,
        SCOPES: "User.Read",
        CA_FILE: caFile,
        INSTANCE_DISCOVERY: emu.instanceDiscoveryUrl,
      },
    };
  }

  let shared: Authority;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "msal-ts-device-code-test-"));
    shared = await startAuthority();
  });

  after(async () => {
    for (const emu of emulators) await emu.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A configuration with a cache folder of its own. */
  function freshConfig(authority: Authority = shared): { env: Record<string, string>; config: DeviceCodeCliConfig } {
    const withCache = { ...authority.env, CACHE_DIR: join(dir, `cache-${++n}`) };
    return { env: withCache, config: cliConfigFromEnv(withCache) };
  }

  /** Signs Adele in, approving the code as she would (or declining it). */
  async function signInAsAdele(
    config: DeviceCodeCliConfig,
    { decline = false, emu = shared.emu }: { decline?: boolean; emu?: Emulator } = {},
  ): Promise<{ outcome: Awaited<ReturnType<typeof signIn>>; lines: string[] }> {
    const lines: string[] = [];
    let approval: Promise<unknown> = Promise.resolve();
    const outcome = await signIn(config, {
      print: (line) => lines.push(line),
      onDeviceCode: (flow) => {
        approval = emu.completeDeviceLogin(flow.user_code, { username: adele.username, password: adele.password, decline });
      },
    });
    await approval;
    return { outcome, lines };
  }

  test("after a sign-in, the next run, in another process, is silent and sends no request", async () => {
    // An authority of its own: the other tests' requests must not count.
    const own = await startAuthority();
    const { env: runEnv, config } = freshConfig(own);
    const { outcome, lines } = await signInAsAdele(config, { emu: own.emu });
    assert.ok(!("error" in outcome), JSON.stringify(outcome));
    assert.equal(outcome.silent, false);
    assert.match(lines[0] ?? "", /enter the code/);
    assert.equal(lines.at(-1), "Signed in as adele@contoso.onmicrosoft.com (Adele Vance), token from identity_provider.");

    const requests = own.emu.requests.length;
    const second = await run(["main.ts"], runEnv);
    assert.equal(second.status, 0, second.stderr || second.stdout);
    assert.equal(second.stdout, "Signed in as adele@contoso.onmicrosoft.com (silently, token from cache).\n");
    assert.equal(own.emu.requests.length, requests, "the second run sent nothing to the authority");
  });

  test("sign-out, in another process, empties the cache file", async () => {
    const { env: runEnv, config } = freshConfig();
    await signInAsAdele(config);
    const out = await run(["main.ts", "sign-out"], runEnv);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, "Signed out adele@contoso.onmicrosoft.com.\n");
    const lines: string[] = [];
    assert.equal(await signOut(config, (line) => lines.push(line)), 0);
    assert.deepEqual(lines, ["Nobody was signed in."]);
  });

  test("a declined code: the authority's authorization_declined, and nobody in the cache", async () => {
    const { config } = freshConfig();
    const { outcome, lines } = await signInAsAdele(config, { decline: true });
    assert.ok("error" in outcome);
    assert.equal(outcome.error, "authorization_declined");
    assert.match(lines.at(-1) ?? "", /^Sign-in failed: authorization_declined: AADSTS\d+/);
    assert.equal(await signOut(config, () => undefined), 0);
  });

  test("the signal stops waiting for the user", async () => {
    const { config } = freshConfig();
    const controller = new AbortController();
    await assert.rejects(
      signIn(config, { print: () => undefined, signal: controller.signal, onDeviceCode: () => controller.abort() }),
      { name: "AbortError" },
    );
  });

  test("configuration mistakes and unknown commands exit 2 with a message", async () => {
    const [noClient, unknown] = await Promise.all([run(["main.ts"], { CLIENT_ID: "" }), run(["main.ts", "log-in"], shared.env)]);
    assert.equal(noClient.status, 2);
    assert.match(noClient.stderr, /Set CLIENT_ID/);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown command "log-in"/);
  });
});

test("the demo signs in with a device code the demo approves, and the second run is silent", async () => {
  const r = await demo;
  assert.equal(r.status, 0, r.stderr || r.stdout);
  assert.match(r.stdout, /Run 1: .*\nTo sign in, use a web browser to open the page https:\/\/localhost:\d+\/devicelogin and enter the code [A-Z0-9]+ /);
  assert.match(r.stdout, /\(The demo, as adele@contoso\.onmicrosoft\.com: entered the code at .* and signed in: approved\.\)/);
  assert.match(r.stdout, /Signed in as adele@contoso\.onmicrosoft\.com \(Adele Vance\), token from identity_provider\./);
  assert.match(r.stdout, /Run 2: .*\nSigned in as adele@contoso\.onmicrosoft\.com \(silently, token from cache\)\./);
  assert.match(r.stdout, /served 0 request\(s\) during the second run/);
  assert.doesNotMatch(r.stdout + r.stderr, /eyJ[\w-]+\.eyJ/, "no token is printed");
});
