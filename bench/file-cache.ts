/**
 * File-persisted token cache benchmark: what a cache in a shared file costs over one in memory.
 *
 *   node --conditions=source --import tsx bench/file-cache.ts            every case
 *   node --conditions=source --import tsx bench/file-cache.ts --quick    shorter runs
 *   node --conditions=source --import tsx bench/file-cache.ts '^hit/'    cases whose name matches
 *   npm run bench -- --file=file-cache --quick                          the same, through the runner
 *
 * The scenario is the client-credentials one of ./client-credentials.ts (one confidential client,
 * M tokens in its cache, the in-process fake authority of ./simulator.ts), with three caches side
 * by side, their batches interleaved (see ./harness.ts):
 *
 * - `memory`: a SerializableTokenCache, the baseline;
 * - `file`: a FilePersistedTokenCache (plain JSON, mode 0600, cross-process lock);
 * - `file+aes`: the same, encrypted with AES-256-GCM.
 *
 * Cases:
 *
 * - `hit/M`: acquireTokenForClient answered from the cache. The file caches `stat` the file
 *   before the lookup; nothing changed, so nothing is read.
 * - `hit-after-change/M`: the same hit, right after another process changed the file (its times
 *   are bumped), so every lookup reloads and parses the whole file. No `memory` figure.
 * - `write/M`: a cache miss that writes the fresh token back (the token is issued already
 *   expired, as in client-credentials' miss case): lookup, request, then for the file caches
 *   lock, write to a temporary file, fsync, rename, unlock.
 * - `write-shared/M`: the same, by two application instances on one file taking turns, so each
 *   write first reloads the other's change, as concurrent processes must.
 * - `processes-4/M`: four processes adding distinct tokens to one file at once (TokenCache.add
 *   directly, no requests); the figure is wall time per write, all processes together, timed
 *   from when every process is loaded until the last one is done.
 *
 * `M` is the number of tokens in the cache (10 or 1,000; a token entry is about 0.3 KB here).
 *
 * @module
 */

import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfidentialClientApplication, FilePersistedTokenCache, SerializableTokenCache } from "@msal-ts/msal";
import type { HttpClient } from "@msal-ts/msal";
import { measureInterleaved, warmUp } from "./harness.js";
import type { MeasureOptions, Measurement } from "./harness.js";
import { CLIENT_ID, CLIENT_SECRET, FakeTokenService, RUN_SCOPE, authorityFor, tokenEndpointFor } from "./simulator.js";

type VariantName = "memory" | "file" | "file+aes";
type Kind = "hit" | "hit-after-change" | "write" | "write-shared" | "processes-4";

interface Case {
  readonly name: string;
  readonly kind: Kind;
  readonly tokens: number;
}

const KINDS: readonly Kind[] = ["hit", "hit-after-change", "write", "write-shared", "processes-4"];
const SIZES = [10, 1000] as const;
const CASES: readonly Case[] = KINDS.flatMap((kind) => SIZES.map((tokens) => ({ name: `${kind}/${tokens}`, kind, tokens })));
const VARIANTS: readonly VariantName[] = ["memory", "file", "file+aes"];
const KEY = randomBytes(32);
const PROCESSES = 4;

const USAGE = `usage: node --conditions=source --import tsx bench/file-cache.ts [--quick] [REGEX]
cases: ${CASES.map((c) => c.name).join(", ")}`;

// ---- the application under test -------------------------------------------------------------

const RESPONSE_HEADERS = new Headers({ "content-type": "application/json; charset=utf-8" });

function httpClient(service: FakeTokenService): HttpClient {
  const respond = (body: string) =>
    ({ status: 200, ok: true, headers: RESPONSE_HEADERS, text: () => Promise.resolve(body) }) as unknown as Response;
  return (url, init) => Promise.resolve(respond(init.method === "POST" ? service.tokenResponse(init.body ?? "") : service.discovery(url)));
}

function makeCache(variant: VariantName, path: string): SerializableTokenCache {
  if (variant === "memory") return new SerializableTokenCache();
  return new FilePersistedTokenCache(path, variant === "file+aes" ? { encryptionKey: KEY } : {});
}

function makeApp(cache: SerializableTokenCache, service: FakeTokenService): ConfidentialClientApplication {
  return new ConfidentialClientApplication(CLIENT_ID, {
    clientCredential: CLIENT_SECRET,
    authority: authorityFor(0),
    httpClient: httpClient(service),
    instanceDiscovery: false,
    tokenCache: cache,
  });
}

async function acquireChecked(app: ConfidentialClientApplication, scope: string): Promise<void> {
  const result = await app.acquireTokenForClient([scope]);
  if ("error" in result) throw new Error(`no token for ${scope}: ${result.error}`);
}

