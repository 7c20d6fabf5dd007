/**
 * @azure/msal-node in the client-credentials benchmark.
 *
 * The network is `system.networkClient` (an INetworkModule answering from the in-process
 * {@link FakeTokenService}). Discovery is left at msal-node's defaults, as an application would
 * run it: login.microsoftonline.com's instance metadata is built into msal-node (no GET), and the
 * tenant's OIDC document is fetched from the fake once per app, then kept in the app's cache —
 * the same one discovery GET per app that msal-ts makes. (Passing `auth.authorityMetadata` and
 * `auth.cloudDiscoveryMetadata` instead would skip that GET, but msal-node then JSON.parses both
 * strings on every call: a cost of that configuration, not of the default one, so it is not used.)
 *
 * @module
 */

import { ConfidentialClientApplication, version } from "@azure/msal-node";
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import type { BenchApp, FakeTokenService, LibraryAdapter } from "./simulator.js";
import { CLIENT_ID, CLIENT_SECRET, authorityFor } from "./simulator.js";

const RESPONSE_HEADERS: Record<string, string> = { "content-type": "application/json; charset=utf-8" };

/**
 * msal-node's own HTTP client hands MSAL a parsed body, so the fake parses the same JSON text
 * the msal-ts fake returns: both libraries pay for one JSON.parse of the token response.
 */
function networkClient(service: FakeTokenService): INetworkModule {
  return {
    sendGetRequestAsync<T>(url: string): Promise<NetworkResponse<T>> {
      return Promise.resolve({ headers: RESPONSE_HEADERS, body: JSON.parse(service.discovery(url)) as T, status: 200 });
    },
    sendPostRequestAsync<T>(_url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
      const body = JSON.parse(service.tokenResponse(options?.body ?? "")) as T;
      return Promise.resolve({ headers: RESPONSE_HEADERS, body, status: 200 });
    },
  };
}

function createApp(tenant: number, service: FakeTokenService): BenchApp {
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: CLIENT_ID,
      authority: authorityFor(tenant),
      clientSecret: CLIENT_SECRET,
    },
    system: { networkClient: networkClient(service) },
  });
  const cache = app.getTokenCache();
  return {
    async acquireChecked(scope) {
      const result = await app.acquireTokenByClientCredential({ scopes: [scope] });
      if (!result?.accessToken) throw new Error(`msal-node: no access token for ${scope}`);
      return result.accessToken;
    },
    acquire: (scope) => app.acquireTokenByClientCredential({ scopes: [scope] }),
    serializeCache: () => cache.serialize(),
    deserializeCache: (json) => cache.deserialize(json),
  };
}

export const msalNode: LibraryAdapter = { name: "msal-node", version, createApp };
