/**
 * The errors the command reports, and how any error becomes one line and an exit code.
 *
 * @module
 */
import { isMsalError } from "@msal-ts/msal";
import type { ErrorResult } from "@msal-ts/msal";

/** Exit codes: 0 success, 1 a failure (authentication, network, files), 2 a usage error, 130 Ctrl-C. */
export const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2, INTERRUPTED: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the command reports as one line, with its exit code. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode = ExitCode.FAILURE) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The command line was wrong: an unknown option, a missing value, options that exclude each other. */
export class UsageError extends CliError {
  /** The command whose help to point at, if any. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message, ExitCode.USAGE);
    this.command = command;
  }
}

/** The authority answered with an error result. */
export class AuthError extends CliError {
  constructor(result: ErrorResult) {
    const description = firstLine(result.error_description ?? "");
    super(description ? `${result.error}: ${description}` : result.error, ExitCode.FAILURE);
  }
}

/** The user pressed Ctrl-C (or the process was asked to stop). */
export class CancelledError extends CliError {
  constructor() {
    super("cancelled", ExitCode.INTERRUPTED);
  }
}

/** The first non-empty line of a text, trimmed. */
export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== "") ?? ""
  );
}

function codeOf(err: unknown): string | undefined {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/**
 * Turns anything thrown into the one line to print (without the `msal-ts:` prefix) and an exit
 * code. Messages are the library's and ours, which never carry tokens or secrets.
 */
export function describeError(err: unknown, aborted: boolean): { readonly line: string; readonly exitCode: ExitCode } {
  if (err instanceof CancelledError || (aborted && !(err instanceof CliError))) {
    return { line: "cancelled", exitCode: ExitCode.INTERRUPTED };
  }
  if (err instanceof UsageError) {
    const help = err.command ? `msal-ts ${err.command} --help` : "msal-ts --help";
    return { line: `error: ${firstLine(err.message)} (see ${help})`, exitCode: ExitCode.USAGE };
  }
  if (err instanceof CliError) return { line: `error: ${firstLine(err.message)}`, exitCode: err.exitCode };
  const code = codeOf(err);
  const message = firstLine(err instanceof Error ? err.message : String(err)) || "unexpected failure";
  // node:util parseArgs, and the library's checks of values that came from the command line.
  if (code?.startsWith("ERR_PARSE_ARGS_")) return { line: `error: ${message} (see msal-ts --help)`, exitCode: ExitCode.USAGE };
  if (code === "ERR_INVALID_ARG_VALUE" || code === "ERR_INVALID_ARG_TYPE") {
    return { line: `error: ${message}`, exitCode: ExitCode.USAGE };
  }
  if (isMsalError(err)) {
    // The library's messages say what failed and what to check; a TLS failure is most often a
    // private CA (the emulator's) that was not passed.
    const tls = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(message);
    return { line: `error: ${message}${tls ? " (a private CA? pass it with --ca-file)" : ""}`, exitCode: ExitCode.FAILURE };
  }
  return { line: `error: ${message}`, exitCode: ExitCode.FAILURE };
}
