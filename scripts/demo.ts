// The demo `npm start` runs: an emulated Entra tenant on https://localhost, a daemon that gets app
// tokens from it (with a secret and with a certificate, the second time from its cache), and the
// example web app (examples/web-app), where a test user signs in through the emulator's page.
//
//   npm start                      runs until Ctrl-C; PORT (default 3000) and EMULATOR_PORT pick the ports
//   npm start -- --smoke           starts everything, checks the web app answers, and exits
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { createEmulator, createTestCertificate, defaultTenant } from "@msal-ts/emulator";
import { ConfidentialClientApplication, type AuthenticationResult } from "@msal-ts/msal";
import { createWebApp } from "../examples/web-app/src/app.js";

const smoke = process.argv.includes("--smoke");
const [daemon, webApp] = defaultTenant.apps;
const [user] = defaultTenant.users;
const cert = createTestCertificate({ subject: "CN=demo daemon" });

// The default tenant, with the daemon's certificate registered too.
const emu = await createEmulator({
  port: Number(process.env.EMULATOR_PORT ?? 0),
  tenants: [
    {
      ...defaultTenant,
      apps: defaultTenant.apps.map((app) => (app === daemon ? { ...app, certificates: [cert.certificate] } : app)),
    },
  ],
});
const caPath = join(mkdtempSync(join(tmpdir(), "msal-ts-demo-")), "emulator-ca.pem");
writeFileSync(caPath, emu.caCertificate);
const authority = emu.authorityFor("contoso.onmicrosoft.com");
const msalOptions = { instanceDiscovery: emu.instanceDiscoveryUrl, verify: caPath };
console.log(`Emulated authority:  ${authority}`);
console.log(`Its CA certificate:  ${caPath}\n`);

function show(label: string, r: AuthenticationResult): void {
  if ("error" in r) {
    console.log(`  ${label}: ${r.error} — ${r.error_description?.split("\r\n")[0]}`);
    return;
  }
  const c = decodeJwt(r.access_token);
  console.log(
    `  ${label}: ${r.token_type} token from ${r.token_source}, expires in ${r.expires_in}s; ` +
      `aud=${String(c.aud)} roles=${JSON.stringify(c.roles ?? [])} azpacr=${String(c.azpacr)}`,
  );
}

console.log("A daemon (client credentials):");
const withSecret = new ConfidentialClientApplication(daemon.clientId, {
  ...msalOptions,
  authority,
  clientCredential: daemon.secrets[0],
});
show("secret, 1st call     ", await withSecret.acquireTokenForClient(["api://orders/.default"]));
show("secret, 2nd call     ", await withSecret.acquireTokenForClient(["api://orders/.default"]));
const withCert = new ConfidentialClientApplication(daemon.clientId, {
  ...msalOptions,
  authority,
  clientCredential: { privateKey: cert.privateKey, thumbprintSha256: cert.thumbprintSha256 },
});
show("certificate, 1st call", await withCert.acquireTokenForClient(["https://graph.microsoft.com/.default"]));
show("certificate, 2nd call", await withCert.acquireTokenForClient(["https://graph.microsoft.com/.default"]));
const wrong = new ConfidentialClientApplication(daemon.clientId, { ...msalOptions, authority, clientCredential: "not-the-secret" });
show("wrong secret         ", await wrong.acquireTokenForClient(["api://orders/.default"]));

// The web app: sign in on the emulator's page, see the ID token's claims, call the emulator's API.
// The redirect URI is registered as loopback (any port), so the app's port is free to choose.
const server = createServer();
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(Number(process.env.PORT ?? (smoke ? 0 : 3000)), "127.0.0.1", () => resolve());
});
const baseUrl = `http://localhost:${(server.address() as AddressInfo).port}`;
server.on(
  "request",
  createWebApp({
    authority,
    clientId: webApp.clientId,
    clientSecret: webApp.secrets[0],
    baseUrl,
    api: { url: emu.protectedApiUrl, scopes: ["User.Read"] },
    logoutUrl: `${authority}/oauth2/v2.0/logout`,
    caFile: caPath,
    msal: { instanceDiscovery: emu.instanceDiscoveryUrl },
  }),
);

console.log(`\nThe web app:         ${baseUrl}`);
console.log(`Sign in as           ${user.username}  /  ${user.password}`);
console.log(`                     (more users and apps: npm run emulator)`);
console.log(`The emulator's API:  ${emu.protectedApiUrl}`);
console.log(
  `Your browser does not know the emulator's CA: import ${caPath} as a trusted authority,\n` +
    `or accept the certificate warning for ${emu.url} once.`,
);

async function stop(): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await emu.close();
}

if (smoke) {
  const home = await fetch(`${baseUrl}/`);
  const login = await fetch(`${baseUrl}/login`, { redirect: "manual" });
  const location = login.headers.get("location") ?? "";
  console.log(`\nsmoke: GET / -> ${home.status}; GET /login -> ${login.status} ${location.split("?")[0]}`);
  await stop();
  process.exit(home.status === 200 && login.status === 302 && location.startsWith(`${emu.url}/`) ? 0 : 1);
} else {
  console.log("\nCtrl-C stops the demo.");
  process.once("SIGINT", () => {
    void stop().then(() => process.exit(0));
  });
}
