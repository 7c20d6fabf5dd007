/**
 * The managed identity client: tokens for the identity Azure gives the host, from whichever
 * source the environment names, cache first.
 *
 * @module
 */
import { hostname } from "node:os";
import { EXPIRY_MARGIN, SingleFlight, flightKey, resultFromCache, type Logger } from "../application/index.js";
import { withRequestLogging } from "../application/request-logging.js";
import { TokenCache } from "../cache/index.js";
import { invalidArgType, invalidArgValue } from "../errors.js";
import { checkHttpCache, createDefaultHttpClient, MemoryHttpCache, readBodyText, toTransportError, type HttpCache, type HttpClient } from "../http/index.js";
import type { ErrorResult, TokenResult } from "../protocol/index.js";
import { challengedKeyPath, defaultArcKeyDirectory, readArcKey } from "./azure-arc.js";
import { normalizeManagedIdentity, type ManagedIdentity } from "./managed-identity.js";
import { createPinnedHttpClient } from "./pinned-tls.js";
import { buildSourceRequest, type SourceRequest } from "./requests.js";
import { readSourceResponse, type SourceOutcome } from "./responses.js";
import { LOCAL_HOST, locateSource, type HostProbe, type ManagedIdentityEnvironment, type SourceLocation } from "./sources.js";
import { throttled } from "./throttle.js";

/** The cache `realm` of every managed identity token. */
export const MANAGED_IDENTITY_REALM = "managed_identity";
/** The cache `client_id` of system-assigned tokens. */
export const SYSTEM_ASSIGNED_CLIENT_ID = "SYSTEM_ASSIGNED_MANAGED_IDENTITY";
/** Tokens living at least this long get a `refresh_in` of half their lifetime when the source sent none. */
const HALF_LIFE_THRESHOLD = 7200;

/** Options of {@link ManagedIdentityClient}. */
export interface ManagedIdentityClientOptions {
  /**
   * The HTTP client: any fetch-compatible function. By default, msal-ts's own client, without a
   * proxy (IMDS must not be reached through one). Service Fabric's https endpoint is always reached
   * through a connection of msal-ts's own that pins its server certificate.
   */
  readonly httpClient?: HttpClient;
  /** Where tokens are kept; a new in-memory {@link TokenCache} by default. Share one to share tokens. */
  readonly tokenCache?: TokenCache;
  /**
   * Where throttling state is kept, as the applications' `httpCache` (a `Map`, a
   * `FilePersistedHttpCache`, or any object with `get`, `set` and `delete`); a private, bounded
   * `MemoryHttpCache` by default. It holds failures to replay, never tokens.
   */
  readonly httpCache?: HttpCache;
  /** Seconds a request to the source may take, for the default HTTP client. No limit when unset. */
  readonly timeout?: number;
  /**
   * The environment variables that tell the source, read on every call; `process.env` by default.
   * Tests and hosts with their own configuration pass an object instead of changing `process.env`.
   */
  readonly environment?: ManagedIdentityEnvironment;
  /**
   * The directory the Azure Arc agent writes its key files to, for a non-standard installation (or
   * a test). By default `/var/opt/azcmagent/tokens` on Linux and
   * `%ProgramData%\AzureConnectedMachineAgent\Tokens` on Windows; Arc is not supported elsewhere
   * unless this is given.
   *
   * The file an Arc challenge names is read only when it sits directly in this directory (symbolic
   * links resolved), ends in `.key`, is a regular file and holds at most 4096 bytes. MSAL Python
   * keeps only the file's name from the challenge and looks it up here; msal-node checks the path
   * as given. Checking the real path as well means an endpoint that is not the agent cannot make
   * this process read, and send back, any other file.
   */
  readonly arcKeyDirectory?: string;
  /**
   * Told which source each request goes to (`verbose`), and each request's method, endpoint and
   * outcome, as the applications' `logger` is. Never tokens, secrets, headers, bodies or queries
   * (the resource and identity ids travel in the query).
   */
  readonly logger?: Logger;
}

/** Options of {@link ManagedIdentityClient.acquireTokenForClient}. */
export interface AcquireTokenForManagedIdentityOptions {
  /** The resource the token is for: an App ID URI such as `https://management.azure.com`. */
  readonly resource: string;
  /**
   * A claims challenge (a JSON string) from the resource, which rejected the cached token. The
   * cache is skipped and a new token is requested. As in MSAL Python, the challenge itself is not
   * sent: no source takes it.
   */
  readonly claimsChallenge?: string;
  /**
   * Cancels this call: it rejects with the signal's `reason` (by default a `DOMException` named
   * `AbortError`). A token request other calls share goes on for them; it is cancelled only when
   * every call waiting for it is.
   */
  readonly signal?: AbortSignal;
}

