/**
 * Public clients: desktop, mobile and command-line apps, which cannot keep a secret.
 *
 * @module
 */
import { invalidArgValue } from "../errors.js";
import type { AuthenticationResult, DeviceFlow, ErrorResult, TokenResult } from "../protocol/index.js";
import type { Account } from "./accounts.js";
import { ClientApplication } from "./client-application.js";
import {
  acquireTokenInteractiveInCloudShell,
  acquireTokenSilentInCloudShell,
  goesToCloudShell,
  isRunningInCloudShell,
} from "./cloud-shell.js";
import {
  acquireTokenByDeviceFlow,
  initiateDeviceFlow,
  type AcquireTokenByDeviceFlowOptions,
  type InitiateDeviceFlowOptions,
} from "./device-flow.js";
import { acquireTokenInteractive, type AcquireTokenInteractiveOptions } from "./interactive.js";
import type { ClientApplicationOptions } from "./options.js";
import type { AcquireTokenSilentOptions } from "./silent.js";

/** An application that runs on the user's device and holds no credential. */
export class PublicClientApplication extends ClientApplication {
  /**
   * @param clientId The app's client (application) id.
   * @param options The common options; a public client takes no `clientCredential`.
   */
  constructor(clientId: string, options?: ClientApplicationOptions) {
    if (options && "clientCredential" in options && (options as { clientCredential?: unknown }).clientCredential !== undefined) {
      throw invalidArgValue("a PublicClientApplication takes no clientCredential; use ConfidentialClientApplication");
    }
    super(clientId, options, false);
  }

  /**
   * Signs a user in through a web browser and returns the tokens. The sign-in page opens in the
   * system's default browser (or wherever `openBrowser` sends it); the authority redirects back to
   * a listener on this machine at `http://localhost:{port}`, and the code it brings is redeemed
   * with PKCE. The app registration needs the redirect URI `http://localhost` (any port).
   *
   * The tokens land in the cache: afterwards the account is in {@link getAccounts} and
   * {@link acquireTokenSilent} can serve it. Call this when the silent call gives nothing.
   *
   * Inside Azure Cloud Shell (`AZUREPS_HOST_ENVIRONMENT` starting with `cloud-shell`), `prompt:
   * "none"` opens no browser: the token of the user signed in to Cloud Shell comes from its local
   * token endpoint (`http://localhost:50342/oauth2/token`, or `MSI_ENDPOINT` when set; it must be
   * on this machine), and is cached with an account whose `authority_type` is `CLOUDSHELL`. The
   * scopes become resources (`https://graph.microsoft.com/User.Read` asks for
   * `https://graph.microsoft.com`); `data` is sent along, so SSH certificates work too. The result
   * has `token_source: "broker"`; when Cloud Shell answers another token type than asked for, it is
   * the error result `broker_error`.
   *
   * @param scopes Scopes to consent to and get a token for; `openid profile offline_access` are
   *   added (pass `[]` to only sign in).
   * @param options `prompt`, `loginHint`, `domainHint`, `claimsChallenge`, `timeout` (seconds),
   *   `port`, `extraScopesToConsent`, `maxAge`, `openBrowser`, `successTemplate`,
   *   `failureTemplate`, `data`, `signal`.
   * @returns A token result with `id_token_claims`; or an error result when the user cancelled
   *   (`access_denied`), the authority redirected with another error, or refused the code.
   * @throws BrowserInteractionTimeoutError when no sign-in came back within `timeout` seconds.
   * @throws MsalError `ERR_LOOPBACK_PORT_IN_USE` when `port` is taken; `ERR_BROWSER_LAUNCH` when no
   *   browser could be opened (pass `openBrowser`, or use the device code flow).
   * @throws IdTokenError when the ID token's nonce, audience, issuer, lifetime or `auth_time` is wrong.
   * @throws The signal's reason when `signal` aborts, and whatever `openBrowser` throws.
   * @example
   * ```ts
   * const app = new PublicClientApplication("00000000-0000-0000-0000-000000000000", {
   *   authority: "https://login.microsoftonline.com/organizations",
   * });
   * const [account] = await app.getAccounts();
   * const cached = account ? await app.acquireTokenSilent(["User.Read"], account) : null;
   * const result = cached ?? (await app.acquireTokenInteractive(["User.Read"], { timeout: 300 }));
   * if ("error" in result) console.error(result.error, result.error_description);
   * else console.log(`Signed in as ${String(result.id_token_claims?.preferred_username)}`);
   * ```
   */
  acquireTokenInteractive(scopes: readonly string[], options?: AcquireTokenInteractiveOptions): Promise<AuthenticationResult> {
    if (options?.prompt === "none" && isRunningInCloudShell()) return acquireTokenInteractiveInCloudShell(this.ctx, scopes, options);
    return acquireTokenInteractive(this.ctx, scopes, options);
  }

