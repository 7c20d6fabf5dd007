// Azure Arc's challenge file: where it may be, how big, and the platforms Arc runs on.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ArcPlatformNotSupportedError, ManagedIdentityError } from "../../src/index.js";
import { challengedKeyPath, defaultArcKeyDirectory, readArcKey } from "../../src/managed-identity/azure-arc.js";

const root = mkdtempSync(join(tmpdir(), "msal-ts-arc-test-"));
const keys = join(root, "tokens");
const elsewhere = join(root, "elsewhere");
mkdirSync(keys);
mkdirSync(elsewhere);
writeFileSync(join(keys, "good.key"), "0123456789abcdef\n");
writeFileSync(join(keys, "big.key"), "x".repeat(4097));
writeFileSync(join(keys, "exactly.key"), "y".repeat(4096));
writeFileSync(join(keys, "notes.txt"), "secret");
writeFileSync(join(keys, "empty.key"), "");
writeFileSync(join(keys, "lines.key"), "a\nb");
writeFileSync(join(elsewhere, "other.key"), "not the agent's");
symlinkSync(join(elsewhere, "other.key"), join(keys, "link.key"));
mkdirSync(join(keys, "dir.key"));
after(() => rmSync(root, { recursive: true, force: true }));

const refused = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ManagedIdentityError, String(e));
  assert.match(e.message, pattern);
  return true;
};

describe("readArcKey", () => {
  test("reads a key file in the key directory, trimmed", async () => {
    assert.equal(await readArcKey(join(keys, "good.key"), keys, "linux"), "0123456789abcdef");
  });

  test("takes a file of exactly 4096 bytes", async () => {
    assert.equal((await readArcKey(join(keys, "exactly.key"), keys, "linux")).length, 4096);
  });

  test("refuses a file larger than 4096 bytes", async () => {
    await assert.rejects(readArcKey(join(keys, "big.key"), keys, "linux"), refused(/larger than 4096 bytes/));
  });

  test("refuses a relative path", async () => {
    await assert.rejects(readArcKey("tokens/good.key", keys, "linux"), refused(/relative path/));
  });

  test("refuses a file outside the key directory", async () => {
    await assert.rejects(readArcKey(join(elsewhere, "other.key"), keys, "linux"), refused(/outside the agent's key directory/));
  });

  test("refuses a path that climbs out with ..", async () => {
    await assert.rejects(readArcKey(join(keys, "..", "elsewhere", "other.key"), keys, "linux"), refused(/outside the agent's key directory/));
  });

  test("refuses a file in a subdirectory", async () => {
    await assert.rejects(readArcKey(join(keys, "dir.key", "x.key"), keys, "linux"), refused(/outside/));
  });

  test("refuses a symbolic link that leads out of the directory", async () => {
    await assert.rejects(readArcKey(join(keys, "link.key"), keys, "linux"), refused(/links outside/));
  });

  test("refuses a file that is not .key", async () => {
    await assert.rejects(readArcKey(join(keys, "notes.txt"), keys, "linux"), refused(/not a \.key file/));
  });

  test("refuses a directory", async () => {
    await assert.rejects(readArcKey(join(keys, "dir.key"), keys, "linux"), refused(/not a regular file|Cannot open/));
  });

  test("refuses an empty or multi-line file", async () => {
    await assert.rejects(readArcKey(join(keys, "empty.key"), keys, "linux"), refused(/empty or spans several lines/));
    await assert.rejects(readArcKey(join(keys, "lines.key"), keys, "linux"), refused(/empty or spans several lines/));
  });

  test("a missing file says what reading it needs", async () => {
    await assert.rejects(readArcKey(join(keys, "missing.key"), keys, "linux"), refused(/administrator rights/));
  });

  test("on Windows, the directory compares case-insensitively", async () => {
    await assert.rejects(
      readArcKey("C:\\PROGRAMDATA\\AzureConnectedMachineAgent\\Tokens\\a.key", "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens", "win32"),
      // It gets past the path checks; reading fails on this machine.
      refused(/Cannot read the Azure Arc key file/),
    );
    await assert.rejects(
      readArcKey("C:\\Temp\\a.key", "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens", "win32"),
      refused(/outside the agent's key directory/),
    );
  });
});

describe("challengedKeyPath", () => {
  const ok: Array<[string, string]> = [
    ["Basic realm=/var/opt/azcmagent/tokens/abc.key", "/var/opt/azcmagent/tokens/abc.key"],
    ['Basic realm="/var/opt/azcmagent/tokens/abc.key"', "/var/opt/azcmagent/tokens/abc.key"],
    ["basic REALM = C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\abc.key", "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\abc.key"],
  ];
  for (const [header, path] of ok) test(header, () => assert.equal(challengedKeyPath(header), path));

  for (const header of [null, "", "Bearer realm=x", "Basic", "Basic realm="]) {
    test(`refuses ${JSON.stringify(header)}`, () => {
      assert.throws(() => challengedKeyPath(header), refused(/without the expected challenge/));
    });
  }
});

describe("defaultArcKeyDirectory", () => {
  test("Linux and Windows", () => {
    assert.equal(defaultArcKeyDirectory("linux", {}), "/var/opt/azcmagent/tokens");
    assert.equal(defaultArcKeyDirectory("win32", { ProgramData: "D:\\Data" }), "D:\\Data\\AzureConnectedMachineAgent\\Tokens");
    assert.equal(defaultArcKeyDirectory("win32", {}), "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens");
  });

  for (const platform of ["darwin", "freebsd", "aix"] as const) {
    test(`${platform} is not supported`, () => {
      assert.throws(
        () => defaultArcKeyDirectory(platform, {}),
        (e: unknown) =>
          e instanceof ArcPlatformNotSupportedError &&
          e instanceof ManagedIdentityError &&
          e.code === "ERR_ARC_PLATFORM_NOT_SUPPORTED" &&
          e.message.includes(platform),
      );
    });
  }
});
