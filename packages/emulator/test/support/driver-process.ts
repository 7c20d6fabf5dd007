import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A JSON object, as the driver scripts read and print them. */
export type Json = Record<string, unknown>;

/**
 * A running driver script of a peer MSAL (MSAL Python, msal-node): its JSON lines as they come, a
 * way to answer a step of a flow, and its exit.
 */
export interface DriverRun {
  /** The next JSON line the script printed. */
  next(): Promise<Json>;
  /** Writes one JSON line to the script's stdin. */
  send(value: unknown): void;
  /** The last line, once the script exited with status 0. */
  done(): Promise<Json>;
}

/** How to start a driver script. */
export interface DriverCommand {
  /** Named in failures. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Scripts still running are added here while they run (to be killed after a failed test). */
  readonly running: Set<ChildProcess>;
  /** Checks each line as it comes (e.g. fails on the script's own error line). */
  readonly check?: (line: Json, stderr: string) => void;
}

/**
 * Starts a driver script and sends `request` as its first stdin line. Every script reads one JSON
 * object on that line and prints JSON lines on stdout; the last line is the outcome.
 */
export function startDriver(driver: DriverCommand, request: Json): DriverRun {
  const child = spawn(driver.command, [...driver.args], { env: driver.env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  driver.running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (status) => {
      driver.running.delete(child);
      resolve(status);
    }),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Json> => {
    const line = await lines.next();
    if (line.done) {
      const status = await exited;
      throw new Error(`${driver.name} ended (status ${String(status)}) without output:\n${stderr}`);
    }
    const value = JSON.parse(line.value) as Json;
    driver.check?.(value, stderr);
    return value;
  };
  const send = (value: unknown): void => {
    child.stdin.write(`${JSON.stringify(value)}\n`);
  };
  send(request);
  return {
    next,
    send,
    done: async () => {
      const last = await next();
      const status = await exited;
      assert.equal(status, 0, `${driver.name} failed:\n${stderr}`);
      return last;
    },
  };
}
