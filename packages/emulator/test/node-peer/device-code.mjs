// acquireTokenByDeviceCode: prints what the device code callback shows the user, then polls until it ends.
import { buildApp, describeAccount, describeResult, emit, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const result = await app.acquireTokenByDeviceCode({
    scopes: request.scopes,
    deviceCodeCallback: (response) =>
      emit({
        deviceCode: {
          userCode: response.userCode,
          verificationUri: response.verificationUri,
          interval: response.interval,
          expiresIn: response.expiresIn,
          message: response.message,
        },
      }),
  });
  const accounts = await app.getTokenCache().getAllAccounts();
  emit({ result: describeResult(result), accounts: accounts.map(describeAccount) });
});
