// Runs the example web app against any authority. For the local emulator, `npm start` at the
// repository root does all of this for you.
//
//   AUTHORITY=https://login.microsoftonline.com/<tenant> CLIENT_ID=… CLIENT_SECRET=… \
//   API_URL=https://graph.microsoft.com/v1.0/me API_SCOPES=User.Read PORT=3000 \
//   node --import tsx examples/web-app/src/main.ts
//
// Optional: CA_FILE (a PEM bundle to trust, for a private authority), LOGOUT_URL.
import { createWebApp } from "./app.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see the top of examples/web-app/src/main.ts).`);
    process.exit(2);
  }
  return value;
}

const port = Number(process.env.PORT ?? 3000);
const baseUrl = `http://localhost:${port}`;
const app = createWebApp({
  authority: required("AUTHORITY"),
  clientId: required("CLIENT_ID"),
  clientSecret: required("CLIENT_SECRET"),
  baseUrl,
  api: { url: required("API_URL"), scopes: (process.env.API_SCOPES ?? "User.Read").split(/[\s,]+/).filter(Boolean) },
  ...(process.env.LOGOUT_URL ? { logoutUrl: process.env.LOGOUT_URL } : {}),
  ...(process.env.CA_FILE ? { caFile: process.env.CA_FILE } : {}),
});
app.listen(port, "127.0.0.1", () => console.log(`Web app on ${baseUrl}`));
