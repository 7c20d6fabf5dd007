// Helpers of the multi-process tests: an emulator with many apps and APIs, and worker processes
// (./cache-worker.ts) to start, talk to and wait for.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, type Emulator } from "@msal-ts/emulator";

const TENANT = "3c0ffee5-0000-4a11-8c11-5ca1ab1e0001";
const WORKER = fileURLToPath(new URL("./cache-worker.ts", import.meta.url));

export const clientId = (p: number): string => `worker-${p}`;
const secret = (p: number): string => `worker-${p}-secret~emulator-only`;
const resource = (i: number): string => `api://resource-${i}`;

/** An emulator whose tenant has `apps` confidential clients and `apis` APIs, and a scratch directory. */
export interface Authority {
  readonly emu: Emulator;
  readonly dir: string;
  readonly caPath: string;
  close(): Promise<void>;
}

export async function startAuthority(apps: number, apis: number): Promise<Authority> {
  const emu = await createEmulator({
    tenants: [
      {
        id: TENANT,
        apis: Array.from({ length: apis }, (_, i) => ({ identifier: resource(i) })),
        apps: Array.from({ length: apps }, (_, p) => ({ clientId: clientId(p), secrets: [secret(p)] })),
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "msal-ts-persistence-"));
  const caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
  return {
    emu,
    dir,
    caPath,
    close: async () => {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** Resolves once the worker wrote `line`; fails if it exits first. */
  said(line: string): Promise<void>;
}

export function startWorker(settings: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", WORKER, JSON.stringify(settings)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiting: Array<{ line: string; resolve: () => void }> = [];
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    const lines = stdout.split("\n");
    for (const w of [...waiting]) {
      if (lines.includes(w.line)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    exited,
    said: (line) =>
      stdout.split("\n").includes(line)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolve) => waiting.push({ line, resolve })),
            exited.then((e) => assert.fail(`the worker exited (${e.code ?? e.signal}) before saying ${line}: ${e.stderr}`)),
          ]),
  };
}

/** Settings for a worker that acquires `count` tokens as client `p` into `cachePath`. */
export function acquireSettings(
  authority: Authority,
  cachePath: string,
  p: number,
  count: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    mode: "acquire",
    cachePath,
    authority: authority.emu.authorityFor(TENANT),
    instanceDiscovery: authority.emu.instanceDiscoveryUrl,
    caPath: authority.caPath,
    clientId: clientId(p),
    secret: secret(p),
    resources: Array.from({ length: count }, (_, i) => resource(i)),
    ...extra,
  };
}

/** Waits for a worker and checks it exited 0; returns what it wrote. */
export async function succeeded(worker: Worker): Promise<string> {
  const { code, signal, stdout, stderr } = await worker.exited;
  assert.equal(code, 0, `a worker failed (${code ?? signal}): ${stderr}`);
  return stdout;
}

/** The AccessToken entries of a plaintext cache file, counted by client id. */
export function accessTokensByClient(cachePath: string): Map<string, number> {
  const parsed = JSON.parse(readFileSync(cachePath, "utf8")) as { AccessToken?: Record<string, { client_id: string }> };
  const counts = new Map<string, number>();
  for (const entry of Object.values(parsed.AccessToken ?? {})) counts.set(entry.client_id, (counts.get(entry.client_id) ?? 0) + 1);
  return counts;
}
