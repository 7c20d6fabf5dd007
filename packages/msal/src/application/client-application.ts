/**
 * The base of the public and confidential client applications.
 *
 * @module
 */
import type { TokenCache } from "../cache/index.js";
import type { AuthCodeFlow, AuthenticationResult, AuthResponse, TokenResult } from "../protocol/index.js";
import { getAccounts, removeAccount, type Account, type GetAccountsOptions } from "./accounts.js";
import { AppContext } from "./app-context.js";
import {
  acquireTokenByAuthCodeFlow,
  acquireTokenByAuthorizationCode,
  getAuthorizationRequestUrl,
  initiateAuthCodeFlow,
  type AcquireTokenByAuthCodeFlowOptions,
  type AcquireTokenByAuthorizationCodeOptions,
  type GetAuthorizationRequestUrlOptions,
  type InitiateAuthCodeFlowOptions,
} from "./auth-code.js";
import type { ClientApplicationOptions, ConfidentialClientApplicationOptions } from "./options.js";
import { acquireTokenByRefreshToken, type AcquireTokenByRefreshTokenOptions } from "./refresh.js";
import { acquireTokenSilent, acquireTokenSilentWithError, type AcquireTokenSilentOptions } from "./silent.js";
import { ApiId } from "./telemetry.js";
import { acquireTokenByUsernamePassword, type AcquireTokenByUsernamePasswordOptions } from "./username-password.js";

/**
 * What every application can do. You do not usually use this class directly: construct a
 * {@link PublicClientApplication} or a {@link ConfidentialClientApplication}.
 */
export class ClientApplication {
  // The telemetry API ids, as MSAL Python names them on its ClientApplication: each token request
  // reports the id of the method that made it in the `x-client-current-telemetry` header.
  /** `"84"`: the telemetry id of `acquireTokenSilent` and `acquireTokenSilentWithError` (their refreshes). */
  static readonly ACQUIRE_TOKEN_SILENT_ID = ApiId.ACQUIRE_TOKEN_SILENT_ID;
  /** `"85"`: the telemetry id of `acquireTokenByRefreshToken`. */
  static readonly ACQUIRE_TOKEN_BY_REFRESH_TOKEN = ApiId.ACQUIRE_TOKEN_BY_REFRESH_TOKEN;
  /** `"301"`: the telemetry id of `acquireTokenByUsernamePassword`. */
  static readonly ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID = ApiId.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID;
  /** `"523"`: the telemetry id of `acquireTokenOnBehalfOf`. */
  static readonly ACQUIRE_TOKEN_ON_BEHALF_OF_ID = ApiId.ACQUIRE_TOKEN_ON_BEHALF_OF_ID;
  /** `"622"`: the telemetry id of `acquireTokenByDeviceFlow`. */
  static readonly ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID = ApiId.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID;
  /** `"730"`: the telemetry id of `acquireTokenForClient`. */
  static readonly ACQUIRE_TOKEN_FOR_CLIENT_ID = ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID;
  /** `"832"`: the telemetry id of `acquireTokenByAuthCodeFlow` and `acquireTokenByAuthorizationCode`. */
  static readonly ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID = ApiId.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID;
  /** `"169"`: the telemetry id of `acquireTokenInteractive`. */
  static readonly ACQUIRE_TOKEN_INTERACTIVE = ApiId.ACQUIRE_TOKEN_INTERACTIVE;
  /** `"902"`: the telemetry id of `getAccounts` (which makes no token request; kept for parity). */
  static readonly GET_ACCOUNTS_ID = ApiId.GET_ACCOUNTS_ID;
  /** `"903"`: the telemetry id of `removeAccount` (which makes no token request; kept for parity). */
  static readonly REMOVE_ACCOUNT_ID = ApiId.REMOVE_ACCOUNT_ID;
  /**
   * Pass as a confidential client's `azureRegion` to detect the region the app runs in (from
   * `REGION_NAME`, else the Instance Metadata Service). It is `true`, as in MSAL Python, so that
   * configurations written as JSON (`"azureRegion": true`) mean the same.
   */
  static readonly ATTEMPT_REGION_DISCOVERY = true;

