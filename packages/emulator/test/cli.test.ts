import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { defaultTenant } from "../src/index.js";
import { call } from "./support/https.js";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "msal-ts-emulator-cli-"));

/** Starts the CLI and resolves once it printed its banner. */
function start(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: "pipe" });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the CLI did not start:\n${out}`)), 20_000);
    child.stdout.on("data", () => {
      if (out.includes("Press Ctrl+C to stop.")) {
        clearTimeout(timer);
        resolve({ child, output: () => out });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the CLI exited with ${String(code)}:\n${out}`));
    });
  });
}

function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners("exit");
    child.on("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

function field(output: string, label: string): string {
  const m = new RegExp(`${label}:?\\s+(\\S+)`).exec(output);
  assert.ok(m?.[1], `no "${label}" in:\n${output}`);
  return m[1];
}

describe("msal-ts-emulator CLI", () => {
  test("prints URL, authority, discovery URL, apps, users, protected API and CA path; serves; stops on SIGTERM", async () => {
    const caOut = join(dir, "ca.pem");
    const { child, output } = await start(["--port", "0", "--ca-out", caOut, "--hostname", "emu.test"]);
    const text = output();
    const url = field(text, "listening on");
    assert.match(url, /^https:\/\/localhost:\d+$/);
    assert.equal(field(text, "authority"), `${url}/${defaultTenant.id}`);
    assert.equal(field(text, "instance discovery"), `${url}/common/discovery/instance`);
    assert.match(text, new RegExp(`client id ${defaultTenant.apps[0].clientId}, secret ${defaultTenant.apps[0].secrets[0].replace(/[~]/g, "\\~")}`));
    assert.equal(field(text, "protected API"), `${url}/api/me`);
    for (const user of defaultTenant.users) {
      assert.match(text, new RegExp(`${user.username.replace(/\./g, "\\.")}\\s+password ${user.password.replace(/[~]/g, "\\~")}`));
    }
    assert.match(text, /megan@contoso\.onmicrosoft\.com\s+password \S+\s+\(multi-factor, code 123456\)/);
    assert.match(text, /alex@contoso\.example\s+password \S+\s+\(federated, WS-Trust\)/);
    assert.match(text, new RegExp(`client id ${defaultTenant.apps[1].clientId}, secret \\S+, redirect http://localhost/auth/redirect \\(any port\\)`));
    assert.equal(field(text, "CA certificate"), caOut);
    const ca = readFileSync(caOut, "utf8");

    const r = await call(`${url}/${defaultTenant.domains[0]}/v2.0/.well-known/openid-configuration`, { ca });
    assert.equal(r.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(output(), /GET \/contoso\.onmicrosoft\.com\/v2\.0\/\.well-known\/openid-configuration -> 200/);
    assert.equal(await stop(child, "SIGTERM"), 0);
  });

  test("--config loads tenants from JSON; SIGINT stops it", async () => {
    const config = join(dir, "tenants.json");
    const tenant = "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    writeFileSync(
      config,
      JSON.stringify({ tenants: [{ id: tenant, domains: ["fabrikam.example"], apps: [{ clientId: "daemon", secrets: ["pw"] }] }], tokenLifetime: 120 }),
    );
    const { child, output } = await start(["--config", config, "--ca-out", join(dir, "ca2.pem"), "--quiet"]);
    const url = field(output(), "listening on");
    assert.equal(field(output(), "authority"), `${url}/${tenant}`);
    assert.match(output(), /client id daemon, secret pw/);
    const ca = readFileSync(join(dir, "ca2.pem"), "utf8");
    const r = await call(`${url}/fabrikam.example/oauth2/v2.0/token`, {
      ca,
      form: { grant_type: "client_credentials", client_id: "daemon", client_secret: "pw", scope: "https://graph.microsoft.com/.default" },
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().expires_in, 120);
    assert.ok(!output().includes("POST"), "--quiet logs no requests");
    assert.equal(await stop(child, "SIGINT"), 0);
  });

  test("an invalid config file exits with an error naming the option", async () => {
    const config = join(dir, "bad.json");
    writeFileSync(config, JSON.stringify({ tenants: [{ id: "not-a-guid" }] }));
    await assert.rejects(start(["--config", config]), /exited with 1[\s\S]*tenants\[0\]\.id must be a GUID/);
  });
});
