#!/usr/bin/env node
/**
 * The `msal-ts` executable: runs the command line with the process's streams, Ctrl-C as an abort
 * signal, and exits with the command's code.
 *
 * @module
 */
import { runCli } from "./cli.js";
import { ExitCode } from "./errors.js";

const controller = new AbortController();
let interrupts = 0;
const interrupt = (): void => {
  interrupts++;
  // A second Ctrl-C does not wait for the first to wind down.
  if (interrupts > 1) process.exit(ExitCode.INTERRUPTED);
  controller.abort();
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);

/** Resolves once everything written to the stream has been handed to the system. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
await Promise.all([drained(process.stdout), drained(process.stderr)]);
// Exit now: idle keep-alive connections and an abandoned sign-in listener must not hold the process.
process.exit(code);