  /** @internal */
  /** @internal The state every flow of this instance shares. */
  protected readonly ctx: AppContext;

  protected constructor(
    clientId: string,
    options: ClientApplicationOptions | ConfidentialClientApplicationOptions | undefined,
    confidential: boolean,
  ) {
    this.ctx = new AppContext(clientId, options, confidential);
  }

  /** The app's client id. */
  get clientId(): string {
    return this.ctx.clientId;
  }

  /** The app's token cache. */
  get tokenCache(): TokenCache {
    return this.ctx.cache;
  }

  /** The authority URL the app signs in against. */
  get authority(): string {
    return this.ctx.authority.url;
  }

  /**
   * Whether the acquire methods accept an `authScheme` (a `PopAuthScheme`) for
   * proof-of-possession tokens. Always `true` in msal-ts, which binds PoP tokens to a key the app
   * holds; MSAL Python answers `true` only when a broker is enabled, since there the broker holds
   * the key.
   */
  isPopSupported(): boolean {
    return true;
  }

  /**
   * The accounts signed in to this app, one per user.
   *
   * @param options `username` filters case-insensitively.
   * @returns Accounts to pass to `acquireTokenSilent` or `removeAccount`.
   */
  getAccounts(options?: GetAccountsOptions): Promise<Account[]> {
    return getAccounts(this.ctx, options);
  }

  /**
   * Signs the account out of this app: its access, refresh and ID tokens and its account entries
   * leave the cache. Other apps' refresh tokens for the user stay, unless shared through a family.
   */
  async removeAccount(account: Account): Promise<void> {
    removeAccount(this.ctx, account);
  }

  /**
   * Starts the authorization code flow: the returned flow's `auth_uri` is where to send the
   * browser. Keep the whole flow (it is plain JSON; a session store will do) and hand it to
   * {@link acquireTokenByAuthCodeFlow} with what the browser comes back with.
   *
   * @param scopes Scopes to consent to and get a token for; `openid profile offline_access` are
   *   added (pass `[]` to only sign in).
   * @param options `redirectUri`, `state`, `prompt`, `loginHint`, `domainHint`,
   *   `claimsChallenge`, `maxAge`, `responseMode`.
   * @example
   * ```ts
   * const flow = await app.initiateAuthCodeFlow(["User.Read"], { redirectUri: "https://app.example/auth" });
   * req.session.flow = flow;
   * res.redirect(flow.auth_uri);
   * ```
   */
  initiateAuthCodeFlow(scopes: readonly string[], options?: InitiateAuthCodeFlowOptions): Promise<AuthCodeFlow> {
    return initiateAuthCodeFlow(this.ctx, scopes, options);
  }

  /**
   * Completes the authorization code flow with the parameters the authority redirected back with
   * (the query string, the fragment, or the form post, as a plain object or `URLSearchParams`).
   *
   * @returns A token result with `id_token_claims`, or the error result the authority redirected
   *   with (e.g. `access_denied`) or answered the code with (e.g. `invalid_grant`).
   * @throws MsalError `ERR_STATE_MISMATCH` when the response is not for this flow (a forged or
   *   replayed redirect); `IdTokenError` when the ID token's nonce, audience, issuer, lifetime or
   *   `auth_time` is wrong.
   * @example
   * ```ts
   * const result = await app.acquireTokenByAuthCodeFlow(req.session.flow, req.query);
   * ```
   */
  acquireTokenByAuthCodeFlow(
    authCodeFlow: AuthCodeFlow,
    authResponse: AuthResponse,
    options?: AcquireTokenByAuthCodeFlowOptions,
  ): Promise<AuthenticationResult> {
    return acquireTokenByAuthCodeFlow(this.ctx, authCodeFlow, authResponse, options);
  }

