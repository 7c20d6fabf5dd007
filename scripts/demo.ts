// The demo `npm start` runs: an emulated Entra tenant on https://localhost, and a daemon app that
// gets tokens from it with a secret and with a certificate, the second time from its cache.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { createEmulator, createTestCertificate } from "@msal-ts/emulator";
import { ConfidentialClientApplication, type AuthenticationResult } from "@msal-ts/msal";

const TENANT = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
const cert = createTestCertificate({ subject: "CN=demo daemon" });
const emu = await createEmulator({
  tenants: [
    {
      id: TENANT,
      domains: ["contoso.onmicrosoft.com"],
      apis: [{ identifier: "api://orders", roles: ["Orders.Read", "Orders.Write"] }],
      apps: [
        {
          clientId: "11111111-2222-3333-4444-555555555555",
          displayName: "demo daemon",
          secrets: ["demo-secret"],
          certificates: [cert.certificate],
          appRoles: { "api://orders": ["Orders.Read"] },
        },
      ],
    },
  ],
});
const caPath = join(mkdtempSync(join(tmpdir(), "msal-ts-demo-")), "emulator-ca.pem");
writeFileSync(caPath, emu.caCertificate);
console.log(`Emulated authority: ${emu.authorityFor("contoso.onmicrosoft.com")}`);
console.log(`Its CA certificate: ${caPath}\n`);

function show(label: string, r: AuthenticationResult): void {
  if ("error" in r) {
    console.log(`${label}: ${r.error} — ${r.error_description?.split("\r\n")[0]}`);
    return;
  }
  const c = decodeJwt(r.access_token);
  console.log(
    `${label}: ${r.token_type} token from ${r.token_source}, expires in ${r.expires_in}s; ` +
      `aud=${String(c.aud)} roles=${JSON.stringify(c.roles ?? [])} azpacr=${String(c.azpacr)}`,
  );
}

const common = {
  authority: emu.authorityFor("contoso.onmicrosoft.com"),
  instanceDiscovery: emu.instanceDiscoveryUrl,
  verify: caPath,
};
const withSecret = new ConfidentialClientApplication("11111111-2222-3333-4444-555555555555", {
  ...common,
  clientCredential: "demo-secret",
});
show("secret, 1st call     ", await withSecret.acquireTokenForClient(["api://orders/.default"]));
show("secret, 2nd call     ", await withSecret.acquireTokenForClient(["api://orders/.default"]));

const withCert = new ConfidentialClientApplication("11111111-2222-3333-4444-555555555555", {
  ...common,
  clientCredential: { privateKey: cert.privateKey, thumbprintSha256: cert.thumbprintSha256 },
});
show("certificate, 1st call", await withCert.acquireTokenForClient(["https://graph.microsoft.com/.default"]));
show("certificate, 2nd call", await withCert.acquireTokenForClient(["https://graph.microsoft.com/.default"]));

const wrong = new ConfidentialClientApplication("11111111-2222-3333-4444-555555555555", {
  ...common,
  clientCredential: "not-the-secret",
});
show("wrong secret         ", await wrong.acquireTokenForClient(["api://orders/.default"]));

console.log(`\nToken requests the emulator answered: ${emu.tokenRequestCount()}`);
await emu.close();
