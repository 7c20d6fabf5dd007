// `npm run docs` must keep building with no warning: an export without TSDoc, a broken {@link} or a
// type the reference cannot reach fails here, not when someone next builds the site.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const out = mkdtempSync(join(tmpdir(), "msal-ts-docs-"));
after(() => rmSync(out, { recursive: true, force: true }));

describe("the API reference", () => {
  it("builds with typedoc.json and no warning", () => {
    const bin = join(dirname(createRequire(join(ROOT, "package.json")).resolve("typedoc/package.json")), "bin", "typedoc");
    const run = spawnSync(process.execPath, [bin, "--out", out, "--treatWarningsAsErrors", "false"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    const output = `${run.stdout}${run.stderr}`;
    const warnings = output.split("\n").filter((line) => /\[(warning|error)\]/.test(line) && !/Found 0 errors and 0 warnings/.test(line));
    assert.deepEqual(warnings, []);
    assert.equal(run.status, 0, output);
    assert.ok(existsSync(join(out, "index.html")));
  });
});