  /**
   * The sign-in URL of the older two-step API, without PKCE.
   *
   * @deprecated Use {@link initiateAuthCodeFlow}, which adds PKCE and checks `state` and `nonce`.
   */
  getAuthorizationRequestUrl(scopes: readonly string[], options?: GetAuthorizationRequestUrlOptions): Promise<string> {
    return getAuthorizationRequestUrl(this.ctx, scopes, options);
  }

  /**
   * Redeems a code obtained through {@link getAuthorizationRequestUrl}.
   *
   * @deprecated Use {@link acquireTokenByAuthCodeFlow}.
   * @throws IdTokenError when `nonce` is given and the ID token does not carry it.
   */
  acquireTokenByAuthorizationCode(
    code: string,
    scopes: readonly string[],
    options?: AcquireTokenByAuthorizationCodeOptions,
  ): Promise<AuthenticationResult> {
    return acquireTokenByAuthorizationCode(this.ctx, code, scopes, options);
  }

  /**
   * Acquires a token for a signed-in account without user interaction: a cached access token
   * with five minutes or more left, else one obtained with the account's refresh token.
   *
   * Only a token of the kind asked for answers: a bearer token by default, a PoP token bound to
   * the scheme's key with `authScheme` (each result then carries a freshly signed request), an SSH
   * certificate for the given `data.key_id` with `data.token_type: "ssh-cert"`.
   *
   * @param account One of {@link getAccounts}' results; `null` gives `null`.
   * @param options `authority`, `forceRefresh`, `claimsChallenge`, `data`, `authScheme`, `signal`.
   * @throws TypeError for an SSH certificate request without `data.req_cnf` or `data.key_id`.
   * @returns A token result, or `null` when no token can be had silently. Use
   *   {@link acquireTokenSilentWithError} to learn why.
   * @example
   * ```ts
   * const [account] = await app.getAccounts();
   * const result = await app.acquireTokenSilent(["User.Read"], account ?? null);
   * ```
   */
  acquireTokenSilent(
    scopes: readonly string[],
    account: Account | null | undefined,
    options?: AcquireTokenSilentOptions,
  ): Promise<TokenResult | null> {
    return acquireTokenSilent(this.ctx, scopes, account, options);
  }

  /**
   * As {@link acquireTokenSilent}, but a failed refresh comes back as an error result (with a
   * `classification` when the authority sent a `suberror`), so the app can tell "sign in again"
   * from "nothing cached".
   *
   * @returns A token result, an error result, or `null` when there was nothing to refresh with.
   */
  acquireTokenSilentWithError(
    scopes: readonly string[],
    account: Account | null | undefined,
    options?: AcquireTokenSilentOptions,
  ): Promise<AuthenticationResult | null> {
    return acquireTokenSilentWithError(this.ctx, scopes, account, options);
  }

  /**
   * Migrates a refresh token obtained elsewhere into this app's cache, and returns the tokens it
   * yields. Afterwards the account is in {@link getAccounts} and {@link acquireTokenSilent} works.
   */
  acquireTokenByRefreshToken(
    refreshToken: string,
    scopes: readonly string[],
    options?: AcquireTokenByRefreshTokenOptions,
  ): Promise<AuthenticationResult> {
    return acquireTokenByRefreshToken(this.ctx, refreshToken, scopes, options);
  }

  /**
   * Signs a user in with a username and password (resource owner password credentials). Managed
   * users are checked by the authority; federated users by their federation service (WS-Trust).
   * Prefer an interactive flow: this one cannot do MFA or consent.
   */
  acquireTokenByUsernamePassword(
    username: string,
    password: string,
    scopes: readonly string[],
    options?: AcquireTokenByUsernamePasswordOptions,
  ): Promise<AuthenticationResult> {
    return acquireTokenByUsernamePassword(this.ctx, username, password, scopes, options);
  }
}
