// A web app's auth code flow with PKCE: getAuthCodeUrl, print it, read the redirect's query, acquireTokenByCode.
import { CryptoProvider } from "@azure/msal-node";
import { buildApp, describeAccount, describeResult, emit, readLine, run } from "./msal-node-app.mjs";

await run(async (request) => {
  const app = buildApp(request);
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const state = "state-from-msal-node";
  const authUrl = await app.getAuthCodeUrl({
    scopes: request.scopes,
    redirectUri: request.redirect_uri,
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
    state,
  });
  emit({ authUrl, state });
  const redirect = await readLine();
  const result = await app.acquireTokenByCode(
    { code: redirect.code, scopes: request.scopes, redirectUri: request.redirect_uri, codeVerifier: verifier, state },
    redirect,
  );
  const accounts = await app.getTokenCache().getAllAccounts();
  emit({ result: describeResult(result), accounts: accounts.map(describeAccount) });
});
