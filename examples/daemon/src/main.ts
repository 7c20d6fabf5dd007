// Runs the daemon against any authority, configured by environment variables (the list is in
// daemonConfigFromEnv, src/daemon.ts). Against the local emulator, `src/demo.ts` sets them for you.
//
//   AUTHORITY=https://login.microsoftonline.com/<tenant> CLIENT_ID=<app id> \
//   CERTIFICATE_KEY=key.pem CERTIFICATE=cert.pem \
//   node --conditions=source --import tsx examples/daemon/src/main.ts
//
// ROUNDS (default 2) is how many times it gets a token and calls the API.
import { DaemonConfigError, daemonConfigFromEnv, runDaemon } from "./daemon.js";

try {
  const rounds = Number(process.env.ROUNDS ?? 2);
  if (!Number.isInteger(rounds) || rounds < 1) throw new DaemonConfigError("ROUNDS must be a whole number of at least 1.");
  process.exitCode = await runDaemon(daemonConfigFromEnv(process.env), rounds);
} catch (e) {
  if (!(e instanceof DaemonConfigError)) throw e;
  console.error(e.message);
  process.exitCode = 2;
}