/**
 * A managed identity token: `access_token`, `token_type`, `expires_in` (seconds left), and
 * `token_source`; from the source also `resource`, and `refresh_in` with its absolute `refresh_on`
 * for long-lived tokens; from the cache `refresh_on` when one was set.
 */
export interface ManagedIdentityTokenResult extends TokenResult {
  /** The resource the source says the token is for. */
  readonly resource?: string;
  /** Seconds after which to refresh: the source's, or half the lifetime of a token of two hours or more. */
  readonly refresh_in?: number;
}

/** What {@link ManagedIdentityClient.acquireTokenForClient} resolves to; narrow with `"error" in result`. */
export type ManagedIdentityResult = ManagedIdentityTokenResult | ErrorResult;

const isAbort = (e: unknown): boolean => e instanceof Error && e.name === "AbortError";

function cacheEnvironment(): string {
  const name = hostname().trim().toLowerCase();
  return name === "" ? "localhost" : name;
}

/**
 * Acquires tokens for a managed identity: the host's system-assigned identity, or a user-assigned
 * one attached to it. Works on Azure VMs and scale sets (IMDS), App Service, Functions and
 * Container Apps, Azure Machine Learning, Service Fabric, Azure Arc-enabled servers, and in Cloud
 * Shell; which one is read from the environment on every call (see {@link getManagedIdentitySource}).
 *
 * Tokens are cached in the unified token cache (realm `managed_identity`, environment the host
 * name, client id the identity's id or `SYSTEM_ASSIGNED_MANAGED_IDENTITY`) and handed out while
 * they have five minutes or more left. Failures that a source asks to wait on (429, 5xx,
 * `Retry-After`) are replayed for that long instead of asking again.
 *
 * Service outcomes come back as results; misconfiguration is thrown as {@link ManagedIdentityError}
 * (or {@link ArcPlatformNotSupportedError}).
 *
 * Where this differs from MSAL Python's `ManagedIdentityClient`, and why:
 * - Cloud Shell is served here, as in msal-node (`MSI_ENDPOINT` without `MSI_SECRET`, or
 *   `AZUREPS_HOST_ENVIRONMENT=cloud-shell…`): the token is the signed-in user's. MSAL Python serves
 *   it only through `PublicClientApplication`.
 * - A user-assigned identity where the source cannot honour it (Service Fabric, Azure Arc, Cloud
 *   Shell) is a {@link ManagedIdentityError}. MSAL Python ignores it on Service Fabric and msal-node
 *   warns; either way the caller would get a token for an identity it did not ask for.
 * - Service Fabric's https endpoint is trusted by pinning `IDENTITY_SERVER_THUMBPRINT`; neither
 *   other MSAL pins it.
 * - An environment variable set to the empty string counts as unset.
 * - Throttling never keeps a success (MSAL Python would keep a 2xx that carries `Retry-After`).
 *
 * Cache entries have MSAL Python's shape; their `environment` is the host name in lower case, on
 * writes and lookups alike (MSAL Python looks up the name as the system spells it, so a host name
 * with capitals always misses there).
 *
 * @example
 * ```ts
 * import { ManagedIdentityClient, SystemAssignedManagedIdentity } from "@msal-ts/msal";
 *
 * const client = new ManagedIdentityClient(new SystemAssignedManagedIdentity());
 * const result = await client.acquireTokenForClient({ resource: "https://vault.azure.net" });
 * if ("error" in result) throw new Error(`${result.error}: ${result.error_description}`);
 * fetch(secretUrl, { headers: { authorization: `Bearer ${result.access_token}` } });
 * ```
 */
export class ManagedIdentityClient {
  readonly #identity: ManagedIdentity;
  readonly #cache: TokenCache;
  readonly #store: HttpCache;
  readonly #http: HttpClient;
  readonly #environment: ManagedIdentityEnvironment | undefined;
  readonly #arcKeyDirectory: string | undefined;
  readonly #log: Logger | undefined;
  readonly #probe: HostProbe = LOCAL_HOST;
  readonly #cacheEnvironment = cacheEnvironment();
  readonly #pinned = new Map<string, HttpClient>();
  readonly #flights = new SingleFlight();