/** Tokens scope_0..scope_{n-1}, obtained through the API into memory, then loaded in one write. */
async function populate(cache: SerializableTokenCache, tokens: number): Promise<void> {
  const memory = new SerializableTokenCache();
  const app = makeApp(memory, new FakeTokenService());
  for (let i = 0; i < tokens; i++) await acquireChecked(app, `scope_${i}`);
  cache.deserialize(memory.serialize());
}

interface Setup {
  readonly run: () => Promise<unknown>;
  readonly service: FakeTokenService;
  /** Token requests each call must make: 0 for a hit, 1 for a miss. */
  readonly postsPerCall: number;
}

async function setUp(c: Case, variant: VariantName, dir: string): Promise<Setup> {
  const path = join(dir, `${c.name.replace("/", "-")}-${variant}.json`);
  const service = new FakeTokenService();
  const cache = makeCache(variant, path);
  await populate(cache, c.tokens);
  const app = makeApp(cache, service);
  if (c.kind === "hit" || c.kind === "hit-after-change") {
    await acquireChecked(app, RUN_SCOPE);
    if (c.kind === "hit") return { run: () => app.acquireTokenForClient([RUN_SCOPE]), service, postsPerCall: 0 };
    let tick = Date.now() / 1000;
    return {
      run: () => {
        // Another process's write, as far as the cache can tell: new times on the file.
        tick += 0.001;
        utimesSync(path, tick, tick);
        return app.acquireTokenForClient([RUN_SCOPE]);
      },
      service,
      postsPerCall: 0,
    };
  }
  service.expiringScope = RUN_SCOPE;
  if (c.kind === "write") return { run: () => app.acquireTokenForClient([RUN_SCOPE]), service, postsPerCall: 1 };
  // write-shared: a second instance on the same file; calls alternate between the two.
  const other = makeApp(makeCache(variant, path), service);
  let turn = 0;
  return {
    run: () => {
      turn = 1 - turn;
      return (turn === 1 ? app : other).acquireTokenForClient([RUN_SCOPE]);
    },
    service,
    postsPerCall: 1,
  };
}

// ---- processes-4: several processes writing one file -----------------------------------------

interface WorkerSettings {
  readonly path: string;
  readonly worker: number;
  readonly writes: number;
}

/**
 * A child: once loaded, says "ready"; on "go" (a line on stdin), adds `writes` distinct tokens
 * to the shared file as fast as it can, and says "done".
 */
async function runWorker(settings: WorkerSettings): Promise<void> {
  const cache = new FilePersistedTokenCache(settings.path);
  const endpoint = tokenEndpointFor(0);
  process.stdout.write("ready\n");
  await new Promise((resolve) => process.stdin.once("data", resolve));
  for (let i = 0; i < settings.writes; i++) {
    cache.add({
      client_id: CLIENT_ID,
      scope: [`worker_${settings.worker}_scope_${i}`],
      token_endpoint: endpoint,
      response: { access_token: `AT for worker ${settings.worker} scope ${i}`, token_type: "Bearer", expires_in: 3600 },
    });
  }
  process.stdout.write("done\n");
  process.stdin.destroy();
}

interface BenchWorker {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  go(): void;
}

function spawnWorker(settings: WorkerSettings): BenchWorker {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), `--worker=${JSON.stringify(settings)}`], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<never>((_, reject) =>
    child.on("exit", (code) => reject(new Error(`a benchmark worker exited with ${code} before it was done`))),
  );
  exited.catch(() => undefined);
  let out = "";
  const said = (word: string) =>
    Promise.race([
      exited,
      new Promise<void>((resolve) => {
        const check = () => (out.split("\n").includes(word) ? resolve() : undefined);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          check();
        });
        check();
      }),
    ]);
  return { ready: said("ready"), done: said("done"), go: () => child.stdin.write("go\n") };
}

/** Wall time per write of PROCESSES processes writing at once, over `rounds` rounds. */
async function measureProcesses(c: Case, dir: string, writes: number, rounds: number): Promise<Measurement> {
  let totalNs = 0n;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let round = 0; round < rounds; round++) {
    const path = join(dir, `${c.name.replace("/", "-")}-${round}.json`);
    await populate(new FilePersistedTokenCache(path), c.tokens);
    const workers = Array.from({ length: PROCESSES }, (_, worker) => spawnWorker({ path, worker, writes }));
    // Timed from when every process is loaded until the last one is done.
    await Promise.all(workers.map((w) => w.ready));
    const start = process.hrtime.bigint();
    for (const w of workers) w.go();
    await Promise.all(workers.map((w) => w.done));
    const ns = process.hrtime.bigint() - start;
    const check = new FilePersistedTokenCache(path).count().AccessToken;
    if (check !== c.tokens + PROCESSES * writes) throw new Error(`${c.name}: ${check} tokens in the file, expected ${c.tokens + PROCESSES * writes}`);
    totalNs += ns;
    const usPerOp = Number(ns) / (PROCESSES * writes) / 1e3;
    min = Math.min(min, usPerOp);
    max = Math.max(max, usPerOp);
  }
  const iterations = PROCESSES * writes * rounds;
  return { iterations, warmupIterations: 0, totalNs, usPerOp: Number(totalNs) / iterations / 1e3, minBatchUsPerOp: min, maxBatchUsPerOp: max };
}