  /**
   * Acquires a token for a signed-in account without user interaction: a cached access token
   * with five minutes or more left, else one obtained with the account's refresh token.
   *
   * Inside Azure Cloud Shell, an account from Cloud Shell (`authority_type` `CLOUDSHELL`) gets a
   * token the cache does not have from Cloud Shell's token endpoint instead of a refresh token.
   *
   * @param scopes The scopes the token is for.
   * @param account One of {@link getAccounts}' results; `null` gives `null`.
   * @param options `authority`, `forceRefresh`, `claimsChallenge`, `data`, `authScheme`, `signal`.
   * @returns A token result, or `null` when no token can be had silently. Use
   *   {@link acquireTokenSilentWithError} to learn why.
   * @see {@link ClientApplication.acquireTokenSilent} for the kinds of token it can return.
   */
  override acquireTokenSilent(
    scopes: readonly string[],
    account: Account | null | undefined,
    options?: AcquireTokenSilentOptions,
  ): Promise<TokenResult | null> {
    if (!goesToCloudShell(account)) return super.acquireTokenSilent(scopes, account, options);
    return acquireTokenSilentInCloudShell(this.ctx, scopes, account, options).then((r) => ("error" in r ? null : r));
  }

  /**
   * As {@link acquireTokenSilent}, but a failed refresh comes back as an error result (with a
   * `classification` when the authority sent a `suberror`), so the app can tell "sign in again"
   * from "nothing cached".
   *
   * Inside Azure Cloud Shell, an account from Cloud Shell (`authority_type` `CLOUDSHELL`) gets a
   * token the cache does not have from Cloud Shell's token endpoint; its failure is the error result.
   *
   * @param scopes The scopes the token is for.
   * @param account One of {@link getAccounts}' results; `null` gives `null`.
   * @param options `authority`, `forceRefresh`, `claimsChallenge`, `data`, `authScheme`, `signal`.
   * @returns A token result, an error result, or `null` when there was nothing to refresh with.
   */
  override acquireTokenSilentWithError(
    scopes: readonly string[],
    account: Account | null | undefined,
    options?: AcquireTokenSilentOptions,
  ): Promise<AuthenticationResult | null> {
    if (!goesToCloudShell(account)) return super.acquireTokenSilentWithError(scopes, account, options);
    return acquireTokenSilentInCloudShell(this.ctx, scopes, account, options);
  }

  /**
   * Starts the device code flow, for devices without a browser (a terminal, an SSH session, a TV):
   * the authority hands out a short user code to enter at `verification_uri` from any other device.
   * Show the user `flow.message`, then call {@link acquireTokenByDeviceFlow} with the flow.
   *
   * @param scopes Scopes to consent to and get a token for; `openid profile offline_access` are
   *   added (omit, or pass `[]`, to only sign in).
   * @param options `claimsChallenge`, `signal`.
   * @returns The flow (it has `user_code`), or the authority's error result (it has `error`), e.g.
   *   for an app the tenant does not know; `"error" in flow` tells them apart.
   * @throws MsalError `ERR_AUTHORITY` when the authority has no device authorization endpoint.
   * @example
   * ```ts
   * const flow = await app.initiateDeviceFlow(["User.Read"]);
   * if ("error" in flow) throw new Error(`Could not start the device flow: ${flow.error}`);
   * console.log(flow.message); // "To sign in, use a web browser to open the page … and enter the code …"
   * const result = await app.acquireTokenByDeviceFlow(flow);
   * ```
   */
  initiateDeviceFlow(scopes?: readonly string[], options?: InitiateDeviceFlowOptions): Promise<DeviceFlow | ErrorResult> {
    return initiateDeviceFlow(this.ctx, scopes, options);
  }

  /**
   * Waits for the user to finish a device flow from {@link initiateDeviceFlow}, polling the
   * authority every `flow.interval` seconds (longer when it asks to slow down), and returns the
   * tokens, which land in the cache.
   *
   * Polling ends by itself when the code expires (`flow.expires_at`). To stop it earlier, set
   * `flow.expires_at = 0` (the call then resolves within about a second to the last answer, usually
   * an `authorization_pending` error result), or abort `signal` (the call rejects at once with the
   * signal's reason).
   *
   * @param options `claimsChallenge`, `data`, `signal`.
   * @returns A token result with `id_token_claims`; or the authority's error result:
   *   `authorization_declined` (the user said no), `expired_token` (too late), and others.
   * @throws TypeError when `flow` is not a device flow (an error result has no `device_code`); the
   *   signal's reason on abort; `IdTokenError` when the ID token fails validation.
   * @example
   * ```ts
   * const flow = await app.initiateDeviceFlow(["User.Read"]);
   * if (!("error" in flow)) {
   *   console.log(flow.message);
   *   const result = await app.acquireTokenByDeviceFlow(flow, { signal: AbortSignal.timeout(600_000) });
   *   if ("access_token" in result) console.log("Signed in");
   *   else console.error(result.error, result.error_description);
   * }
   * ```
   */
  acquireTokenByDeviceFlow(flow: DeviceFlow, options?: AcquireTokenByDeviceFlowOptions): Promise<AuthenticationResult> {
    return acquireTokenByDeviceFlow(this.ctx, flow, options);
  }
}
