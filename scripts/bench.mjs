// `npm run bench`: every benchmark under bench/, one process each, with the same arguments
// (`--quick`, a case filter …). `npm run bench -- --file=redis` runs only the files whose name
// contains "redis".
//
// The packages are built first and measured as they are published: the compiled JavaScript
// under dist/, as @azure/msal-node is measured from its own build. (Running the TypeScript
// sources through a loader measures the loader too: tsx wraps every function it creates to keep
// its name, which costs a token request a microsecond.) `-- --source` measures the sources instead.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const BENCHES = ["bench/client-credentials.ts", "bench/concurrent-miss.ts", "bench/file-cache.ts", "bench/redis-cache.ts"];
const args = process.argv.slice(2);
const fileFilter = args.find((a) => a.startsWith("--file="))?.slice("--file=".length);
const fromSource = args.includes("--source");
const passed = args.filter((a) => !a.startsWith("--file=") && a !== "--source");

if (!fromSource) {
  console.log("building the packages (npm run build) …");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "build", "--silent"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const conditions = fromSource ? ["--conditions=source"] : [];
let failed = false;
for (const file of BENCHES) {
  if (!existsSync(file) || (fileFilter && !file.includes(fileFilter))) continue;
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, [...conditions, "--import", "tsx", file, ...passed], { stdio: "inherit" });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
