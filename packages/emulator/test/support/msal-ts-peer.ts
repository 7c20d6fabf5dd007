// msal-ts as the other side of an interop test: its desktop app, and its results narrowed.
import assert from "node:assert/strict";
import { PublicClientApplication } from "@msal-ts/msal";
import type { AuthenticationResult, SerializableTokenCache, TokenResult } from "@msal-ts/msal";

/** Narrows to a token result, failing with msal-ts's error otherwise. */
export function ok(r: AuthenticationResult | null): TokenResult {
  assert.ok(r !== null, "expected a token, got null");
  if ("error" in r) assert.fail(`msal-ts got ${r.error}: ${r.error_description ?? ""}`);
  return r;
}

/**
 * msal-ts's desktop app on the peer's authority and client id, trusting the emulator's CA file,
 * with the cache the test shares with the peer.
 */
export function msalTsDesktop(clientId: string, authority: string, caFile: string, cache: SerializableTokenCache): PublicClientApplication {
  return new PublicClientApplication(clientId, { authority, instanceDiscovery: false, verify: caFile, tokenCache: cache });
}
