/**
 * Confidential clients: web apps, web APIs and daemons, which can keep a credential.
 *
 * @module
 */
import type { AuthenticationResult } from "../protocol/wire.js";
import { invalidArgType } from "../errors.js";
import { ClientApplication } from "./client-application.js";
import { acquireTokenForClient, removeTokensForClient } from "./client-credentials.js";
import { acquireTokenOnBehalfOf, type AcquireTokenOnBehalfOfOptions } from "./on-behalf-of.js";
import type { AcquireTokenForClientOptions, ConfidentialClientApplicationOptions } from "./options.js";

/** An application that holds a credential: a secret, a certificate, or an assertion. */
export class ConfidentialClientApplication extends ClientApplication {
  /**
   * @param clientId The app's client (application) id.
   * @param options `clientCredential` and the common options.
   * @throws TypeError for missing or malformed options; `MsalError` `ERR_CLIENT_CREDENTIAL` for a
   *   key or PKCS#12 that cannot be read.
   */
  constructor(clientId: string, options: ConfidentialClientApplicationOptions) {
    if (typeof options !== "object" || options === null) {
      throw invalidArgType("a ConfidentialClientApplication needs options with clientCredential");
    }
    super(clientId, options, true);
  }

  /**
   * Acquires a token for the app itself (client credentials grant), from the cache when it can.
   *
   * @param scopes Usually one `{resource}/.default` scope.
   * @param options `forceRefresh` skips the cache; `claimsChallenge` answers a resource's claims
   *   challenge (and skips the cache); `data` adds body parameters (`token_type: "ssh-cert"` with
   *   `req_cnf` and `key_id` asks for an SSH certificate); `authScheme` asks for a
   *   proof-of-possession token, whose result carries a request signed for the scheme's method,
   *   URL and nonce; `signal` cancels.
   * @returns A token result (`token_source` says whether it came from the cache), or an error
   *   result from the authority.
   * @example
   * ```ts
   * const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
   * if ("error" in result) throw new Error(result.error_description);
   * ```
   */
  acquireTokenForClient(scopes: readonly string[], options?: AcquireTokenForClientOptions): Promise<AuthenticationResult> {
    return acquireTokenForClient(this.ctx, scopes, options);
  }

  /**
   * Acquires a token for a downstream API on behalf of the user who called this API, from the
   * token the call carried. Repeated calls with the same incoming token are served from the cache.
   *
   * @param userAssertion The access token your API was called with (its audience is this app).
   * @param scopes The downstream API's scopes.
   * @param options `claimsChallenge` (skips the cache), `forceRefresh`, `data`, `signal`.
   * @example
   * ```ts
   * const incoming = req.headers.authorization!.slice("Bearer ".length);
   * const result = await app.acquireTokenOnBehalfOf(incoming, ["https://graph.microsoft.com/User.Read"]);
   * ```
   */
  acquireTokenOnBehalfOf(
    userAssertion: string,
    scopes: readonly string[],
    options?: AcquireTokenOnBehalfOfOptions,
  ): Promise<AuthenticationResult> {
    return acquireTokenOnBehalfOf(this.ctx, userAssertion, scopes, options);
  }

  /** Removes the tokens this app acquired for itself; its users' tokens stay. */
  removeTokensForClient(): Promise<void> {
    return removeTokensForClient(this.ctx);
  }
}
