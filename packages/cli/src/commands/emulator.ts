/**
 * `msal-ts emulator`: runs the local authority until Ctrl-C, and says how to use it.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { StandaloneEmulator } from "@msal-ts/emulator";
import { parseCommandLine } from "../command.js";
import type { Command } from "../command.js";
import { UsageError } from "../errors.js";
import { print } from "../io.js";
import { EMULATOR_DESKTOP_CLIENT_ID } from "../options.js";

/** The help, with the standalone emulator's own options (loaded with the emulator). */
async function help(): Promise<string> {
  const { standaloneEmulatorHelp, standaloneFaultHelp } = await import("@msal-ts/emulator");
  return `Usage: msal-ts emulator [options]

Starts a local, offline Microsoft Entra ID authority over HTTPS (the emulator) and prints its
authority URL, CA certificate, apps and users, and the msal-ts options that point at it. Runs
until Ctrl-C.

Options:
${standaloneEmulatorHelp}
  -h, --help          show help

${standaloneFaultHelp}
`;
}

/** A shell word: quoted when it holds anything a shell would read specially. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** How to sign in to the running emulator with msal-ts: flags, or the environment. */
function usage(running: StandaloneEmulator): string[] {
  const { emulator, caPath, tenants } = running;
  const apps = tenants[0]?.apps ?? [];
  const desktop = apps.find((app) => app.publicClient)?.clientId;
  const daemon = apps.find((app) => !app.publicClient && (app.secrets?.length ?? 0) > 0 && (app.redirectUris?.length ?? 0) === 0);
  const common = ["--authority", emulator.authority, "--ca-file", caPath].map(shellWord);
  const clientId = desktop !== undefined && desktop !== EMULATOR_DESKTOP_CLIENT_ID ? ["--client-id", shellWord(desktop)] : [];
  const lines = [
    "Use it with msal-ts:",
    `  msal-ts login --device-code ${[...clientId, ...common].join(" ")}`,
    `  msal-ts token --scope User.Read ${[...clientId, ...common].join(" ")}`,
  ];
  const secret = daemon?.secrets?.[0];
  if (daemon !== undefined && secret !== undefined) {
    lines.push(
      `  msal-ts token --scope https://graph.microsoft.com/.default --client-id ${shellWord(daemon.clientId)} --client-secret ${shellWord(secret)} ${common.join(" ")}`,
    );
  }
  lines.push(
    "or set, for every msal-ts command (a cache of its own keeps the emulator's tokens apart):",
    `  MSAL_TS_AUTHORITY=${shellWord(emulator.authority)}`,
    `  MSAL_TS_CA_FILE=${shellWord(caPath)}`,
    `  MSAL_TS_CACHE=${shellWord(join(dirname(caPath), "cache.json"))}`,
  );
  if (clientId.length > 0) lines.push(`  MSAL_TS_CLIENT_ID=${clientId[1] ?? ""}`);
  return lines;
}

/** `msal-ts emulator`. */
export const emulator: Command = {
  name: "emulator",
  summary: "run the local emulator authority (until Ctrl-C)",
  help,
  async run(args, io) {
    // The emulator is loaded only by this command: the others start faster without it.
    const { parseFaultSpec, standaloneEmulatorArgs, startStandaloneEmulator } = await import("@msal-ts/emulator");
    const { values } = parseCommandLine("emulator", { args, options: { ...standaloneEmulatorArgs, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      io.stdout.write(await help());
      return;
    }
    for (const spec of values.fault ?? []) {
      try {
        parseFaultSpec(spec);
      } catch (err) {
        throw new UsageError((err as Error).message, "emulator");
      }
    }
    const running = await startStandaloneEmulator({ ...values, log: (line) => print(io, line) });
    try {
      for (const line of [...running.describe(), ...usage(running)]) print(io, line);
      print(io, "Press Ctrl+C to stop.");
      if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener("abort", resolve, { once: true }));
    } finally {
      await running.emulator.close();
    }
  },
};
