// The device-code tool against the local emulator, in one command:
//
//   npm start -w examples/device-code-cli
//   node --conditions=source --import tsx examples/device-code-cli/src/demo.ts     (the same)
//
// It runs the tool twice with one cache folder. The first run shows a code. Nobody is there to
// type it, so the demo plays the user: it enters the code on the emulator's device login page and
// signs in as Adele (the emulator's completeDeviceLogin). The second run finds Adele in the cache
// file and needs nothing from her, nor from the authority.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, defaultTenant } from "@msal-ts/emulator";
import { cliConfigFromEnv, signIn } from "./cli.js";

const [, , desktopApp] = defaultTenant.apps;
const [adele] = defaultTenant.users;

// Polling every second instead of Entra's five keeps the demo short.
const emu = await createEmulator({ deviceCode: { interval: 1 } });
const dir = mkdtempSync(join(tmpdir(), "msal-ts-device-code-"));
const caFile = join(dir, "emulator-ca.pem");
writeFileSync(caFile, emu.caCertificate);

const env = {
  AUTHORITY: emu.authority,
  CLIENT_ID: desktopApp.clientId,
  SCOPES: "User.Read",
  CACHE_DIR: join(dir, "cache"),
  CA_FILE: caFile,
  INSTANCE_DISCOVERY: emu.instanceDiscoveryUrl,
};
console.log("The tool's settings, the environment variables src/main.ts reads:");
for (const [name, value] of Object.entries(env)) console.log(`  ${name}=${value}`);
const config = cliConfigFromEnv(env);

let code = 1;
try {
  console.log("\nRun 1: nobody has signed in yet.");
  let approval: Promise<void> | undefined;
  const first = await signIn(config, {
    onDeviceCode: (flow) => {
      approval = emu.completeDeviceLogin(flow.user_code, { username: adele.username, password: adele.password }).then((outcome) => {
        console.log(`  (The demo, as ${adele.username}: entered the code at ${flow.verification_uri} and signed in: ${outcome}.)`);
      });
    },
  });
  await approval;

  console.log("\nRun 2: a new application object over the same cache files.");
  const before = emu.requests.length;
  const second = await signIn(config);
  const requests = emu.requests.length - before;
  console.log(`\nThe emulator served ${requests} request(s) during the second run.`);
  code = !("error" in first) && !("error" in second) && second.silent && requests === 0 ? 0 : 1;
} finally {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = code;
