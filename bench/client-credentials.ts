/**
 * Client-credentials benchmark: msal-ts and @azure/msal-node side by side, on MSAL Python's
 * benchmark scenario (tests/test_benchmark.py, tests/simulator.py; see ./simulator.ts).
 *
 *   npm run bench                              both libraries, every case
 *   npm run bench -- --quick                   shorter warm-up and measurement
 *   npm run bench -- --only=msal-node          one library (msal-ts | msal-node)
 *   npm run bench -- '^1x10/' --quick          cases whose name matches a regular expression
 *   npm run bench -- --filter=hit              the same, as an option
 *   npm run bench -- --populate=api            how caches are filled (auto | api | deserialize)
 *   npm run bench -- --source                  msal-ts's TypeScript sources instead of its build
 *
 * `npm run bench` builds the packages and measures msal-ts as published (dist/), as msal-node is
 * measured from its own build; the version line says which one ran.
 *
 * Cases are tenants × tokens per tenant, each with a cache hit and a cache miss; names look like
 * "1000x10/miss". The "hit-any" cases ask for a different one of the populated tokens at random
 * each time (where "hit" repeats MSAL Python's one query), so that no lookup can lean on the one
 * before it: they measure the index walk itself. Per case: build each library's apps and caches, warm each up, then time awaited
 * calls with process.hrtime.bigint, the iteration count scaled to about `targetMs` per library,
 * the two libraries' batches interleaved (see harness.ts). Each case checks that a hit never
 * reached the fake token endpoint and a miss did on every call. When both hit cases at 1×10 and
 * 1×100,000 run, msal-ts's flatness is measured once more with those two interleaved, so that
 * the machine's drift between cases does not enter the ratio.
 *
 * Cache population (`--populate=auto`, the default): through each library's public API
 * (acquire scope_0..scope_{M-1} one by one, as MSAL Python's simulator does) when there are at
 * most 1,000 tokens per tenant; for the 1×100,000 case through each library's public
 * deserialize — msal-node's `getTokenCache().deserialize(json)` and msal-ts's
 * `SerializableTokenCache.deserialize(json)` — because msal-node scans its whole cache on every
 * acquisition, which makes filling 100,000 tokens one by one quadratic (far too slow). The JSON
 * is generated from each library's own serialization of one real scope_0 token (see
 * simulator.ts), so keys and fields are each library's own. Both libraries are always populated
 * the same way.
 *
 * @module
 */

import { cpus } from "node:os";
import { measureInterleaved, warmUp } from "./harness.js";
import type { MeasureOptions, Measurement } from "./harness.js";
import { ClientCredentialSimulator } from "./simulator.js";
import type { LibraryAdapter, LibraryName, PopulateMode } from "./simulator.js";

interface Case {
  name: string;
  label: string;
  tenants: number;
  tokensPerTenant: number;
  cacheHit: boolean;
  /** Ask for a random populated scope each time rather than the one "scope". */
  anyScope: boolean;
}

const SIZES: ReadonlyArray<readonly [tenants: number, tokensPerTenant: number]> = [
  [1, 10],
  [1000, 10],
  [1, 1000],
  [1, 100_000],
];

const KINDS = [
  { kind: "hit", cacheHit: true, anyScope: false },
  { kind: "hit-any", cacheHit: true, anyScope: true },
  { kind: "miss", cacheHit: false, anyScope: false },
] as const;

const CASES: Case[] = SIZES.flatMap(([tenants, tokensPerTenant]) =>
  KINDS.map(({ kind, cacheHit, anyScope }) => ({
    name: `${tenants}x${tokensPerTenant}/${kind}`,
    label: `${tenants.toLocaleString("en-US")}×${tokensPerTenant.toLocaleString("en-US")} ${kind}`,
    tenants,
    tokensPerTenant,
    cacheHit,
    anyScope,
  })),
);

const LIBRARIES: readonly LibraryName[] = ["msal-ts", "msal-node"];

