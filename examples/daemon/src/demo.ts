// The daemon against the local emulator, in one command:
//
//   npm start -w examples/daemon
//   node --conditions=source --import tsx examples/daemon/src/demo.ts     (the same)
//
// It starts an emulated tenant on https://localhost, makes a certificate and registers it on the
// tenant's sample daemon app, starts the API the daemon calls, then runs the daemon with the same
// environment variables you would set for a real tenant, prints what happened, and exits.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, createTestCertificate, defaultTenant } from "@msal-ts/emulator";
import { daemonConfigFromEnv, runDaemon } from "./daemon.js";
import { startOrdersApi } from "./demo-orders-api.js";

const [daemonApp, , , , ordersApp] = defaultTenant.apps;
const cert = createTestCertificate({ subject: "CN=msal-ts example daemon" });

// The default tenant, with the certificate registered on the daemon's app registration (what you
// do in the Azure portal under "Certificates & secrets").
const emu = await createEmulator({
  tenants: [
    {
      ...defaultTenant,
      apps: defaultTenant.apps.map((app) => (app === daemonApp ? { ...app, certificates: [cert.certificate] } : app)),
    },
  ],
});
const dir = mkdtempSync(join(tmpdir(), "msal-ts-daemon-"));
const files = { ca: join(dir, "emulator-ca.pem"), cert: join(dir, "daemon-cert.pem"), key: join(dir, "daemon-key.pem") };
writeFileSync(files.ca, emu.caCertificate);
writeFileSync(files.cert, cert.certificate);
writeFileSync(files.key, cert.privateKey, { mode: 0o600 });

const api = await startOrdersApi({
  issuer: `${emu.authority}/v2.0`,
  jwksUri: `${emu.authority}/discovery/v2.0/keys`,
  audience: ordersApp.clientId,
  role: "Orders.Read.All",
  ca: emu.caCertificate,
});

const env = {
  AUTHORITY: emu.authority,
  CLIENT_ID: daemonApp.clientId,
  CERTIFICATE_KEY: files.key,
  CERTIFICATE: files.cert,
  SCOPE: "api://orders/.default",
  API_URL: api.url,
  CA_FILE: files.ca,
  INSTANCE_DISCOVERY: emu.instanceDiscoveryUrl,
};
console.log("The daemon's settings, the environment variables src/main.ts reads:");
for (const [name, value] of Object.entries(env)) console.log(`  ${name}=${value}`);
console.log("");

let code = 1;
let tokenRequests = 0;
try {
  code = await runDaemon(daemonConfigFromEnv(env), 2);
  tokenRequests = emu.tokenRequestCount({ grantType: "client_credentials", clientId: daemonApp.clientId });
} finally {
  await api.close();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\nThe emulator answered ${tokenRequests} client credentials request(s)` +
    (tokenRequests === 1 ? ": the second call used the cached token." : "."),
);
process.exitCode = code;
