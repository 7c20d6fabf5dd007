// acquireTokenByRefreshToken: redeems a refresh token the test hands over (one another client obtained).
import { buildApp, describeAccount, describeResult, emit, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const result = await app.acquireTokenByRefreshToken({ scopes: request.scopes, refreshToken: request.refresh_token });
  const accounts = await app.getTokenCache().getAllAccounts();
  emit({ result: describeResult(result), accounts: accounts.map(describeAccount) });
});
