// A user's day with msal-ts on the emulator: sign in with a device code, get tokens silently in
// later processes from the persistent cache, list accounts and cache entries, sign out.
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { completeDeviceLogin } from "@msal-ts/emulator";
import { ADELE, assertOneLineError, commandEnv, json, run, secretsIn, start, startAuthority } from "./support.js";
import type { TestAuthority } from "./support.js";

const DEVICE_MESSAGE = /open the page (https:\/\/\S+) and enter the code (\S+) /;

describe("msal-ts as a user", () => {
  let t: TestAuthority;
  let cachePath: string;
  let env: NodeJS.ProcessEnv;
  let accessToken = "";

  before(async () => {
    t = await startAuthority();
    // A directory that does not exist yet: msal-ts creates it, for the owner alone.
    cachePath = join(t.dir, "config", "msal-ts", "cache.json");
    env = commandEnv({ MSAL_TS_CACHE: cachePath });
  });
  after(() => t.emu.close());

  test("login --device-code shows the code, and signs in once the user approves it", async () => {
    const login = start(["login", "--device-code", "--scope", "User.Read", "--json", ...t.flags], env);
    const [, uri = "", code = ""] = await login.waitFor(DEVICE_MESSAGE);
    // The waiting indicator follows the message in a write of its own.
    await login.waitFor(/Waiting for you to sign in/);
    assert.equal(await completeDeviceLogin(uri, code, { ...ADELE, ca: t.emu.caCertificate }), "approved");
    const result = await login.done;
    const out = json<{ username: string; home_account_id: string; tenant_id: string }>(result);
    assert.equal(out.username, ADELE.username);
    assert.match(out.home_account_id, /\./);
    assert.ok(!result.stdout.includes("secret"), "login prints no tokens");
  });

  test("the cache file is the owner's alone: mode 0600 in a 0700 directory", { skip: process.platform === "win32" ? "POSIX modes" : false }, () => {
    assert.equal(statSync(cachePath).mode & 0o777, 0o600);
    assert.equal(statSync(join(t.dir, "config", "msal-ts")).mode & 0o777, 0o700);
  });

  test("token in a second process is served from the persistent cache, with no token request", async () => {
    const before = t.emu.tokenRequestCount();
    const out = json<{ access_token: string; token_source: string; expires_in: number; account: string; token_type: string }>(
      await run(["token", "--scope", "User.Read", "--json", ...t.flags], env),
    );
    assert.equal(out.token_source, "cache");
    assert.equal(out.account, ADELE.username);
    assert.ok(out.expires_in > 0);
    assert.match(out.access_token, /^ey/);
    assert.equal(t.emu.tokenRequestCount(), before, "no request reached the token endpoint");
    accessToken = out.access_token;

    const plain = await run(["token", "--scope", "User.Read", ...t.flags], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, `${accessToken}\n`, "without --json, only the access token");
  });

  test("token for another scope uses the refresh token, silently", async () => {
    const before = t.emu.tokenRequestCount();
    const out = json<{ token_source: string }>(await run(["token", "--scope", "api://orders/Orders.Read", "--silent-only", "--json", ...t.flags], env));
    assert.equal(out.token_source, "identity_provider");
    assert.equal(t.emu.tokenRequestCount(), before + 1);
  });

  test("accounts lists the signed-in user", async () => {
    const plain = await run(["accounts", ...t.flags], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, `${ADELE.username}\n`);
    const list = json<{ username: string; home_account_id: string }[]>(await run(["accounts", "--json", ...t.flags], env));
    assert.deepEqual(
      list.map((a) => a.username),
      [ADELE.username],
    );
    assert.match(list[0]?.home_account_id ?? "", /^[\w-]+\.[\w-]+$/);
  });

  test("cache lists kinds, accounts, targets and expiry, and not one secret", async () => {
    const secrets = secretsIn(readFileSync(cachePath, "utf8"));
    assert.ok(secrets.length >= 4, "the file holds access, refresh and ID tokens");
    assert.ok(secrets.includes(accessToken));
    for (const args of [["cache"], ["cache", "--json"]]) {
      const r = await run([...args, ...t.flags], env);
      assert.equal(r.code, 0, r.stderr);
      for (const secret of secrets) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `${args.join(" ")} shows a secret`);
      assert.ok(!/"secret"/.test(r.stdout));
    }
    const listing = json<{ path: string; entries: { kind: string; account: string | null; target: string | null; expires_on: string | null }[] }>(
      await run(["cache", "--json"], env),
    );
    assert.equal(listing.path, cachePath);
    const kinds = new Set(listing.entries.map((e) => e.kind));
    for (const kind of ["access token", "refresh token", "id token", "account"]) assert.ok(kinds.has(kind), `a ${kind} is listed`);
    const graph = listing.entries.find((e) => e.kind === "access token" && /User\.Read/i.test(e.target ?? ""));
    assert.ok(graph, "the Graph access token is listed with its target");
    assert.equal(graph.account, ADELE.username);
    assert.ok(graph.expires_on !== null && Date.parse(graph.expires_on) > Date.now());
    const table = await run(["cache"], env);
    assert.match(table.stdout, /^KIND\s+ACCOUNT\s+CLIENT\s+TARGET\s+EXPIRES$/m);
    assert.match(table.stdout, /^refresh token\s+adele@contoso\.onmicrosoft\.com\s/m);
  });

  test("logout --account for someone not signed in fails with one line; the cache is untouched", async () => {
    const text = readFileSync(cachePath, "utf8");
    assertOneLineError(await run(["logout", "--account", "nobody@contoso.onmicrosoft.com", ...t.flags], env), 1, /nobody@contoso/);
    assert.equal(readFileSync(cachePath, "utf8"), text);
  });

  test("logout signs the user out: no accounts, no user tokens, silent token fails", async () => {
    const r = await run(["logout", ...t.flags], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Signed out ${ADELE.username}\n`);
    const accounts = await run(["accounts", ...t.flags], env);
    assert.equal(accounts.code, 0);
    assert.equal(accounts.stdout, "");
    assert.match(accounts.stderr, /No accounts are signed in/);
    const listing = json<{ entries: { kind: string; account: string | null }[] }>(await run(["cache", "--json"], env));
    assert.deepEqual(
      listing.entries.filter((e) => e.account === ADELE.username),
      [],
    );
    assert.equal(statSync(cachePath).mode & 0o777, process.platform === "win32" ? statSync(cachePath).mode & 0o777 : 0o600);
    assertOneLineError(await run(["token", "--scope", "User.Read", "--silent-only", ...t.flags], env), 1, /no account is signed in/);
  });

  test("Ctrl-C while waiting for the device code exits 130 with one line, and writes no cache", async () => {
    const fresh = join(t.dir, "interrupted", "cache.json");
    const login = start(["login", "--device-code", ...t.flags], commandEnv({ MSAL_TS_CACHE: fresh }));
    await login.waitFor(DEVICE_MESSAGE);
    login.child.kill("SIGINT");
    const r = await login.done;
    assert.equal(r.code, 130);
    assert.match(r.stderr, /msal-ts: cancelled\n$/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    assert.equal(existsSync(fresh), false);
  });
});
