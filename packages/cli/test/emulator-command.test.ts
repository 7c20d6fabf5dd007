// msal-ts emulator: starts the local authority, says how to use it, serves msal-ts, stops on Ctrl-C.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { defaultTenant } from "@msal-ts/emulator";
import { DAEMON, assertOneLineError, commandEnv, json, run, runHere, start } from "./support.js";

/** The value of a `NAME=value` line the command printed. */
function setting(output: string, name: string): string {
  const m = new RegExp(`^\\s+${name}=(\\S+)$`, "m").exec(output);
  assert.ok(m?.[1], `no ${name}= in:\n${output}`);
  return m[1].replace(/^'(.*)'$/, "$1");
}

describe("msal-ts emulator", () => {
  test("prints the authority, CA, users, apps and msal-ts usage; serves token requests; Ctrl-C stops it with 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msal-ts-cli-emulator-"));
    const caOut = join(dir, "ca.pem");
    const emulator = start(["emulator", "--port", "0", "--ca-out", caOut], commandEnv());
    await emulator.waitFor(/Press Ctrl\+C to stop\./, "stdout");
    const out = emulator.stdout();

    const authority = setting(out, "MSAL_TS_AUTHORITY");
    assert.match(authority, new RegExp(`^https://localhost:\\d+/${defaultTenant.id}$`));
    assert.equal(setting(out, "MSAL_TS_CA_FILE"), caOut);
    assert.match(readFileSync(caOut, "utf8"), /BEGIN CERTIFICATE/);
    assert.match(out, new RegExp(`^  msal-ts login --device-code --authority ${authority} --ca-file ${caOut}$`, "m"));
    for (const user of defaultTenant.users) assert.ok(out.includes(user.username), `${user.username} is listed`);
    assert.ok(out.includes(DAEMON.clientId) && out.includes(DAEMON.secret), "the daemon app and its sample secret are listed");

    // The printed settings are all another msal-ts needs (no instance discovery on a loopback authority).
    const env = commandEnv({
      MSAL_TS_AUTHORITY: authority,
      MSAL_TS_CA_FILE: setting(out, "MSAL_TS_CA_FILE"),
      MSAL_TS_CACHE: join(dir, "cache.json"),
    });
    const token = json<{ token_source: string }>(
      await run(["token", "--scope", "https://graph.microsoft.com/.default", "--client-id", DAEMON.clientId, "--client-secret", DAEMON.secret, "--json"], env),
    );
    assert.equal(token.token_source, "identity_provider");
    await emulator.waitFor(/POST \/\S+\/oauth2\/v2\.0\/token/, "stdout");

    emulator.child.kill("SIGINT");
    const r = await emulator.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
  });

  test("--fault injects faults, listed in the banner: the next token request fails, the one after succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msal-ts-cli-emulator-"));
    const caOut = join(dir, "ca.pem");
    const emulator = start(["emulator", "--port", "0", "--ca-out", caOut, "--fault", "token:503:count=1", "--fault", "jwks:reset:p=0.5"], commandEnv());
    await emulator.waitFor(/Press Ctrl\+C to stop\./, "stdout");
    const out = emulator.stdout();
    assert.match(out, /^ {2}faults:\n {4}1\. {2}token:status:count=1:status=503\n {4}2\. {2}jwks:reset:p=0\.5$/m);

    const env = commandEnv({ MSAL_TS_AUTHORITY: setting(out, "MSAL_TS_AUTHORITY"), MSAL_TS_CA_FILE: caOut, MSAL_TS_CACHE: join(dir, "cache.json") });
    const args = ["token", "--scope", "https://graph.microsoft.com/.default", "--client-id", DAEMON.clientId, "--client-secret", DAEMON.secret, "--json"];
    // The client runs in this process: the emulator's --fault is what runs as a command here.
    assertOneLineError(await runHere(args, env), 1, /temporarily_unavailable: AADSTS90033/);
    assert.equal(json<{ token_source: string }>(await runHere(args, env)).token_source, "identity_provider");
    await emulator.waitFor(/-> 503 \(fault: status\)/, "stdout");

    emulator.child.kill("SIGINT");
    const r = await emulator.done;
    assert.equal(r.code, 0, r.stderr);
  });

  test("a bad --fault spec is a usage error: one line, exit 2, no emulator started", async () => {
    const r = await run(["emulator", "--port", "0", "--fault", "token:429:count=0"], commandEnv());
    assertOneLineError(r, 2, /^msal-ts: error: --fault "token:429:count=0": count must be a positive integer\. \(see msal-ts emulator --help\)$/);
    assertOneLineError(await runHere(["emulator", "--fault", "tokens:reset"], commandEnv()), 2, /unknown endpoint "tokens"/);
  });

  test("--help documents --fault and its syntax", async () => {
    const r = await runHere(["emulator", "--help"], commandEnv());
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--fault <spec> +inject a fault/);
    assert.match(r.stdout, /endpoint: token \| authorize \| devicecode \| discovery \| openid-configuration/);
    assert.match(r.stdout, /e\.g\. +token:429:retry-after=2:count=3 +discovery:reset:p=0\.5/);
  });

  test("an invalid --config exits 1 with one line naming the option", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msal-ts-cli-emulator-"));
    const config = join(dir, "bad.json");
    writeFileSync(config, JSON.stringify({ tenants: [{ id: "not-a-guid" }] }));
    const r = await run(["emulator", "--config", config, "--ca-out", join(dir, "ca.pem")], commandEnv());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^msal-ts: error: .*tenants\[0\]\.id must be a GUID.*\n$/);
  });
});
