/**
 * msal-ts in the client-credentials benchmark.
 *
 * The network is `httpClient`, a fetch-compatible function answering from the in-process
 * {@link FakeTokenService}. msal-ts reads only `status`, `headers.get()` and `text()` of a
 * response, so the fake returns a minimal response-like object (with one shared Headers instance)
 * instead of constructing a `Response` per call. Instance discovery is off; the OIDC discovery GET
 * is answered by the fake (once per app).
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { ConfidentialClientApplication, SerializableTokenCache } from "@msal-ts/msal";
import type { HttpClient } from "@msal-ts/msal";
import type { BenchApp, FakeTokenService, LibraryAdapter } from "./simulator.js";
import { CLIENT_ID, CLIENT_SECRET, authorityFor } from "./simulator.js";

const RESPONSE_HEADERS = new Headers({ "content-type": "application/json; charset=utf-8" });

function fakeResponse(body: string): Response {
  return { status: 200, ok: true, headers: RESPONSE_HEADERS, text: () => Promise.resolve(body) } as unknown as Response;
}

function httpClient(service: FakeTokenService): HttpClient {
  return (url, init) =>
    Promise.resolve(
      fakeResponse(init.method === "POST" ? service.tokenResponse(init.body ?? "") : service.discovery(url)),
    );
}

/** The shape of an msal-ts token result this benchmark relies on. */
interface TokenResultLike {
  access_token?: unknown;
  error?: unknown;
  error_description?: unknown;
}

function createApp(tenant: number, service: FakeTokenService): BenchApp {
  const tokenCache = new SerializableTokenCache();
  const app = new ConfidentialClientApplication(CLIENT_ID, {
    clientCredential: CLIENT_SECRET,
    authority: authorityFor(tenant),
    httpClient: httpClient(service),
    instanceDiscovery: false,
    tokenCache,
  });
  return {
    async acquireChecked(scope) {
      const result: TokenResultLike = await app.acquireTokenForClient([scope]);
      if (typeof result.access_token !== "string") {
        throw new Error(`msal-ts: no access token for ${scope}: ${String(result.error)} ${String(result.error_description)}`);
      }
      return result.access_token;
    },
    acquire: (scope) => app.acquireTokenForClient([scope]),
    serializeCache: () => tokenCache.serialize(),
    deserializeCache: (json) => tokenCache.deserialize(json),
  };
}

/** The package version, and whether the build or the TypeScript sources are measured. */
function packageVersion(): string {
  const url = new URL("../packages/msal/package.json", import.meta.url);
  const version = (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  const entry = import.meta.resolve("@msal-ts/msal");
  return `${version} (${entry.includes("/dist/") ? "dist" : "TypeScript sources"})`;
}

export const msalTs: LibraryAdapter = { name: "msal-ts", version: packageVersion(), createApp };
