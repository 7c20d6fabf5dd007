/**
 * Concurrent-miss benchmark: N callers ask one app for the same token at the same moment, and the
 * cache does not have it. msal-ts makes one token request and hands its outcome to all N;
 * @azure/msal-node makes one request per caller.
 *
 *   node --conditions=source --import tsx bench/concurrent-miss.ts            every case
 *   node --conditions=source --import tsx bench/concurrent-miss.ts --quick    fewer runs
 *   node --conditions=source --import tsx bench/concurrent-miss.ts '^fake/'   cases whose name matches
 *   npm run bench -- --file=concurrent-miss --only=msal-ts                   one library, through the runner
 *
 * Cases are `{network}/{N}` for N = 1, 10 and 100 callers:
 *
 * - `fake`: the token endpoint is the in-process {@link FakeTokenService} of ./simulator.ts, reached
 *   through each library's adapter (msal-ts's `httpClient`, msal-node's `networkClient`), which
 *   answers at once: the time is the libraries' own work.
 * - `emulator`: the token endpoint is @msal-ts/emulator over HTTPS on loopback, so the time
 *   includes real requests and the emulator signing each token. Both libraries send through one
 *   undici dispatcher trusting the emulator's CA (msal-ts's `httpClient`, msal-node's
 *   `networkClient`), kept for the whole benchmark as an application keeps its connections: each
 *   run builds a new app, and a new app of msal-ts's default HTTP client would also bring a new
 *   connection pool, which is not what this case measures.
 *
 * One run: a new app (its own empty token cache), one untimed call for another scope so that
 * discovery is done, then N calls for `scope` started together; the time is from the first call
 * until every caller has its result, and the requests are the token requests the endpoint saw.
 * Every caller must get a token. Each case runs several times (after untimed runs of each library
 * on each network); the table shows the median and the fastest run.
 *
 * @module
 */

import { cpus } from "node:os";
import type { INetworkModule, NetworkRequestOptions } from "@azure/msal-node";
import type { HttpClient } from "@msal-ts/msal";
import type { BenchApp, LibraryAdapter, LibraryName } from "./simulator.js";
import { FakeTokenService, RUN_SCOPE } from "./simulator.js";

type Network = "fake" | "emulator";

interface Case {
  readonly name: string;
  readonly network: Network;
  readonly callers: number;
}

const CALLERS = [1, 10, 100] as const;
const NETWORKS: readonly Network[] = ["fake", "emulator"];
const CASES: readonly Case[] = NETWORKS.flatMap((network) =>
  CALLERS.map((callers) => ({ name: `${network}/${callers}`, network, callers })),
);
const LIBRARIES: readonly LibraryName[] = ["msal-ts", "msal-node"];
/** What the untimed first call of a run asks for, so that the timed calls find discovery done. */
const WARM_SCOPE = "warm-up";

const USAGE = `usage: node --conditions=source --import tsx bench/concurrent-miss.ts [--quick] [--only=msal-ts|msal-node] [--filter=REGEX | REGEX]
cases: ${CASES.map((c) => c.name).join(", ")}`;

interface Options {
  quick: boolean;
  only: LibraryName[];
  filter: RegExp | undefined;
}

function parseArgs(argv: readonly string[]): Options | undefined {
  const options: Options = { quick: false, only: [...LIBRARIES], filter: undefined };
  for (const arg of argv) {
    const eq = arg.indexOf("=");
    const [flag, value] = eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      return undefined;
    } else if (flag === "--quick") {
      options.quick = true;
    } else if (flag === "--only" && value) {
      const names = value.split(",");
      for (const name of names) {
        if (!LIBRARIES.includes(name as LibraryName)) {
          console.error(`unknown library "${name}"\n${USAGE}`);
          process.exit(2);
        }
      }
      options.only = names as LibraryName[];
    } else if (flag === "--filter" && value !== undefined) {
      options.filter = new RegExp(value);
    } else if (!arg.startsWith("-")) {
      options.filter = new RegExp(arg);
    } else {
      // `npm run bench` passes every benchmark the same arguments: another one's options are not ours.
      console.warn(`concurrent-miss benchmark: ignoring "${arg}"`);
    }
  }
  return options;
}

// ---- the apps under test ----------------------------------------------------------------------

