// The emulator's user flows against an unmodified @azure/msal-node: auth code with PKCE, silent refresh,
// username/password and on-behalf-of.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { msalNodeNetwork } from "./support/msal-node.js";
import { ADELE, DESKTOP, MEGAN, ORDERS_API, WEB, WEB_REDIRECT, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator(Math.floor(Date.now() / 1000));

function webApp(): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: WEB.clientId, clientSecret: WEB.secrets[0], authority: env.emu.authority, knownAuthorities: [env.emu.host] },
    system: { networkClient: msalNodeNetwork(env.dispatcher) },
  });
}

describe("@azure/msal-node user flows against the emulator", () => {
  test("auth code with PKCE, then acquireTokenSilent refreshes with the refresh token", async () => {
    const cca = webApp();
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    const scopes = ["User.Read"];
    const url = await cca.getAuthCodeUrl({ scopes, redirectUri: WEB_REDIRECT, codeChallenge: challenge, codeChallengeMethod: "S256", state: "st", nonce: "nonce-1" });
    const { params } = await env.emu.signIn(url, { username: ADELE.username, password: ADELE.password });
    assert.equal(params.state, "st");
    const result = await cca.acquireTokenByCode(
      { code: params.code ?? "", scopes, redirectUri: WEB_REDIRECT, codeVerifier: verifier, nonce: "nonce-1", state: "st" },
      { code: params.code ?? "", state: params.state ?? "", ...(params.client_info ? { client_info: params.client_info } : {}) },
    );
    assert.equal(result.account?.username, ADELE.username);
    assert.equal(result.account?.tenantId, env.emu.defaultTenantId);
    assert.equal(result.account?.homeAccountId, `${String(decodeJwt(result.accessToken).oid)}.${env.emu.defaultTenantId}`);
    assert.equal(result.idTokenClaims && (result.idTokenClaims as Record<string, unknown>).nonce, "nonce-1");
    assert.deepEqual(result.scopes, ["User.Read", "openid", "profile"]);

    const before = env.emu.tokenRequestCount({ grantType: "refresh_token" });
    const account = result.account;
    assert.ok(account);
    const silent = await cca.acquireTokenSilent({ account, scopes, forceRefresh: true });
    assert.equal(env.emu.tokenRequestCount({ grantType: "refresh_token" }), before + 1);
    assert.notEqual(silent.accessToken, result.accessToken);
    const orders = await cca.acquireTokenSilent({ account, scopes: ["api://orders/Orders.Read"] });
    assert.equal(decodeJwt(orders.accessToken).scp, "Orders.Read");
  });

  test("username/password; an MFA user is an interaction-required error", async () => {
    const pca = new PublicClientApplication({
      auth: { clientId: DESKTOP.clientId, authority: env.emu.authority, knownAuthorities: [env.emu.host] },
      system: { networkClient: msalNodeNetwork(env.dispatcher) },
    });
    const result = await pca.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: ADELE.username, password: ADELE.password });
    assert.equal(result?.account?.username, ADELE.username);
    await assert.rejects(pca.acquireTokenByUsernamePassword({ scopes: ["User.Read"], username: MEGAN.username, password: MEGAN.password }), (err: unknown) => {
      const e = err as { name?: string; errorCode?: string; subError?: string; claims?: string };
      assert.equal(e.name, "InteractionRequiredAuthError");
      assert.equal(e.subError, "basic_action");
      assert.ok(e.claims);
      return true;
    });
  });

  test("on-behalf-of: the Orders API exchanges the user's token for a Graph token", async () => {
    const pca = new PublicClientApplication({
      auth: { clientId: DESKTOP.clientId, authority: env.emu.authority, knownAuthorities: [env.emu.host] },
      system: { networkClient: msalNodeNetwork(env.dispatcher) },
    });
    const incoming = await pca.acquireTokenByUsernamePassword({ scopes: ["api://orders/Orders.Read"], username: ADELE.username, password: ADELE.password });
    const api = new ConfidentialClientApplication({
      auth: { clientId: ORDERS_API.clientId, clientSecret: ORDERS_API.secrets[0], authority: env.emu.authority, knownAuthorities: [env.emu.host] },
      system: { networkClient: msalNodeNetwork(env.dispatcher) },
    });
    const result = await api.acquireTokenOnBehalfOf({ oboAssertion: incoming?.accessToken ?? "", scopes: ["User.Read"] });
    const at = decodeJwt(result?.accessToken ?? "");
    assert.equal(at.azp, ORDERS_API.clientId);
    assert.equal(at.preferred_username, ADELE.username);
    assert.equal(at.aud, "https://graph.microsoft.com");
  });
});
