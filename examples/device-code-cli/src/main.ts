// The tool itself, configured by environment variables (the list is in cliConfigFromEnv, src/cli.ts).
// Against the local emulator, `src/demo.ts` sets them for you.
//
//   CLIENT_ID=<public client app id> AUTHORITY=https://login.microsoftonline.com/organizations \
//   node --conditions=source --import tsx examples/device-code-cli/src/main.ts [sign-in | sign-out]
//
// Ctrl-C stops waiting for the user.
import { DeviceCodeCliConfigError, cliConfigFromEnv, signIn, signOut } from "./cli.js";

const command = process.argv[2] ?? "sign-in";
if (command !== "sign-in" && command !== "sign-out") {
  console.error(`Unknown command ${JSON.stringify(command)}: use sign-in (the default) or sign-out.`);
  process.exit(2);
}
let config;
try {
  config = cliConfigFromEnv(process.env);
} catch (e) {
  if (!(e instanceof DeviceCodeCliConfigError)) throw e;
  console.error(e.message);
  process.exit(2);
}

if (command === "sign-out") {
  await signOut(config);
} else {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  try {
    const outcome = await signIn(config, { signal: controller.signal });
    process.exitCode = "error" in outcome ? 1 : 0;
  } catch (e) {
    if (!controller.signal.aborted) throw e;
    console.error("Cancelled.");
    process.exitCode = 130;
  }
}
// Idle keep-alive connections must not hold the process open.
process.exit();
