/**
 * What every flow of one application instance shares: its id, authority, HTTP client, cache,
 * credential and telemetry. The application classes are facades over it.
 *
 * @module
 */
import {
  discoverAuthority,
  getAuthorityAliases,
  getCachedAuthorityMetadata,
  resolveAuthorityConfig,
  type AuthorityDescriptor,
  type AuthorityMetadata,
} from "../authority/index.js";
import { TokenCache } from "../cache/index.js";
import { invalidArgType, invalidArgValue } from "../errors.js";
import type { HttpClient } from "../http/http-client.js";
import {
  checkHttpCache,
  createDefaultHttpClient,
  createThrottledHttpClient,
  sharedLibraryHeaders,
  MemoryHttpCache,
  type HttpCache,
} from "../http/index.js";
import { createClientAuth, type ClientAuthParams } from "../protocol/client-assertion.js";
import { normalizeClientCredential } from "../protocol/client-credential.js";
import type { ClientApplicationOptions, ConfidentialClientApplicationOptions, Logger } from "./options.js";
import { RegionPolicy, resolveRegionSetting } from "./region.js";
import { withRequestLogging } from "./request-logging.js";
import { SingleFlight } from "./single-flight.js";
import { TelemetryBuffer } from "./telemetry.js";

/** The state and services of one application instance. */
export class AppContext {
  readonly clientId: string;
  readonly authority: AuthorityDescriptor;
  /** The cache `environment` of this app's tokens: the authority's host name. */
  readonly environment: string;
  /** The application's HTTP client (its own or msal-ts's), throttled: see {@link createThrottledHttpClient}. */
  readonly http: HttpClient;
  /**
   * Where the throttling state and the day-long GET answers (discovery) are kept: the application's
   * `httpCache`, or a private bounded {@link MemoryHttpCache}.
   */
  readonly httpCache: HttpCache;
  readonly cache: TokenCache;
  /** Library headers (`x-client-*`, `x-app-*`), sent on token requests. */
  readonly headers: Readonly<Record<string, string>>;
  readonly telemetry: TelemetryBuffer = new TelemetryBuffer();
  /** The token requests under way that concurrent cache misses of this app share. */
  readonly flights: SingleFlight = new SingleFlight();
  readonly clientCapabilities: readonly string[] | undefined;
  readonly excludeScopes: readonly string[];
  readonly instanceDiscovery: boolean | string;
  readonly validateAuthority: boolean;
  readonly confidential: boolean;
  readonly log: Logger | undefined;
  readonly clientAuth: (aud: string, now: number) => ClientAuthParams | Promise<ClientAuthParams>;
  /** Where client credentials requests go (ESTS-R); `undefined` when they stay central (public clients too). */
  readonly region: RegionPolicy | undefined;
  #metadata: AuthorityMetadata | undefined;

