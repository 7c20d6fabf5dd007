/**
 * `msal-ts <command> [options]`: finds the command, runs it, and turns the outcome into an exit
 * code and at most one line on stderr.
 *
 * @module
 */
import type { Command } from "./command.js";
import { accounts } from "./commands/accounts.js";
import { cache } from "./commands/cache.js";
import { emulator } from "./commands/emulator.js";
import { login } from "./commands/login.js";
import { logout } from "./commands/logout.js";
import { token } from "./commands/token.js";
import { ExitCode, UsageError, describeError } from "./errors.js";
import type { Io } from "./io.js";
import { globalOptions, globalOptionsHelp } from "./options.js";
import { VERSION } from "./version.js";

/** Every command, in the order the help lists them. */
export const commands: readonly Command[] = [login, token, accounts, logout, cache, emulator];

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: msal-ts <command> [options]

Signs in to Microsoft Entra ID (or the local emulator) and gets tokens, with the token cache in a
file of its own.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

${globalOptionsHelp}
  --version                    show the version

Run 'msal-ts <command> --help' for a command's options.
`;
}

/** Global options that take a value: their value is not the command name. */
const VALUE_OPTIONS = new Set(
  Object.entries(globalOptions)
    .filter(([, o]) => o.type === "string")
    .map(([name]) => `--${name}`),
);

/**
 * Finds the command among the arguments: the first one that is neither an option nor a global
 * option's value, so `msal-ts --json accounts` works as `msal-ts accounts --json` does.
 */
function findCommand(args: readonly string[]): { readonly index: number; readonly name: string } | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") return undefined;
    if (!arg.startsWith("-")) return { index: i, name: arg };
    if (VALUE_OPTIONS.has(arg)) i++;
  }
  return undefined;
}

async function dispatch(args: readonly string[], io: Io): Promise<void> {
  const found = findCommand(args);
  if (found === undefined) {
    if (args.includes("--version")) {
      io.stdout.write(`msal-ts ${VERSION}\n`);
      return;
    }
    if (args.includes("--help") || args.includes("-h")) {
      io.stdout.write(topLevelHelp());
      return;
    }
    throw new UsageError(`no command given (commands: ${commands.map((c) => c.name).join(", ")})`);
  }
  const rest = [...args.slice(0, found.index), ...args.slice(found.index + 1)];
  if (found.name === "help") {
    const topic = rest.find((a) => !a.startsWith("-"));
    const command = commands.find((c) => c.name === topic);
    if (topic !== undefined && command === undefined) throw new UsageError(`unknown command '${topic}'`);
    io.stdout.write(command ? await command.help() : topLevelHelp());
    return;
  }
  const command = commands.find((c) => c.name === found.name);
  if (command === undefined) {
    throw new UsageError(`unknown command '${found.name}' (commands: ${commands.map((c) => c.name).join(", ")})`);
  }
  await command.run(rest, io);
}

/**
 * Runs `msal-ts` with `args` (without the node and script paths).
 *
 * @returns The exit code: 0, 1 (a failure), 2 (a usage error) or 130 (Ctrl-C).
 */
export async function runCli(args: readonly string[], io: Io): Promise<ExitCode> {
  try {
    await dispatch(args, io);
    return ExitCode.OK;
  } catch (err) {
    const { line, exitCode } = describeError(err, io.signal.aborted);
    io.stderr.write(`msal-ts: ${line}\n`);
    if (io.env.MSAL_TS_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return exitCode;
  }
}