  /**
   * @param managedIdentity - A {@link SystemAssignedManagedIdentity} or {@link UserAssignedManagedIdentity},
   *   or their configuration shape (`{"ManagedIdentityIdType": "ClientId", "Id": "…"}`, e.g. parsed from JSON).
   * @param options - HTTP client, token cache, HTTP cache, timeout, environment, Arc key directory.
   * @throws {@link ManagedIdentityError} for an unusable `managedIdentity`; `TypeError`
   *   (`ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) for a bad option.
   */
  constructor(managedIdentity: ManagedIdentity, options: ManagedIdentityClientOptions = {}) {
    this.#identity = normalizeManagedIdentity(managedIdentity);
    if (typeof options !== "object" || options === null) throw invalidArgType("options must be an object");
    const o = options;
    if (o.httpClient !== undefined && typeof o.httpClient !== "function") {
      throw invalidArgType("httpClient must be a fetch-compatible function (url, init) => Promise<Response>");
    }
    if (o.tokenCache !== undefined && !(o.tokenCache instanceof TokenCache)) {
      throw invalidArgType("tokenCache must be a TokenCache (or SerializableTokenCache)");
    }
    if (o.httpCache !== undefined) checkHttpCache(o.httpCache);
    if (o.environment !== undefined && (typeof o.environment !== "object" || o.environment === null)) {
      throw invalidArgType("environment must be an object of environment variables, like process.env");
    }
    if (o.arcKeyDirectory !== undefined && (typeof o.arcKeyDirectory !== "string" || o.arcKeyDirectory === "")) {
      throw invalidArgValue("arcKeyDirectory must be the path of a directory");
    }
    if (o.logger !== undefined && typeof o.logger !== "function") throw invalidArgType("logger must be a function (level, message) => void");
    this.#cache = o.tokenCache ?? new TokenCache();
    this.#store = o.httpCache ?? new MemoryHttpCache();
    this.#log = o.logger;
    const http = o.httpClient ?? createDefaultHttpClient(o.timeout !== undefined ? { timeout: o.timeout } : {});
    this.#http = throttled(withRequestLogging(http, this.#log, false), this.#store);
    this.#environment = o.environment;
    this.#arcKeyDirectory = o.arcKeyDirectory;
  }

  /** The token cache this client writes to. */
  get tokenCache(): TokenCache {
    return this.#cache;
  }

  /** The identity this client acquires tokens for, in MSAL's configuration shape. */
  get managedIdentity(): ManagedIdentity {
    return this.#identity;
  }

