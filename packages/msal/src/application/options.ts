/**
 * The options of the application classes: MSAL Python's constructor keywords, camelCased.
 *
 * @module
 */
import type { HttpClient } from "../http/http-client.js";
import type { HttpCache } from "../http/http-cache.js";
import type { TokenCache } from "../cache/index.js";
import type { ClientCredential } from "../protocol/client-credential.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";

/** A sink for diagnostics. Tokens, secrets, codes, passwords and assertions are never passed to it. */
export type Logger = (level: "error" | "warning" | "info" | "verbose", message: string) => void;

/** The options every application takes. */
export interface ClientApplicationOptions {
  /**
   * The authority, e.g. `https://login.microsoftonline.com/{tenant}`.
   *
   * @default "https://login.microsoftonline.com/common"
   */
  readonly authority?: string;
  /** A generic OpenID Connect authority (its issuer URL); excludes `authority`. */
  readonly oidcAuthority?: string;
  /** `false` trusts the authority without instance discovery (for hosts unknown to Entra). */
  readonly validateAuthority?: boolean;
  /**
   * `false` skips instance discovery (and authority aliases); a string is the instance discovery
   * endpoint to use instead of the world-wide one.
   */
  readonly instanceDiscovery?: boolean | string;
  /** The token cache; each application gets a new in-memory one by default. */
  readonly tokenCache?: TokenCache;
  /** The HTTP client: any fetch-compatible function. `verify`, `proxies` and `timeout` then don't apply. */
  readonly httpClient?: HttpClient;
  /** TLS verification: `true` (default), `false` (tests only), or the path of a CA bundle (PEM). */
  readonly verify?: boolean | string;
  /**
   * Proxies, as `{ https: "http://proxy:3128" }` or one URL for all (MSAL Python's `proxies`).
   * Environment variables such as `HTTPS_PROXY` are not read.
   */
  readonly proxies?:
    | string
    | {
        /** The proxy URL for requests to `http:` URLs. */
        readonly http?: string;
        /** The proxy URL for requests to `https:` URLs (every request to Entra), tunnelled with `CONNECT`. */
        readonly https?: string;
      };
  /** Seconds before an HTTP request is given up. */
  readonly timeout?: number;
  /** Sent as `x-app-name`. */
  readonly appName?: string;
  /** Sent as `x-app-ver`. */
  readonly appVersion?: string;
  /** Capabilities the app declares (e.g. `["CP1"]` for continuous access evaluation). */
  readonly clientCapabilities?: readonly string[];
  /** Scopes never to add by default (only `offline_access` makes sense). */
  readonly excludeScopes?: readonly string[];
  /**
   * Where HTTP-level state that holds no secret is kept: the throttling state (failures the
   * authority asked the app to wait on, and plain 400s, replayed for a while without a request)
   * and 2xx GET answers such as discovery documents (a day long). A `Map`, or any object with
   * `get`, `set` and `delete`; a `FilePersistedHttpCache` shares it with other processes and later
   * runs. Keys hold hashes in place of anything secret, and no token is ever stored.
   *
   * By default each application keeps its own in memory, bounded to 1024 entries. A `Map` given
   * here is not bounded: its entries expire and are dropped when read after that.
   */
  readonly httpCache?: HttpCache;
  /** Lets personal data (usernames, account ids) reach the logger. Off by default. */
  readonly enablePiiLog?: boolean;
  /** Diagnostics. */
  readonly logger?: Logger;
}

/** The options of a confidential client: the common ones plus its credential. */
export interface ConfidentialClientApplicationOptions extends ClientApplicationOptions {
  /** A secret, a certificate, a PKCS#12, or a client assertion. */
  readonly clientCredential: ClientCredential;
  /** Extra claims for the client assertions msal-ts signs with a certificate. */
  readonly clientClaims?: Readonly<Record<string, unknown>>;
  /**
   * Sends `acquireTokenForClient` requests to a regional token endpoint (ESTS-R), e.g.
   * `https://westus2.login.microsoft.com/{tenant}/oauth2/v2.0/token`, for apps that run in Azure.
   * Other flows, the cache entries' `environment` and the client assertion's `aud` stay central.
   *
   * - not given: the region in the environment variable `MSAL_FORCE_REGION` when it is set, else none;
   * - a region name such as `"westus2"`: that region;
   * - `ClientApplication.ATTEMPT_REGION_DISCOVERY` (`true`): the region the app runs in, from the
   *   environment variable `REGION_NAME`, else from the VM's Instance Metadata Service (given 2 s),
   *   else none; detected once per application;
   * - `false`: never a region, whatever `MSAL_FORCE_REGION` says.
   *
   * Only Microsoft Entra ID authorities have regional endpoints; for others the region is ignored.
   *
   * @example
   * ```ts
   * const app = new ConfidentialClientApplication(clientId, {
   *   clientCredential,
   *   authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
   *   azureRegion: ClientApplication.ATTEMPT_REGION_DISCOVERY,
   * });
   * ```
   */
  readonly azureRegion?: string | boolean;
}

/** Options of `acquireTokenForClient`. */
export interface AcquireTokenForClientOptions {
  /** Skip the cache and ask the authority. */
  readonly forceRefresh?: boolean;
  /** A claims challenge from a resource (a JSON string); skips the cache. */
  readonly claimsChallenge?: string;
  /**
   * Extra body parameters for the token request; `key_id` also selects the cached token bound to
   * that key, and `token_type: "ssh-cert"` (with `req_cnf` and `key_id`) asks for an SSH certificate.
   */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /**
   * Cancels this call: it rejects with the signal's `reason` (by default a `DOMException` named
   * `AbortError`). A token request other calls share goes on for them; it is cancelled only when
   * every call waiting for it is.
   */
  readonly signal?: AbortSignal;
}

