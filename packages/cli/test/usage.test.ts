// The command line itself: help everywhere, the version, and usage errors as one line with exit 2.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { defaultTenant } from "@msal-ts/emulator";
import { EMULATOR_DESKTOP_CLIENT_ID } from "../src/options.js";
import { assertOneLineError, commandEnv, run, runHere } from "./support.js";

// Nothing here gets as far as the cache; should it, the file lands in a temporary directory.
const env = commandEnv({ MSAL_TS_CACHE: join(mkdtempSync(join(tmpdir(), "msal-ts-cli-usage-")), "cache.json") });
const COMMANDS = ["login", "token", "accounts", "logout", "cache", "emulator"];

describe("msal-ts help", { concurrency: true }, () => {
  test("--help and -h list every command and the global options", async () => {
    for (const flag of ["--help", "-h"]) {
      const r = flag === "--help" ? await run([flag], env) : await runHere([flag], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, /^Usage: msal-ts <command> \[options\]/);
      for (const command of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${command}\\s+\\S`, "m"));
      for (const option of ["--authority", "--client-id", "--json", "--ca-file", "--instance-discovery", "--cache", "--version"]) {
        assert.ok(r.stdout.includes(option), `${option} in the help`);
      }
    }
  });

  const OWN_OPTIONS: Readonly<Record<string, readonly string[]>> = {
    login: ["--device-code", "--scope", "--login-hint", "--no-browser", "--timeout", "--authority"],
    token: ["--scope", "--account", "--client-secret", "--certificate", "--certificate-thumbprint", "--managed-identity", "--device-code"],
    accounts: ["--client-id", "--json"],
    logout: ["--account"],
    cache: ["MSAL_TS_CACHE", "XDG_CONFIG_HOME"],
    emulator: ["--port", "--config", "--ca-out"],
  };
  for (const command of COMMANDS) {
    test(`${command} --help shows the command's usage and options`, async () => {
      const r = await run([command, "--help"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: msal-ts ${command}\\b`));
      for (const option of OWN_OPTIONS[command] ?? []) assert.ok(r.stdout.includes(option), `${option} in msal-ts ${command} --help`);
      // Global options may come before the command (the emulator takes none of them).
      const globalFirst = command === "emulator" ? ["--quiet", command, "--help"] : ["--json", command, "--help"];
      for (const args of [[command, "-h"], ["help", command], globalFirst]) {
        assert.equal((await runHere(args, env)).stdout, r.stdout, `msal-ts ${args.join(" ")} shows the same`);
      }
    });
  }

  test("--version prints the package version", async () => {
    const r = await run(["--version"], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^msal-ts \d+\.\d+\.\d+\n$/);
  });

  test("the default client id on a loopback authority is the emulator's sample desktop app", () => {
    const desktop = defaultTenant.apps.find((app) => app.clientId === EMULATOR_DESKTOP_CLIENT_ID);
    assert.ok(desktop && "publicClient" in desktop && desktop.publicClient);
  });
});

describe("msal-ts usage errors: one line, exit 2", { concurrency: true }, () => {
  const cases: readonly (readonly [string, readonly string[], RegExp])[] = [
    ["no command", [], /no command given/],
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["an unknown option", ["accounts", "--frobnicate"], /Unknown option '--frobnicate'.*msal-ts accounts --help/],
    ["a missing option value", ["token", "--scope"], /--scope/],
    ["token without --scope", ["token", "--authority", "https://localhost:1/x"], /--scope is required/],
    ["a non-https authority", ["accounts", "--authority", "http://login.example/common"], /https URL/],
    ["an authority that is no URL", ["accounts", "--authority", "nope"], /must be a URL/],
    ["a CA file that does not exist", ["accounts", "--authority", "https://localhost:1/x", "--ca-file", "no-such-ca.pem"], /no-such-ca\.pem does not exist/],
    ["a bad instance discovery value", ["accounts", "--authority", "https://localhost:1/x", "--instance-discovery", "maybe"], /--instance-discovery/],
    ["no client id for a real authority", ["accounts"], /--client-id is required/],
    ["a secret with a certificate", ["token", "--scope", "s", "--client-id", "x", "--client-secret", "s", "--certificate", "c.pem"], /not both/],
    ["an app credential with user options", ["token", "--scope", "s", "--client-id", "x", "--client-secret", "s", "--device-code"], /--device-code is for a user/],
    ["browser options with --device-code", ["login", "--device-code", "--no-browser", "--authority", "https://localhost:1/x"], /--no-browser is for the browser/],
    ["an unknown prompt", ["login", "--prompt", "always", "--authority", "https://localhost:1/x"], /--prompt must be one of/],
    ["a bad timeout", ["login", "--timeout", "soon", "--authority", "https://localhost:1/x"], /--timeout/],
    ["an unknown help topic", ["help", "frobnicate"], /unknown command 'frobnicate'/],
  ];
  for (const [what, args, pattern] of cases) {
    test(what, async () => {
      assertOneLineError(await runHere(args, env), 2, pattern);
    });
  }

  test("as a process: exit code 2 and one line on stderr", async () => {
    assertOneLineError(await run(["token", "--frobnicate"], env), 2, /Unknown option '--frobnicate'/);
  });

  test("--managed-identity takes one scope and no other credential: usage errors, exit 2", async () => {
    assertOneLineError(await runHere(["token", "--scope", "s", "--managed-identity", "--client-secret", "x"], env), 2, /--managed-identity/);
    assertOneLineError(await runHere(["token", "--scope", "a", "--scope", "b", "--managed-identity"], env), 2, /exactly one --scope/);
    assertOneLineError(await runHere(["token", "--managed-identity=0000-mi"], env), 2, /exactly one --scope/);
  });

  test("a secret given on the command line never appears in an error", async () => {
    const secret = "do-not-print~this";
    const r = await runHere(["token", "--scope", "s", "--client-secret", secret, "--certificate", "c.pem"], env);
    assert.equal(r.code, 2);
    assert.ok(!r.stderr.includes(secret));
  });
});
