// Collects every packages/*/test/**/*.test.ts and examples/*/test/**/*.test.ts file and runs them under node:test,
// with the TypeScript sources loaded through tsx and the workspaces resolved to src/.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = [];
for (const root of ["packages", "examples"]) {
  for (const pkg of readdirSync(root)) {
    try {
      collect(join(root, pkg, "test"), files);
    } catch {
      // a package without tests
    }
  }
}
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
files.sort();
const r = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", "--test-reporter=spec", ...selected],
  { stdio: "inherit" },
);
process.exit(r.status ?? 1);