/** One app on an empty cache, and how many token requests its endpoint has seen. */
interface RunApp {
  readonly app: Pick<BenchApp, "acquireChecked">;
  readonly requests: () => number;
}

/** Builds a new app for each run of a case. */
type AppFactory = (run: number) => RunApp;

async function loadAdapter(name: LibraryName): Promise<LibraryAdapter> {
  // Imported on demand, so that one library runs without the other being loadable.
  if (name === "msal-node") return (await import("./msal-node-adapter.js")).msalNode;
  return (await import("./msal-ts-adapter.js")).msalTs;
}

/** The in-process endpoint: each run gets its own tenant (its own app and cache) of the fake. */
function fakeApps(adapter: LibraryAdapter): AppFactory {
  const service = new FakeTokenService();
  return (run) => ({ app: adapter.createApp(run, service), requests: () => service.posts });
}

/** A running emulator and the apps of both libraries pointed at it. */
interface EmulatorNetwork {
  readonly apps: (library: LibraryName) => AppFactory;
  close(): Promise<void>;
}

async function startEmulator(): Promise<EmulatorNetwork> {
  const { createEmulator, defaultTenant } = await import("@msal-ts/emulator");
  const { Agent, fetch: undiciFetch } = await import("undici");
  const emu = await createEmulator();
  const daemon = defaultTenant.apps[0];
  const clientId = daemon.clientId;
  const secret = daemon.secrets[0];
  // The daemon app may call these APIs; the benchmark's scope names become their `.default`.
  const resource = (scope: string): string[] => [scope === RUN_SCOPE ? "api://orders/.default" : "https://graph.microsoft.com/.default"];
  const requests = (): number => emu.tokenRequestCount({ clientId, grantType: "client_credentials" });
  const dispatcher = new Agent({ connect: { ca: emu.caCertificate } });

  const msalTs = async (): Promise<AppFactory> => {
    const { ConfidentialClientApplication } = await import("@msal-ts/msal");
    const httpClient: HttpClient = async (url, init) => {
      const res = await undiciFetch(url, { ...init, dispatcher });
      return new Response(await res.arrayBuffer(), { status: res.status, headers: [...res.headers] });
    };
    return () => {
      const app = new ConfidentialClientApplication(clientId, {
        clientCredential: secret,
        authority: emu.authority,
        instanceDiscovery: emu.instanceDiscoveryUrl,
        httpClient,
      });
      return {
        requests,
        app: {
          async acquireChecked(scope) {
            const r = await app.acquireTokenForClient(resource(scope));
            if ("error" in r) throw new Error(`msal-ts: ${r.error}: ${r.error_description ?? ""}`);
            return r.access_token;
          },
        },
      };
    };
  };

  const msalNode = async (): Promise<AppFactory> => {
    const { ConfidentialClientApplication } = await import("@azure/msal-node");
    // msal-node has no CA option of its own: its network module is undici trusting the emulator's CA.
    const send = async <T>(url: string, method: "GET" | "POST", options?: NetworkRequestOptions) => {
      const res = await undiciFetch(url, { method, headers: options?.headers ?? {}, body: options?.body ?? null, dispatcher });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: (await res.json()) as T };
    };
    const networkClient: INetworkModule = {
      sendGetRequestAsync: (url, options) => send(url, "GET", options),
      sendPostRequestAsync: (url, options) => send(url, "POST", options),
    };
    return () => {
      const app = new ConfidentialClientApplication({
        auth: { clientId, clientSecret: secret, authority: emu.authority, knownAuthorities: [emu.host] },
        system: { networkClient },
      });
      return {
        requests,
        app: {
          async acquireChecked(scope) {
            const r = await app.acquireTokenByClientCredential({ scopes: resource(scope) });
            if (!r?.accessToken) throw new Error("msal-node: no access token");
            return r.accessToken;
          },
        },
      };
    };
  };

  const factories = new Map<LibraryName, AppFactory>([
    ["msal-ts", await msalTs()],
    ["msal-node", await msalNode()],
  ]);
  return {
    apps: (library) => {
      const f = factories.get(library);
      if (!f) throw new Error(`no app factory for ${library}`);
      return f;
    },
    close: async () => {
      await dispatcher.close();
      await emu.close();
    },
  };
}

// ---- measuring ----------------------------------------------------------------------------------

