#!/usr/bin/env node
// msal-ts-emulator: runs the emulator until SIGINT/SIGTERM.
//   msal-ts-emulator [--port N] [--hostname NAME]... [--config tenants.json] [--ca-out ca.pem] [--quiet]
import { parseArgs } from "node:util";
import { standaloneEmulatorArgs, standaloneEmulatorHelp, startStandaloneEmulator } from "./standalone.js";

const USAGE = `Usage: msal-ts-emulator [options]

A local, offline Microsoft identity platform (Entra ID) authority over HTTPS.

Options:
${standaloneEmulatorHelp}
  -h, --help          show this help
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
