// `npm run bench`: every benchmark under bench/, one process each, with the same arguments
// (`--quick`, a case filter …). `npm run bench -- --file=redis` runs only the files whose name
// contains "redis".
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const BENCHES = ["bench/client-credentials.ts", "bench/concurrent-miss.ts", "bench/file-cache.ts", "bench/redis-cache.ts"];
const args = process.argv.slice(2);
const fileFilter = args.find((a) => a.startsWith("--file="))?.slice("--file=".length);
const passed = args.filter((a) => !a.startsWith("--file="));
let failed = false;
for (const file of BENCHES) {
  if (!existsSync(file) || (fileFilter && !file.includes(fileFilter))) continue;
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", file, ...passed], { stdio: "inherit" });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