  /**
   * Acquires a token for the managed identity: from the cache when it holds one with five minutes
   * or more left (and not yet due for refresh), else from the source. A token past its `refresh_on`
   * is refreshed, and handed out still when the refresh fails.
   *
   * @param options - `resource` (required), `claimsChallenge`, `signal`.
   * @returns A token result (`token_source` `"identity_provider"` or `"cache"`), or an error result
   *   with the source's error as an OAuth `error` and `error_description` (and `correlation_id`
   *   when the source gave one).
   * @throws {@link ManagedIdentityError} when the environment or the source is misconfigured (a
   *   user-assigned identity where the source has none, a bad endpoint URL, a Service Fabric
   *   certificate that does not match its thumbprint, an Arc key file that cannot be read);
   *   {@link ArcPlatformNotSupportedError}; `NetworkError` when the source cannot be reached or
   *   answers something other than JSON; `TypeError` for bad options.
   */
  acquireTokenForClient(options: AcquireTokenForManagedIdentityOptions): Promise<ManagedIdentityResult> {
    if (typeof options !== "object" || options === null) {
      return Promise.reject(invalidArgType("acquireTokenForClient takes an options object: { resource }"));
    }
    const { resource, claimsChallenge, signal } = options;
    if (typeof resource !== "string" || resource.trim() === "") {
      return Promise.reject(invalidArgValue("resource must be a non-empty string, e.g. \"https://management.azure.com\""));
    }
    if (claimsChallenge !== undefined && typeof claimsChallenge !== "string") {
      return Promise.reject(invalidArgType("claimsChallenge must be a string (JSON)"));
    }
    let aging: ManagedIdentityTokenResult | undefined;
    if (!claimsChallenge) {
      const now = Math.floor(Date.now() / 1000);
      const entry = this.#cache.findAccessToken(
        {
          home_account_id: null,
          environment: this.#cacheEnvironment,
          client_id: this.#cacheClientId(),
          realm: MANAGED_IDENTITY_REALM,
          scopes: [resource],
        },
        { now, minRemainingSeconds: EXPIRY_MARGIN },
      );
      if (entry) {
        const hit = resultFromCache(entry, now);
        if (hit.refresh_on === undefined || hit.refresh_on > now) return Promise.resolve(hit);
        aging = hit;
      }
    }
    // Concurrent misses of one resource share one request (see `SingleFlight`); a claims challenge
    // wants a token issued after it.
    if (claimsChallenge) return this.#fromSource(resource, signal, aging);
    return this.#flights.join(flightKey("managed_identity", resource), signal, (s) => this.#fromSource(resource, s, aging));
  }

  #cacheClientId(): string {
    return this.#identity.Id ?? SYSTEM_ASSIGNED_CLIENT_ID;
  }

  async #fromSource(
    resource: string,
    signal: AbortSignal | undefined,
    aging: ManagedIdentityTokenResult | undefined,
  ): Promise<ManagedIdentityResult> {
    try {
      signal?.throwIfAborted();
      const outcome = await this.#ask(resource, signal);
      if (!outcome.ok) return aging ?? outcome.error;
      const token = outcome.token;
      const now = Math.floor(Date.now() / 1000);
      const refreshIn =
        token.refresh_in ?? (token.expires_in >= HALF_LIFE_THRESHOLD ? Math.floor(token.expires_in / 2) : undefined);
      this.#cache.add(
        {
          client_id: this.#cacheClientId(),
          scope: [resource],
          // Only the realm is read from it: the first path segment.
          token_endpoint: `https://localhost/${MANAGED_IDENTITY_REALM}`,
          environment: this.#cacheEnvironment,
          response: {
            access_token: token.access_token,
            token_type: token.token_type,
            expires_in: token.expires_in,
            ...(refreshIn !== undefined ? { refresh_in: refreshIn } : {}),
          },
        },
        now,
      );
      return {
        access_token: token.access_token,
        token_type: token.token_type,
        expires_in: token.expires_in,
        resource: token.resource ?? resource,
        ...(refreshIn !== undefined ? { refresh_in: refreshIn, refresh_on: now + refreshIn } : {}),
        token_source: "identity_provider",
      };
    } catch (e) {
      // An aging token is still good: the refresh was a courtesy.
      if (aging && !isAbort(e) && !signal?.aborted) return aging;
      throw e;
    }
  }

  async #ask(resource: string, signal: AbortSignal | undefined): Promise<SourceOutcome> {
    const env = this.#environment ?? process.env;
    const location = locateSource(env, this.#probe);
    this.#log?.("verbose", `Managed identity source: ${location.source}`);
    const request = buildSourceRequest(location, this.#identity, resource);
    // Arc's platform is checked before anything is sent.
    const keyDirectory =
      location.source === "azure-arc" ? (this.#arcKeyDirectory ?? defaultArcKeyDirectory(this.#probe.platform, env)) : undefined;
    const http = this.#clientFor(location);
    let response = await send(http, request, signal);
    if (keyDirectory !== undefined && response.status === 401) {
      const realm = challengedKeyPath(response.headers.get("www-authenticate"));
      const secret = await readArcKey(realm, keyDirectory, this.#probe.platform);
      response = await send(http, { ...request, headers: { ...request.headers, Authorization: `Basic ${secret}` } }, signal);
    }
    const text = await readBodyText(response, request.url, signal);
    const where = new URL(request.url);
    return readSourceResponse(location.source, response.status, text, Math.floor(Date.now() / 1000), `${where.origin}${where.pathname}`);
  }

  #clientFor(location: SourceLocation): HttpClient {
    if (location.source !== "service-fabric" || location.endpoint.protocol !== "https:") return this.#http;
    let client = this.#pinned.get(location.thumbprint);
    if (client === undefined) {
      client = throttled(withRequestLogging(createPinnedHttpClient(location.thumbprint), this.#log, false), this.#store);
      this.#pinned.set(location.thumbprint, client);
    }
    return client;
  }
}

async function send(http: HttpClient, request: SourceRequest, signal: AbortSignal | undefined): Promise<Response> {
  try {
    return await http(request.url, {
      method: request.method,
      headers: { ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    throw toTransportError(e, request.url, signal);
  }
}
