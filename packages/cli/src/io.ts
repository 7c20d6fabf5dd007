/**
 * Where a command writes, what it reads from its environment, and how it is cancelled.
 *
 * @module
 */
import { CancelledError } from "./errors.js";

/** A stream the command writes to: `process.stdout` or `process.stderr`. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** The command's surroundings. */
export interface Io {
  /** Results: the token, the account list, JSON. */
  readonly stdout: OutputStream;
  /** Everything for the person at the terminal: instructions, progress, errors. */
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C. */
  readonly signal: AbortSignal;
}

/** Writes a line of results. */
export function print(io: Io, line: string): void {
  io.stdout.write(`${line}\n`);
}

/** Writes a line for the user on stderr. */
export function tell(io: Io, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** Writes a value as JSON on stdout. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** True when stderr is a terminal that takes colour and cursor control. */
export function isInteractiveTerminal(io: Io): boolean {
  return io.stderr.isTTY === true && io.env.TERM !== "dumb";
}

/** `text` in bold on a terminal that takes colour (and `NO_COLOR` unset), else as is. */
export function bold(io: Io, text: string): string {
  return isInteractiveTerminal(io) && !io.env.NO_COLOR ? `\u001b[1m${text}\u001b[22m` : text;
}

/**
 * Settles as `promise` does, or rejects with {@link CancelledError} as soon as `signal` aborts,
 * whichever comes first: Ctrl-C never waits for a request or a poll to notice the signal.
 */
export function unlessCancelled<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(new CancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? new CancelledError() : err);
      },
    );
  });
}
