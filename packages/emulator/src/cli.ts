#!/usr/bin/env node
// msal-ts-emulator: runs the emulator until SIGINT/SIGTERM.
//   msal-ts-emulator [--port N] [--hostname NAME]... [--config tenants.json] [--ca-out ca.pem] [--quiet] [--fault SPEC]...
import { parseArgs } from "node:util";
import { parseFaultSpec } from "./faults/index.js";
import { standaloneEmulatorArgs, standaloneEmulatorHelp, standaloneFaultHelp, startStandaloneEmulator } from "./standalone.js";

const USAGE = `Usage: msal-ts-emulator [options]

A local, offline Microsoft identity platform (Entra ID) authority over HTTPS.

Options:
${standaloneEmulatorHelp}
  -h, --help          show this help

${standaloneFaultHelp}
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ...standaloneEmulatorArgs, help: { type: "boolean", short: "h" } },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // A bad --fault spec is a usage error: one line, exit code 2, before anything starts.
  try {
    for (const spec of values.fault ?? []) parseFaultSpec(spec);
  } catch (err) {
    console.error(`msal-ts-emulator: ${(err as Error).message}`);
    process.exit(2);
  }
  const { emulator, describe } = await startStandaloneEmulator(values);
  for (const line of describe()) console.log(line);
  console.log("Press Ctrl+C to stop.");

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`msal-ts-emulator: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`msal-ts-emulator: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exit(1);
});
