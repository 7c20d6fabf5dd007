// msal-ts emulator: starts the local authority, says how to use it, serves msal-ts, stops on Ctrl-C.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { defaultTenant } from "@msal-ts/emulator";
import { DAEMON, commandEnv, json, run, start } from "./support.js";

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

  test("an invalid --config exits 1 with one line naming the option", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msal-ts-cli-emulator-"));
    const config = join(dir, "bad.json");
    writeFileSync(config, JSON.stringify({ tenants: [{ id: "not-a-guid" }] }));
    const r = await run(["emulator", "--config", config, "--ca-out", join(dir, "ca.pem")], commandEnv());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^msal-ts: error: .*tenants\[0\]\.id must be a GUID.*\n$/);
  });
});