  constructor(clientId: unknown, options: ClientApplicationOptions | ConfidentialClientApplicationOptions | undefined, confidential: boolean) {
    if (typeof clientId !== "string" || !clientId) throw invalidArgType("clientId must be a non-empty string");
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw invalidArgType("options must be an object");
    }
    const o: ClientApplicationOptions & Partial<ConfidentialClientApplicationOptions> = options ?? {};
    this.clientId = clientId;
    this.confidential = confidential;
    this.validateAuthority = o.validateAuthority ?? true;
    this.instanceDiscovery = o.instanceDiscovery ?? true;
    this.authority = resolveAuthorityConfig({
      authority: o.authority,
      oidcAuthority: o.oidcAuthority,
      validateAuthority: this.validateAuthority,
      instanceDiscovery: this.instanceDiscovery,
    });
    this.environment = new URL(this.authority.url).hostname;
    if (o.tokenCache !== undefined && !(o.tokenCache instanceof TokenCache)) {
      throw invalidArgType("tokenCache must be a TokenCache (or SerializableTokenCache)");
    }
    this.cache = o.tokenCache ?? new TokenCache();
    if (o.httpClient !== undefined && typeof o.httpClient !== "function") {
      throw invalidArgType("httpClient must be a fetch-compatible function (url, init) => Promise<Response>");
    }
    if (o.timeout !== undefined && !(typeof o.timeout === "number" && o.timeout > 0)) {
      throw invalidArgValue("timeout must be a positive number of seconds");
    }
    const http =
      o.httpClient ??
      createDefaultHttpClient({
        ...(o.verify !== undefined ? { verify: o.verify } : {}),
        ...(o.proxies !== undefined ? { proxies: o.proxies } : {}),
        ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
      });
    if (o.httpCache !== undefined) checkHttpCache(o.httpCache);
    this.httpCache = o.httpCache ?? new MemoryHttpCache();
    // MSAL Python throttles public clients (one user's device) longer than confidential ones.
    this.http = createThrottledHttpClient(withRequestLogging(http, o.logger, o.enablePiiLog === true), this.httpCache, {
      defaultRetryAfterSeconds: confidential ? 5 : 60,
      privateCache: o.httpCache === undefined,
    });
    this.headers = sharedLibraryHeaders({
      ...(o.appName !== undefined ? { appName: o.appName } : {}),
      ...(o.appVersion !== undefined ? { appVersion: o.appVersion } : {}),
    });
    if (o.clientCapabilities !== undefined && !isStringArray(o.clientCapabilities)) {
      throw invalidArgType("clientCapabilities must be an array of strings, e.g. [\"CP1\"]");
    }
    this.clientCapabilities = o.clientCapabilities ? Object.freeze([...o.clientCapabilities]) : undefined;
    if (o.excludeScopes !== undefined && !isStringArray(o.excludeScopes)) {
      throw invalidArgType("excludeScopes must be an array of strings");
    }
    if (o.excludeScopes?.includes("openid")) {
      throw invalidArgValue("excludeScopes cannot contain openid: it is what makes an id token come back");
    }
    this.excludeScopes = Object.freeze([...(o.excludeScopes ?? [])]);
    this.log = o.logger;
    if (confidential) {
      if (o.clientCredential === undefined || o.clientCredential === null) {
        throw invalidArgValue("a ConfidentialClientApplication needs clientCredential (a secret, certificate or assertion)");
      }
      if (o.clientClaims !== undefined && (typeof o.clientClaims !== "object" || o.clientClaims === null)) {
        throw invalidArgType("clientClaims must be an object of claims");
      }
      const cred = normalizeClientCredential(o.clientCredential);
      this.clientAuth = createClientAuth(cred, clientId, {
        clientClaims: o.clientClaims,
        adfs: this.authority.kind === "adfs",
      });
    } else {
      this.clientAuth = createClientAuth(undefined, clientId, {});
    }
    const region = confidential ? resolveRegionSetting(o.azureRegion) : undefined;
    this.region = region && region.kind !== "none" ? new RegionPolicy(region, this.authority, this.log) : undefined;
  }

  /** The authority's endpoints, once discovered (no await on the hot path). */
  get metadata(): AuthorityMetadata | undefined {
    return this.#metadata;
  }

  /**
   * The authority's endpoints. Discovery is shared by every app in the process and de-duplicated
   * there; this instance keeps the answer so that its cache hits need no await.
   */
  async resolveMetadata(signal?: AbortSignal): Promise<AuthorityMetadata> {
    this.#metadata ??= await discoverAuthority(this.authority, {
      httpClient: this.http,
      instanceDiscovery: this.instanceDiscovery,
      validateAuthority: this.validateAuthority,
      ...(signal ? { signal } : {}),
    });
    return this.#metadata;
  }

  /**
   * The authority a call goes to: the app's own, or one the call names (a tenant switch, say),
   * which is validated and discovered as the app's own would be.
   *
   * @param authority An authority URL, or `undefined` for the app's.
   */
  target(authority?: string): AuthorityTarget {
    if (authority === undefined) return { descriptor: this.authority, environment: this.environment, own: true };
    if (typeof authority !== "string") throw invalidArgType("authority must be an authority URL string");
    const descriptor = resolveAuthorityConfig({
      authority,
      oidcAuthority: undefined,
      validateAuthority: this.validateAuthority,
      instanceDiscovery: this.instanceDiscovery,
    });
    return { descriptor, environment: descriptor.host, own: false };
  }

  /** The endpoints of a call's authority (see {@link target}). */
  async metadataOf(target: AuthorityTarget, signal?: AbortSignal): Promise<AuthorityMetadata> {
    if (target.own) return this.resolveMetadata(signal);
    return discoverAuthority(target.descriptor, {
      httpClient: this.http,
      instanceDiscovery: this.instanceDiscovery,
      validateAuthority: this.validateAuthority,
      ...(signal ? { signal } : {}),
    });
  }

  /**
   * The cache `realm` of a call's authority when it is known without a request: from discovery
   * done earlier in the process, or a tenant GUID (which is what the token endpoint names).
   */
  knownRealm(target: AuthorityTarget): string | undefined {
    const known = (target.own ? this.#metadata : undefined) ??
      getCachedAuthorityMetadata(target.descriptor, { instanceDiscovery: this.instanceDiscovery, validateAuthority: this.validateAuthority });
    if (known) return known.tenant;
    const tenant = target.descriptor.tenant;
    return target.descriptor.kind === "aad" && GUID.test(tenant) ? tenant.toLowerCase() : undefined;
  }

  /**
   * The cache environments of this app's authority: its host name first, then its aliases'
   * (instance discovery may name hosts with ports; cache entries never carry one).
   */
  async aliases(signal?: AbortSignal): Promise<readonly string[]> {
    const hosts = await getAuthorityAliases(this.authority, {
      httpClient: this.http,
      instanceDiscovery: this.instanceDiscovery,
      validateAuthority: this.validateAuthority,
      ...(signal ? { signal } : {}),
    });
    const names = new Set([this.environment]);
    for (const h of hosts) names.add(new URL(`https://${h}`).hostname);
    return [...names];
  }
}

/** A call's authority: see {@link AppContext.target}. */
export interface AuthorityTarget {
  readonly descriptor: AuthorityDescriptor;
  /** Its host name: the cache `environment` of the tokens it issues. */
  readonly environment: string;
  /** The app's configured authority (whose metadata the app keeps). */
  readonly own: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isStringArray(v: unknown): v is readonly string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}
