// Shared helpers of the msal-ts command tests: the command runs as a subprocess (as a user runs it)
// against an emulator in the test process, with a token cache in a temporary directory.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createEmulator, defaultTenant } from "@msal-ts/emulator";
import type { Emulator, EmulatorOptions } from "@msal-ts/emulator";
import { runCli } from "../src/cli.js";

/** The repository root: the command runs from there, as `npm run msal-ts` runs it. */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The command's entry point, run from source. */
export const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
/** How node runs the command from source. */
export const NODE_ARGS = ["--conditions=source", "--import", "tsx", MAIN];

export const DAEMON = { clientId: defaultTenant.apps[0].clientId, secret: defaultTenant.apps[0].secrets[0] };
export const DESKTOP_CLIENT_ID = defaultTenant.apps[2].clientId;
export const ADELE = { username: defaultTenant.users[0].username, password: defaultTenant.users[0].password };

/** A running emulator, its CA in a file, and the options that point msal-ts at it. */
export interface TestAuthority {
  readonly emu: Emulator;
  readonly dir: string;
  readonly caPath: string;
  /** `--authority`, `--instance-discovery` and `--ca-file`. */
  readonly flags: readonly string[];
}

/** Starts an emulator that lets device-code clients poll every second. */
export async function startAuthority(options: EmulatorOptions = {}): Promise<TestAuthority> {
  const emu = await createEmulator({ deviceCode: { interval: 1 }, ...options });
  const dir = mkdtempSync(join(tmpdir(), "msal-ts-cli-"));
  const caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
  return { emu, dir, caPath, flags: ["--authority", emu.authority, "--instance-discovery", emu.instanceDiscoveryUrl, "--ca-file", caPath] };
}

/** The environment for the command: this one without msal-ts settings, plus `extra`. */
export function commandEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("MSAL_TS_")) env[name] = value;
  return { ...env, NO_COLOR: "1", ...extra };
}

/** What a finished run printed and how it exited. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running command. */
export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves when the output matches (checked on every chunk); rejects if the command exits first. */
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr"): Promise<RegExpExecArray>;
  /** Resolves with the outcome once the command exits. */
  done: Promise<RunResult>;
}

/** Starts `msal-ts args…` as a subprocess. */
export function start(args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env, stdio: "pipe" });
  let out = "";
  let err = "";
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    changed();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
    changed();
  });
  const done = new Promise<RunResult>((resolve) => child.on("close", (code) => resolve({ code, stdout: out, stderr: err })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(pattern, stream = "stderr") {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(stream === "stdout" ? out : err);
          if (m) {
            listeners.delete(check);
            resolve(m);
          }
        };
        listeners.add(check);
        check();
        void done.then((r) => {
          if (listeners.delete(check)) reject(new Error(`msal-ts exited (${String(r.code)}) before printing ${pattern}:\n${r.stdout}\n${r.stderr}`));
        });
      });
    },
  };
}

/** Runs `msal-ts args…` to the end. */
export function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const running = start(args, env);
  running.child.stdin.end();
  return running.done;
}

/**
 * Runs the command line in this process, as `main.ts` does but with captured output: for the
 * many quick checks of arguments, where a process per case would only add start-up time.
 */
export async function runHere(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

/** Asserts the run failed with `code` and said so in exactly one `msal-ts: error:` line on stderr. */
export function assertOneLineError(r: RunResult, code: number, pattern?: RegExp): string {
  assert.equal(r.code, code, `exit code; stderr:\n${r.stderr}`);
  const lines = r.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  const line = lines[0] ?? "";
  assert.match(line, /^msal-ts: error: \S/);
  if (pattern) assert.match(line, pattern);
  assert.equal(r.stdout, "", "nothing on stdout");
  return line;
}

/** Parses the JSON a `--json` run printed. */
export function json<T = Record<string, unknown>>(r: RunResult): T {
  assert.equal(r.code, 0, `exit code; stderr:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Every `secret` value in a serialized token cache. */
export function secretsIn(cacheText: string): string[] {
  const secrets: string[] = [];
  const state = JSON.parse(cacheText) as Record<string, Record<string, { secret?: unknown }>>;
  for (const section of Object.values(state)) {
    for (const entry of Object.values(section)) if (typeof entry.secret === "string") secrets.push(entry.secret);
  }
  return secrets;
}
