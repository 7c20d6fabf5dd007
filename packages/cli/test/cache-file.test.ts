// The persistent token cache file: where it lives, how it is written, and what a corrupt one does.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { cacheFilePath, openCacheFile, writeAtomically } from "../src/cache-file.js";
import { CliError } from "../src/errors.js";
import { assertOneLineError, commandEnv, run } from "./support.js";

const posix = process.platform === "win32" ? "POSIX modes" : false;
const home = resolve("/home/someone");

describe("cacheFilePath", () => {
  test("--cache wins, then MSAL_TS_CACHE", () => {
    assert.equal(cacheFilePath("/x/given.json", { MSAL_TS_CACHE: "/y/env.json" }, "linux", home), resolve("/x/given.json"));
    assert.equal(cacheFilePath(undefined, { MSAL_TS_CACHE: "/y/env.json" }, "linux", home), resolve("/y/env.json"));
    assert.equal(cacheFilePath(undefined, { MSAL_TS_CACHE: "rel.json" }, "linux", home), resolve("rel.json"));
  });

  test("Linux and other Unix: $XDG_CONFIG_HOME/msal-ts/cache.json, else ~/.config/msal-ts/cache.json", () => {
    assert.equal(cacheFilePath(undefined, { XDG_CONFIG_HOME: "/xdg" }, "linux", home), join("/xdg", "msal-ts", "cache.json"));
    assert.equal(cacheFilePath(undefined, {}, "linux", home), join(home, ".config", "msal-ts", "cache.json"));
    assert.equal(cacheFilePath(undefined, {}, "freebsd", home), join(home, ".config", "msal-ts", "cache.json"));
    // The XDG base directory spec: a relative path is invalid and ignored.
    assert.equal(cacheFilePath(undefined, { XDG_CONFIG_HOME: "relative" }, "linux", home), join(home, ".config", "msal-ts", "cache.json"));
    assert.equal(cacheFilePath(undefined, { MSAL_TS_CACHE: "  " }, "linux", home), join(home, ".config", "msal-ts", "cache.json"));
  });

  test("macOS: ~/Library/Application Support; Windows: %LOCALAPPDATA%", () => {
    assert.equal(cacheFilePath(undefined, { XDG_CONFIG_HOME: "/xdg" }, "darwin", home), join(home, "Library", "Application Support", "msal-ts", "cache.json"));
    assert.equal(cacheFilePath(undefined, { LOCALAPPDATA: "/lad" }, "win32", home), join("/lad", "msal-ts", "cache.json"));
    assert.equal(cacheFilePath(undefined, {}, "win32", home), join(home, "AppData", "Local", "msal-ts", "cache.json"));
  });
});

describe("the cache file", () => {
  const dir = mkdtempSync(join(tmpdir(), "msal-ts-cache-file-"));

  test("a missing file is an empty cache, and nothing is written while nothing changed", () => {
    const path = join(dir, "missing", "cache.json");
    const file = openCacheFile(path);
    assert.deepEqual(file.cache.count(), { AccessToken: 0, RefreshToken: 0, IdToken: 0, Account: 0, AppMetadata: 0 });
    file.save();
    assert.throws(() => statSync(path), { code: "ENOENT" });
  });

  test("writes replace the file atomically with mode 0600, in a 0700 directory, leaving no temporary file", { skip: posix }, () => {
    const sub = join(dir, "atomic", "msal-ts");
    const path = join(sub, "cache.json");
    writeAtomically(path, "{}");
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(sub).mode & 0o777, 0o700);
    // An existing file readable by others is replaced by one that is not.
    chmodSync(path, 0o644);
    writeAtomically(path, '{"Account":{}}');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, "utf8"), '{"Account":{}}');
    assert.deepEqual(readdirSync(sub), ["cache.json"]);
  });

  const root = process.getuid?.() === 0 ? "root may write anywhere" : false;
  test("a write that cannot happen is a CliError, and the old file stays", { skip: posix || root }, () => {
    const sub = join(dir, "readonly");
    mkdirSync(sub);
    const path = join(sub, "cache.json");
    writeFileSync(path, "{}");
    chmodSync(sub, 0o500);
    try {
      assert.throws(() => writeAtomically(path, '{"x":{}}'), (err: unknown) => err instanceof CliError && /cannot write the token cache/.test(err.message));
      assert.equal(readFileSync(path, "utf8"), "{}");
    } finally {
      chmodSync(sub, 0o700);
    }
  });

  test("a corrupt file is a one-line CliError that never quotes the contents", () => {
    const path = join(dir, "corrupt.json");
    writeFileSync(path, '{"AccessToken": {"k": {"secret": "eyJ-very-secret"');
    assert.throws(
      () => openCacheFile(path),
      (err: unknown) =>
        err instanceof CliError && /is corrupt/.test(err.message) && !err.message.includes("eyJ") && !err.message.includes("\n"),
    );
  });

  test("msal-ts with a corrupt cache exits 1 with one line, and leaves the file as it was", async () => {
    const path = join(dir, "corrupt-cli.json");
    const text = "not json at all";
    writeFileSync(path, text);
    for (const command of ["accounts", "cache", "logout"]) {
      assertOneLineError(await run([command, "--authority", "https://localhost:1/common"], commandEnv({ MSAL_TS_CACHE: path })), 1, /corrupt.*--cache/);
    }
    assert.equal(readFileSync(path, "utf8"), text);
  });

  test("--cache overrides MSAL_TS_CACHE", async () => {
    const corrupt = join(dir, "corrupt-env.json");
    writeFileSync(corrupt, "[");
    const r = await run(["cache", "--cache", join(dir, "empty.json")], commandEnv({ MSAL_TS_CACHE: corrupt }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /empty\.json: 0 entries/);
  });
});
