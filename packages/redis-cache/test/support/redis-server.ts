// A real redis-server for the tests and the benchmark: started on a free loopback port in a temporary
// directory, without persistence, and stopped (and its directory removed) afterwards.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  /** `redis://127.0.0.1:{port}`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** The redis-server program: `REDIS_SERVER` when set, else the one on the PATH (Debian's package). */
const PROGRAM = process.env["REDIS_SERVER"] ?? "redis-server";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        child.stdout?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null): void => {
      reject(new Error(`redis-server exited (code ${code}) before it was ready:\n${output.slice(-2000)}`));
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", (e) => reject(new Error(`redis-server could not be started (${PROGRAM}): ${e.message}`)));
  });
}

/**
 * Starts a redis-server. The port is probed free first; should another process take it before
 * redis-server binds, the start is retried on another port.
 */
export async function startRedisServer(): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "msal-ts-redis-"));
    const child = spawn(
      PROGRAM,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", ""],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const kill = (): void => {
      child.kill("SIGKILL");
    };
    process.once("exit", kill);
    try {
      await waitForReady(child);
    } catch (e) {
      lastError = e;
      process.off("exit", kill);
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    let stopping: Promise<void> | undefined;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: () =>
        (stopping ??= new Promise<void>((resolve) => {
          process.off("exit", kill);
          const done = (): void => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          };
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once("exit", done);
          child.kill("SIGTERM");
        })),
    };
  }
  throw lastError;
}