interface Run {
  /** From the first call until every caller had its result. */
  readonly us: number;
  /** Token requests the endpoint saw during the timed calls. */
  readonly requests: number;
}

async function runOnce(apps: AppFactory, run: number, callers: number): Promise<Run> {
  const { app, requests } = apps(run);
  await app.acquireChecked(WARM_SCOPE);
  const before = requests();
  const start = process.hrtime.bigint();
  const tokens = await Promise.all(Array.from({ length: callers }, () => app.acquireChecked(RUN_SCOPE)));
  const us = Number(process.hrtime.bigint() - start) / 1e3;
  if (tokens.length !== callers || tokens.some((t) => typeof t !== "string" || t === "")) {
    throw new Error(`a caller got no token (${tokens.length} of ${callers})`);
  }
  return { us, requests: requests() - before };
}

interface Summary {
  readonly medianUs: number;
  readonly minUs: number;
  /** Fewest and most requests of a run: equal unless the library is not deterministic about it. */
  readonly minRequests: number;
  readonly maxRequests: number;
}

function summarize(runs: readonly Run[]): Summary {
  const times = runs.map((r) => r.us).sort((a, b) => a - b);
  const requests = runs.map((r) => r.requests);
  const mid = Math.floor(times.length / 2);
  const median = times.length % 2 ? (times[mid] ?? 0) : ((times[mid - 1] ?? 0) + (times[mid] ?? 0)) / 2;
  return { medianUs: median, minUs: times[0] ?? 0, minRequests: Math.min(...requests), maxRequests: Math.max(...requests) };
}

/** Three significant figures or so; thousands separated. */
const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!options) return;
  const cases = CASES.filter((c) => !options.filter || options.filter.test(c.name));
  if (cases.length === 0) {
    console.log(`concurrent-miss benchmark: no case matches ${String(options.filter)} (cases: ${CASES.map((c) => c.name).join(", ")})`);
    return;
  }
  const adapters: LibraryAdapter[] = [];
  for (const name of LIBRARIES.filter((n) => options.only.includes(n))) adapters.push(await loadAdapter(name));
  const runs = options.quick ? 5 : 21;
  console.log(
    `concurrent-miss benchmark — node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} ×${cpus().length}, ` +
      adapters.map((a) => `${a.name} ${a.version}`).join(", ") +
      `, ${runs} runs per case${options.quick ? ", quick" : ""}`,
  );

  const emulator = cases.some((c) => c.network === "emulator") ? await startEmulator() : undefined;
  const appsFor = (network: Network, adapter: LibraryAdapter): AppFactory =>
    network === "fake" || !emulator ? fakeApps(adapter) : emulator.apps(adapter.name);
  const rows: string[][] = [];
  try {
    // Prelude: JIT-warm every library (and the emulator) on each network, so the first case is not the one paying.
    for (const network of new Set(cases.map((c) => c.network))) {
      for (const adapter of adapters) {
        const apps = appsFor(network, adapter);
        for (let run = 0; run < 5; run++) await runOnce(apps, run, 10);
      }
    }
    for (const c of cases) {
      const apps = adapters.map((adapter) => appsFor(c.network, adapter));
      const measured = adapters.map((): Run[] => []);
      // The libraries' runs take turns, so that drift (a collection of the previous case's garbage,
      // a noisy neighbour) falls on both alike. Run numbers are tenants of the fake: each run is a new app.
      for (let run = 1; run <= runs; run++) {
        for (const [i, factory] of apps.entries()) measured[i]?.push(await runOnce(factory, run, c.callers));
      }
      for (const [i, adapter] of adapters.entries()) {
        const s = summarize(measured[i] ?? []);
        const requests = s.minRequests === s.maxRequests ? String(s.minRequests) : `${s.minRequests}–${s.maxRequests}`;
        console.log(`  ${c.name.padEnd(13)} ${adapter.name.padEnd(9)} ${requests.padStart(7)} requests  ${fmt(s.medianUs).padStart(9)} µs`);
        rows.push([c.network, adapter.name, String(c.callers), requests, fmt(s.medianUs), fmt(s.minUs)]);
      }
    }
  } finally {
    await emulator?.close();
  }
  console.log();
  printTable(["token endpoint", "library", "callers", "token requests", "time to all results µs (median)", "fastest µs"], rows);
}

await main();