/** Below this many tokens per tenant, caches are filled through the public API (auto mode). */
const API_POPULATE_MAX_TOKENS = 1000;

interface Options {
  quick: boolean;
  only: LibraryName[];
  filter: RegExp | undefined;
  populate: PopulateMode | "auto";
}

const USAGE = `usage: npm run bench -- [--quick] [--only=msal-ts|msal-node] [--populate=auto|api|deserialize] [--filter=REGEX | REGEX]
cases: ${CASES.map((c) => c.name).join(", ")}`;

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, only: [...LIBRARIES], filter: undefined, populate: "auto" };
  for (const arg of argv) {
    const eq = arg.indexOf("=");
    const [flag, value] = eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === "--quick") {
      options.quick = true;

    } else if (flag === "--only" && value) {
      const names = value.split(",");
      for (const name of names) {
        if (!LIBRARIES.includes(name as LibraryName)) fail(`unknown library "${name}"`);
      }
      options.only = names as LibraryName[];
    } else if (flag === "--populate" && (value === "auto" || value === "api" || value === "deserialize")) {
      options.populate = value;
    } else if (flag === "--filter" && value !== undefined) {
      options.filter = new RegExp(value);
    } else if (!arg.startsWith("-")) {
      options.filter = new RegExp(arg);
    } else {
      fail(`unknown argument "${arg}"`);
    }
  }
  return options;
}

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

async function loadLibrary(name: LibraryName): Promise<LibraryAdapter> {
  // Imported on demand, so that one library runs without the other being loadable.
  if (name === "msal-node") return (await import("./msal-node-adapter.js")).msalNode;
  return (await import("./msal-ts-adapter.js")).msalTs;
}


