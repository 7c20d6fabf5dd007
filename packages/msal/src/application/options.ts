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
  /** Proxies, as `{ https: "http://proxy:3128" }` or one URL for all. */
  readonly proxies?: string | { readonly http?: string; readonly https?: string };
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
   * Where HTTP-level state that holds no secret is kept: authority discovery answers (a day
   * long), and later throttling state. A `Map`, or any object with `get`, `set` and `delete`;
   * a `FilePersistedHttpCache` shares it with other processes and later runs. By default the
   * answers live in a process-wide memory only.
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
  /** An Azure region for client-credential requests (ESTS-R). */
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
  readonly signal?: AbortSignal;
}

