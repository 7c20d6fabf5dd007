// getAllAccounts, then acquireTokenSilent for the named user from the cache file (optionally forceRefresh).
import { buildApp, describeAccount, describeResult, emit, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const accounts = (await app.getTokenCache().getAllAccounts()).filter((a) => a.username === request.username);
  const [account] = accounts;
  const result = account
    ? await app.acquireTokenSilent({ account, scopes: request.scopes, forceRefresh: request.force_refresh ?? false })
    : null;
  emit({ result: describeResult(result), accounts: accounts.map(describeAccount) });
});
