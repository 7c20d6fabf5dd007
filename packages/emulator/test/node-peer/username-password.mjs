// acquireTokenByUsernamePassword (msal-node sends the password grant directly; no user realm discovery).
import { buildApp, describeAccount, describeResult, emit, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const result = await app.acquireTokenByUsernamePassword({ scopes: request.scopes, username: request.username, password: request.password });
  const accounts = await app.getTokenCache().getAllAccounts();
  emit({ result: describeResult(result), accounts: accounts.map(describeAccount) });
});
