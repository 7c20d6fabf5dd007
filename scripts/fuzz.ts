// `npm run fuzz`: runs every fuzz target of packages/msal/test/fuzz at full size and reports, per
// target, the cases run, the time taken and any failure with its counterexample and seed.
//
//   npm run fuzz                                  100,000 cases per target, a random seed
//   npm run fuzz -- --runs=1000000 --target=cache  more cases, one target
//   npm run fuzz -- --seed=1234                   replays a run
//   npm run fuzz -- --target=cache --seed=1234 --path=77:1:0   replays one failing case (the report prints it)
//
// Exits with status 1 when a target fails, 2 for bad arguments.
import { FUZZ_TARGETS, runTarget } from "../packages/msal/test/fuzz/targets.js";

const DEFAULT_RUNS = 100_000;

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run fuzz -- [--runs=N] [--target=${FUZZ_TARGETS.map((t) => t.name).join("|")}] [--seed=S] [--path=P]`);
  process.exit(2);
}

let runs = DEFAULT_RUNS;
let seed = Math.floor(Math.random() * 2 ** 31);
let path: string | undefined;
const selected: string[] = [];
for (const arg of process.argv.slice(2)) {
  const [name, value = ""] = arg.split("=", 2) as [string, string | undefined];
  if (name === "--runs" && /^\d+$/.test(value) && Number(value) > 0) runs = Number(value);
  else if (name === "--seed" && /^-?\d+$/.test(value)) seed = Number(value);
  else if (name === "--target" && value) selected.push(...value.split(","));
  else if (name === "--path" && /^\d+(:\d+)*$/.test(value)) path = value;
  else usage(`unknown or malformed argument ${arg}`);
}
for (const name of selected) if (!FUZZ_TARGETS.some((t) => t.name === name)) usage(`no target named ${name}`);
const targets = selected.length ? FUZZ_TARGETS.filter((t) => selected.includes(t.name)) : FUZZ_TARGETS;

console.log(
  path === undefined
    ? `fuzzing ${targets.length} target(s), ${runs.toLocaleString("en-US")} cases each, seed ${seed}`
    : `replaying the case at path ${path} of seed ${seed}`,
);
let failures = 0;
for (const t of targets) {
  const r = await runTarget(t, { numRuns: runs, seed, ...(path !== undefined ? { path } : {}) });
  const seconds = (r.milliseconds / 1000).toFixed(1);
  const rate = Math.round(r.numRuns / (r.milliseconds / 1000)).toLocaleString("en-US");
  console.log(`${t.name.padEnd(17)} ${r.numRuns.toLocaleString("en-US").padStart(11)} cases  ${seconds.padStart(7)} s  (${rate}/s)  ${r.failed ? "FAILED" : "0 failures"}`);
  if (r.failed) {
    failures++;
    console.log(`\n${t.summary}\n${r.report ?? ""}\nreplay: npm run fuzz -- --target=${t.name} --seed=${r.seed} --path=${r.path ?? ""}\n`);
  }
}
console.log(failures ? `${failures} target(s) failed` : "all targets passed");
process.exit(failures ? 1 : 0);
