// The on-behalf-of API against the local emulator, in one command:
//
//   npm start -w examples/obo-api                  one signed-in call (and two refused ones), then exits
//   npm start -w examples/obo-api -- --serve       ... and then keeps serving (PORT, default 3001)
//   node --conditions=source --import tsx examples/obo-api/src/demo.ts [--serve]     (the same)
//
// The emulator's default tenant has everything: the Orders API's app registration (which may call
// other APIs on behalf of its users), a desktop app as the client, and Adele as the user. The
// downstream API is the emulator's /api/me, which takes Microsoft Graph tokens.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, defaultTenant } from "@msal-ts/emulator";
import { PublicClientApplication, type TokenResult } from "@msal-ts/msal";
import { createOboApi } from "./api.js";
import { oboApiConfigFromEnv } from "./config.js";

const serve = process.argv.includes("--serve");
const [, , desktopApp, , ordersApp] = defaultTenant.apps;
const [adele] = defaultTenant.users;

const emu = await createEmulator();
const dir = mkdtempSync(join(tmpdir(), "msal-ts-obo-api-"));
const caFile = join(dir, "emulator-ca.pem");
writeFileSync(caFile, emu.caCertificate);

// The API, configured as src/main.ts would be from the environment.
const env = {
  AUTHORITY: emu.authority,
  CLIENT_ID: ordersApp.clientId,
  CLIENT_SECRET: ordersApp.secrets[0],
  REQUIRED_SCOPE: "Orders.Read",
  DOWNSTREAM_URL: emu.protectedApiUrl,
  DOWNSTREAM_SCOPES: "User.Read",
  CA_FILE: caFile,
  INSTANCE_DISCOVERY: emu.instanceDiscoveryUrl,
};
console.log("The API's settings, the environment variables src/main.ts reads:");
for (const [name, value] of Object.entries(env)) console.log(`  ${name}=${name === "CLIENT_SECRET" ? "…" : value}`);
const api = createOboApi(oboApiConfigFromEnv(env));
const server = createServer(api.app);
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(serve ? Number(process.env.PORT ?? 3001) : 0, "127.0.0.1", () => resolve());
});
const apiUrl = `http://localhost:${(server.address() as AddressInfo).port}/profile`;
console.log(`\nThe API: ${apiUrl}`);

// The client: the tenant's desktop app signs Adele in and gets a token for the API. The demo plays
// the user at the emulator's sign-in page (the "browser" fills in the form, then follows the
// redirect back to the app).
const client = new PublicClientApplication(desktopApp.clientId, {
  authority: emu.authority,
  instanceDiscovery: emu.instanceDiscoveryUrl,
  verify: caFile,
});
const signedIn = await client.acquireTokenInteractive(["api://orders/Orders.Read"], {
  openBrowser: async (url) => {
    const { url: redirect } = await emu.signIn(url, { username: adele.username, password: adele.password });
    await fetch(redirect);
  },
});
if ("error" in signedIn) throw new Error(`The sign-in failed: ${signedIn.error}`);
console.log(`${adele.username} signed in to the client app (the demo filled in the emulator's sign-in page).\n`);

async function call(label: string, token: TokenResult | undefined): Promise<number> {
  const answer = await fetch(apiUrl, token ? { headers: { authorization: `Bearer ${token.access_token}` } } : {});
  const challenge = answer.headers.get("www-authenticate");
  console.log(`${label}: ${answer.status}${challenge ? `\n  WWW-Authenticate: ${challenge}` : ""}`);
  console.log(`  ${JSON.stringify(await answer.json())}`);
  return answer.status;
}

const statuses = [
  await call("GET /profile with Adele's token for the API", signedIn),
  await call("The same again (the on-behalf-of token from the cache)", signedIn),
];
// A token for another audience (Microsoft Graph) must be refused, as must no token at all.
const [account] = await client.getAccounts();
const graphToken = account ? await client.acquireTokenSilent(["User.Read"], account) : null;
if (!graphToken || "error" in graphToken) throw new Error("No Graph token for the refusal check.");
statuses.push(await call("With a token for Microsoft Graph instead", graphToken), await call("With no token", undefined));
const oboRequests = emu.tokenRequestCount({ grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", clientId: ordersApp.clientId });
console.log(`\nThe emulator answered ${oboRequests} on-behalf-of request(s).`);
const expected = [200, 200, 401, 401];
const ok = statuses.every((s, i) => s === expected[i]) && oboRequests === 1;

async function stop(): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await api.close();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
}

if (serve) {
  console.log(
    `\nServing until Ctrl-C. Call it with a token for api://orders/Orders.Read from the emulator, e.g.\n` +
      `  TOKEN=$(npm run -s msal-ts -- token --scope api://orders/Orders.Read --authority ${emu.authority} --ca-file ${caFile})\n` +
      `  curl -H "Authorization: Bearer $TOKEN" ${apiUrl}\n` +
      `Sign in as ${adele.username} / ${adele.password} (your browser must trust ${caFile}, or accept its warning).`,
  );
  process.once("SIGINT", () => {
    void stop().then(() => process.exit(0));
  });
} else {
  await stop();
  process.exitCode = ok ? 0 : 1;
}