/** Three significant figures or so; thousands separated. */
const fmt = (x: number | undefined): string =>
  x === undefined
    ? "—"
    : x >= 100
      ? Math.round(x).toLocaleString("en-US")
      : x >= 10
        ? x.toFixed(1)
        : x.toFixed(2);

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const cases = CASES.filter((c) => !options.filter || options.filter.test(c.name));
  if (cases.length === 0) fail(`no case matches ${String(options.filter)}`);

  const timing: MeasureOptions = options.quick
    ? { warmupMs: 50, targetMs: 150, batches: 3, minWarmupIterations: 1 }
    : { warmupMs: 300, targetMs: 750, batches: 6, minWarmupIterations: 2 };

  const libraries: LibraryAdapter[] = [];
  for (const name of LIBRARIES.filter((n) => options.only.includes(n))) {
    try {
      libraries.push(await loadLibrary(name));
    } catch (error) {
      console.error(`${name} could not be loaded (run with --only=msal-node to skip it):`);
      throw error;
    }
  }

  console.log(
    `client-credentials benchmark — node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} ×${cpus().length}, ` +
      libraries.map((l) => `${l.name} ${l.version}`).join(", ") +
      `${options.quick ? ", quick" : ""}`,
  );

  // Prelude: JIT-warm both libraries' common paths, so the first case is not the one paying.
  for (const library of libraries) {
    for (const cacheHit of [true, false]) {
      const sim = await ClientCredentialSimulator.create(library, { tenants: 1, tokensPerTenant: 10, cacheHit, populate: "api" });
      await warmUp(sim.run, options.quick ? 200 : 1000);
    }
  }

  const results = new Map<string, Measurement>();
  const key = (c: Case, lib: LibraryName): string => `${c.name} ${lib}`;

  for (const c of cases) {
    const populate = options.populate !== "auto"
      ? options.populate
      : c.tokensPerTenant <= API_POPULATE_MAX_TOKENS ? "api" : "deserialize";

    // Both libraries' apps are built first, then measured with their batches interleaved.
    const sims: ClientCredentialSimulator[] = [];
    const setupSeconds: number[] = [];
    for (const library of libraries) {
      const setupStart = process.hrtime.bigint();
      sims.push(
        await ClientCredentialSimulator.create(library, {
          tenants: c.tenants,
          tokensPerTenant: c.tokensPerTenant,
          cacheHit: c.cacheHit,
          populate,
        }),
      );
      setupSeconds.push(Number(process.hrtime.bigint() - setupStart) / 1e9);
    }

    const before = sims.map((s) => ({ posts: s.service.posts, gets: s.service.gets }));
    const measurements = await measureInterleaved(sims.map((s) => (c.anyScope ? s.runAnyScope : s.run)), timing);

    libraries.forEach((library, i) => {
      const m = measurements[i];
      const sim = sims[i];
      const start = before[i];
      if (!m || !sim || !start) throw new Error("unreachable");
      const calls = m.iterations + m.warmupIterations;
      const posts = sim.service.posts - start.posts;
      const gets = sim.service.gets - start.gets;
      // A hit must never reach the token endpoint, a miss must on every call; discovery is cached.
      if ((c.cacheHit ? posts !== 0 : posts !== calls) || gets !== 0) {
        throw new Error(`${library.name} ${c.name}: ${posts} token requests and ${gets} GETs in ${calls} calls`);
      }
      results.set(key(c, library.name), m);
      console.log(
        `  ${c.name.padEnd(18)} ${library.name.padEnd(9)} ${fmt(m.usPerOp).padStart(8)} µs/op ` +
          `(batches ${fmt(m.minBatchUsPerOp)}–${fmt(m.maxBatchUsPerOp)}, n=${m.iterations}, ` +
          `setup ${(setupSeconds[i] ?? 0).toFixed(1)} s by ${populate})`,
      );
    });
  }

  console.log();
  const rows = cases.map((c) => {
    const ts = results.get(key(c, "msal-ts"))?.usPerOp;
    const node = results.get(key(c, "msal-node"))?.usPerOp;
    const ratio = ts !== undefined && node !== undefined ? `${fmt(node / ts)}×` : "—";
    return [c.label, fmt(ts), fmt(node), ratio];
  });
  printTable(["case (tenants×tokens)", "msal-ts µs/op", "msal-node µs/op", "msal-node / msal-ts"], rows);

  console.log();
  for (const library of libraries) {
    for (const kind of ["hit", "hit-any"]) {
      const small = results.get(`1x10/${kind} ${library.name}`)?.usPerOp;
      const large = results.get(`1x100000/${kind} ${library.name}`)?.usPerOp;
      const flatness =
        small !== undefined && large !== undefined
          ? `${fmt(large / small)} (${fmt(large)} / ${fmt(small)} µs/op)`
          : `n/a (needs cases 1x10/${kind} and 1x100000/${kind})`;
      console.log(`${library.name} ${kind} flatness, 1×100,000 / 1×10: ${flatness}`);
    }
  }

  // The ratio above divides figures taken minutes apart, and a shared machine's speed drifts in
  // between. The two sizes measured with their batches interleaved see the same machine.
  const msalTs = libraries.find((l) => l.name === "msal-ts");
  const sizes = ["1x10/hit", "1x100000/hit"];
  if (msalTs && sizes.every((name) => cases.some((c) => c.name === name))) {
    const small = await ClientCredentialSimulator.create(msalTs, { tenants: 1, tokensPerTenant: 10, cacheHit: true, populate: "api" });
    const large = await ClientCredentialSimulator.create(msalTs, { tenants: 1, tokensPerTenant: 100_000, cacheHit: true, populate: "deserialize" });
    const [s, l] = await measureInterleaved([small.run, large.run], timing);
    if (s && l) {
      console.log(`msal-ts hit flatness, 1×100,000 and 1×10 interleaved: ${fmt(l.usPerOp / s.usPerOp)} (${fmt(l.usPerOp)} / ${fmt(s.usPerOp)} µs/op)`);
    }
  }
}

await main();