// ---- report -----------------------------------------------------------------------------------

const fmt = (x: number | undefined): string =>
  x === undefined ? "—" : x >= 100 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x.toFixed(2);

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

async function main(argv: readonly string[]): Promise<void> {
  let quick = false;
  let filter: RegExp | undefined;
  for (const arg of argv) {
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      return;
    } else if (arg === "--quick") quick = true;
    else if (!arg.startsWith("-")) filter = new RegExp(arg);
    // `npm run bench` passes every benchmark the same arguments: another one's options are not ours.
    else console.warn(`file-cache benchmark: ignoring "${arg}"`);
  }
  const cases = CASES.filter((c) => !filter || filter.test(c.name));
  if (cases.length === 0) {
    console.log(`file-cache benchmark: no case matches ${String(filter)} (cases: ${CASES.map((c) => c.name).join(", ")})`);
    return;
  }
  const timing: MeasureOptions = quick
    ? { warmupMs: 50, targetMs: 150, batches: 3, minWarmupIterations: 1 }
    : { warmupMs: 300, targetMs: 750, batches: 6, minWarmupIterations: 2 };
  console.log(`file-cache benchmark — node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} ×${cpus().length}${quick ? ", quick" : ""}`);

  const dir = mkdtempSync(join(tmpdir(), "msal-ts-bench-file-cache-"));
  const results = new Map<string, Measurement>();
  try {
    // Prelude: JIT-warm the paths, so the first case does not pay for it.
    for (const variant of VARIANTS) {
      for (const kind of ["hit", "write"] as const) {
        const setup = await setUp({ name: `prelude-${kind}`, kind, tokens: 10 }, variant, dir);
        await warmUp(setup.run, quick ? 50 : 200);
      }
    }

    for (const c of cases) {
      if (c.kind === "processes-4") {
        const m = await measureProcesses(c, dir, quick ? 50 : 200, quick ? 1 : 3);
        results.set(`${c.name} file`, m);
        console.log(`  ${c.name.padEnd(22)} ${"file".padEnd(8)} ${fmt(m.usPerOp).padStart(8)} µs/write (${PROCESSES} processes, n=${m.iterations})`);
        continue;
      }
      const variants = c.kind === "hit-after-change" ? VARIANTS.filter((v) => v !== "memory") : VARIANTS;
      const setups: Setup[] = [];
      for (const variant of variants) setups.push(await setUp(c, variant, dir));
      const before = setups.map((s) => s.service.posts);
      const measurements = await measureInterleaved(
        setups.map((s) => s.run),
        timing,
      );
      variants.forEach((variant, i) => {
        const m = measurements[i];
        const setup = setups[i];
        if (!m || !setup) throw new Error("unreachable");
        const calls = m.iterations + m.warmupIterations;
        const posts = setup.service.posts - (before[i] ?? 0);
        if (posts !== calls * setup.postsPerCall) throw new Error(`${c.name} ${variant}: ${posts} token requests in ${calls} calls`);
        results.set(`${c.name} ${variant}`, m);
        console.log(
          `  ${c.name.padEnd(22)} ${variant.padEnd(8)} ${fmt(m.usPerOp).padStart(8)} µs/op ` +
            `(batches ${fmt(m.minBatchUsPerOp)}–${fmt(m.maxBatchUsPerOp)}, n=${m.iterations})`,
        );
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log();
  const rows = cases.map((c) => {
    const us = (v: VariantName) => results.get(`${c.name} ${v}`)?.usPerOp;
    const file = us("file");
    const writes = c.kind === "hit" || c.kind === "hit-after-change" ? "—" : file === undefined ? "—" : fmt(1e6 / file);
    return [c.name, fmt(us("memory")), fmt(file), fmt(us("file+aes")), writes];
  });
  printTable(["case", "memory µs/op", "file µs/op", "file+aes µs/op", "file writes/s"], rows);
}

const workerArg = process.argv.find((a) => a.startsWith("--worker="));
if (workerArg !== undefined) await runWorker(JSON.parse(workerArg.slice("--worker=".length)) as WorkerSettings);
else await main(process.argv.slice(2));
