// acquireTokenInteractive: msal-node listens on a loopback port, prints the URL it would open in a
// browser, and waits for the browser to post the sign-in response back to that listener.
import { buildApp, describeResult, emit, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const result = await app.acquireTokenInteractive({
    scopes: request.scopes,
    openBrowser: async (url) => emit({ authUrl: url }),
    successTemplate: "Signed in. You can close this window.",
    errorTemplate: "Sign-in failed.",
  });
  emit({ result: describeResult(result) });
});
