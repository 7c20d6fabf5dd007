// acquireTokenByClientCredential twice with the same app; prints both results.
import { buildApp, describeResult, emit, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const first = await app.acquireTokenByClientCredential({ scopes: request.scopes });
  const second = await app.acquireTokenByClientCredential({ scopes: request.scopes });
  emit({ first: describeResult(first), second: describeResult(second) });
});
