/**
 * The client-credentials scenario of MSAL Python's benchmark (tests/simulator.py,
 * ClientCredentialGrantSimulator), library-neutral: N tenants, one confidential client app per
 * tenant (authority https://login.microsoftonline.com/tenant_{t}, client id "client_id", secret
 * "foo", each app with its own cache), M access tokens per tenant (scopes scope_0..scope_{M-1}),
 * then `run()` asks a random app for a token for ["scope"]. `runAnyScope()` asks a random app for
 * one of its M tokens at random instead, so that a hit cannot be the same query as the one before.
 *
 * The "network" is in-process (no sockets): {@link FakeTokenService} answers discovery GETs and
 * token POSTs; each library's adapter wraps it in the shape that library expects.
 *
 * Cache hit: the "scope" token is in the cache, valid for an hour.
 *
 * Cache miss: MSAL Python makes its cache read-only so the "scope" token never lands. Neither
 * library here is patched; instead the fake service answers the "scope" request with
 * `expires_in: 1`. Both libraries treat an access token with less than 5 minutes left as expired,
 * so every call goes to the "network" — and then writes the fresh (again already-expired) token
 * back, overwriting the same cache entry. So a miss here costs lookup + request + response
 * handling + one cache write, for both libraries alike: a fair comparison, if a little more work
 * than MSAL Python's read-only miss.
 *
 * @module
 */

import { seededRandom } from "./harness.js";

export const HOST = "https://login.microsoftonline.com";
export const CLIENT_ID = "client_id";
export const CLIENT_SECRET = "foo";
/** The scope `run()` asks for. */
export const RUN_SCOPE = "scope";

export const authorityFor = (tenant: number): string => `${HOST}/tenant_${tenant}`;
export const tokenEndpointFor = (tenant: number): string => `${authorityFor(tenant)}/oauth2/v2.0/token`;

/** An OIDC discovery document for a tenant path such as "tenant_3". */
export function openIdConfiguration(tenantPath: string): Record<string, string> {
  const base = `${HOST}/${tenantPath}`;
  return {
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    issuer: `${HOST}/${tenantPath}/v2.0`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
  };
}

/** An instance discovery answer for the public cloud (what login.microsoftonline.com returns). */
export const CLOUD_DISCOVERY = {
  tenant_discovery_endpoint: `${HOST}/common/v2.0/.well-known/openid-configuration`,
  "api-version": "1.1",
  metadata: [
    {
      preferred_network: "login.microsoftonline.com",
      preferred_cache: "login.windows.net",
      aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
    },
  ],
};

const OIDC_SUFFIX = "/.well-known/openid-configuration";
const SCOPE_PARAM = /(?:^|&)scope=([^&]*)/;

/**
 * The in-process identity provider. It counts the requests it answers, which the benchmark uses
 * to check that a "hit" never reaches it and a "miss" always does.
 */
export class FakeTokenService {
  posts = 0;
  gets = 0;
  /** The scope whose token is issued with `expires_in: 1` (the cache-miss case), if any. */
  expiringScope: string | undefined;

  /** The body of a token response for a form-encoded token request. */
  tokenResponse(form: string): string {
    this.posts++;
    const match = SCOPE_PARAM.exec(form);
    if (!match) throw new Error(`fake token service: no scope in the request: ${form}`);
    const scope = decodeURIComponent((match[1] ?? "").replace(/\+/g, " "));
    const expiresIn = scope === this.expiringScope ? 1 : 3600;
    return `{"access_token":${JSON.stringify(`AT for ${scope}`)},"token_type":"bearer","expires_in":${expiresIn}}`;
  }

  /** The body of an answer to a discovery GET; throws on anything else. */
  discovery(url: string): string {
    this.gets++;
    const { pathname } = new URL(url);
    if (pathname.endsWith(OIDC_SUFFIX)) {
      // ".../tenant_3/v2.0/.well-known/openid-configuration" or ".../tenant_3/.well-known/..."
      const tenantPath = pathname.slice(1).split("/")[0] ?? "common";
      return JSON.stringify(openIdConfiguration(tenantPath));
    }
    if (pathname.endsWith("/discovery/instance")) return JSON.stringify(CLOUD_DISCOVERY);
    throw new Error(`fake token service: unexpected GET ${url}`);
  }
}

/** One confidential client app of one library, bound to one tenant. */
export interface BenchApp {
  /** acquire_token_for_client([scope]); resolves to the access token, throws on an error result. */
  acquireChecked(scope: string): Promise<string>;
  /** The same call, unchecked: the measured operation. */
  acquire(scope: string): Promise<unknown>;
  /** This app's cache, serialized (the unified MSAL cache format: {"AccessToken": {...}, ...}). */
  serializeCache(): string;
  /** Loads a serialized cache into this app's cache. */
  deserializeCache(json: string): void;
}

/** What the benchmark needs from a library. */
export interface LibraryAdapter {
  readonly name: LibraryName;
  readonly version: string;
  createApp(tenant: number, service: FakeTokenService): BenchApp;
}

export type LibraryName = "msal-ts" | "msal-node";

export type PopulateMode = "api" | "deserialize";

export interface SimulatorOptions {
  tenants: number;
  tokensPerTenant: number;
  cacheHit: boolean;
  populate: PopulateMode;
  seed?: number;
}

function countAccessTokens(app: BenchApp): number {
  const cache = JSON.parse(app.serializeCache()) as { AccessToken?: Record<string, unknown> };
  return Object.keys(cache.AccessToken ?? {}).length;
}

/**
 * Fills an app's cache with scope_0..scope_{count-1} through deserialize: acquire scope_0 through
 * the public API once, take that library's own serialized entry as the template, and clone it with
 * the scope renamed. The format and the cache keys are each library's own, untouched otherwise.
 */
async function populateByDeserialize(app: BenchApp, count: number): Promise<void> {
  await app.acquireChecked("scope_0");
  const cache = JSON.parse(app.serializeCache()) as Record<string, Record<string, unknown>>;
  const section = cache["AccessToken"];
  if (!section) throw new Error("serialized cache has no AccessToken section");
  const templates = Object.entries(section).filter(([key]) => key.includes("scope_0"));
  const template = templates[0];
  if (templates.length !== 1 || !template) {
    throw new Error(`expected one scope_0 access token in the serialized cache, found ${templates.length}`);
  }
  const [templateKey, templateEntry] = template;
  const templateJson = JSON.stringify(templateEntry);
  const accessTokens: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const scope = `scope_${i}`;
    accessTokens[templateKey.replaceAll("scope_0", scope)] = JSON.parse(templateJson.replaceAll("scope_0", scope));
  }
  cache["AccessToken"] = accessTokens;
  app.deserializeCache(JSON.stringify(cache));
}

/** One case, one library: apps with populated caches, and the operation to measure. */
export class ClientCredentialSimulator {
  readonly service = new FakeTokenService();
  readonly apps: BenchApp[] = [];
  private readonly random: () => number;
  private tokensPerTenant = 0;

  private constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  static async create(library: LibraryAdapter, options: SimulatorOptions): Promise<ClientCredentialSimulator> {
    const sim = new ClientCredentialSimulator(options.seed ?? 42);
    const { tenants, tokensPerTenant: tokens, cacheHit } = options;
    sim.tokensPerTenant = tokens;
    for (let t = 0; t < tenants; t++) sim.apps.push(library.createApp(t, sim.service));

    for (const app of sim.apps) {
      if (options.populate === "api") {
        for (let i = 0; i < tokens; i++) await app.acquireChecked(`scope_${i}`);
      } else {
        await populateByDeserialize(app, tokens);
      }
      const populated = countAccessTokens(app);
      if (populated !== tokens) {
        throw new Error(`${library.name}: the cache holds ${populated} access tokens, expected ${tokens}`);
      }

      // The "scope" token: valid for the hit case; issued already-expired for the miss case, so
      // that it is in the cache yet every call still goes to the token endpoint.
      sim.service.expiringScope = cacheHit ? undefined : RUN_SCOPE;
      const postsBefore = sim.service.posts;
      await app.acquireChecked(RUN_SCOPE); // populates 1 token (hit) / the expired one (miss)
      await app.acquireChecked(RUN_SCOPE); // hit: from cache; miss: to the network again
      const expectedPosts = cacheHit ? 1 : 2;
      if (sim.service.posts - postsBefore !== expectedPosts) {
        throw new Error(
          `${library.name}: ${cacheHit ? "hit" : "miss"} setup made ${sim.service.posts - postsBefore} token requests, expected ${expectedPosts}`,
        );
      }
      const after = countAccessTokens(app);
      if (after !== tokens + 1) {
        throw new Error(`${library.name}: the cache holds ${after} access tokens, expected ${tokens + 1} (it shall not grow)`);
      }
    }
    return sim;
  }

  /** MSAL Python's `run()`: a random app, a token for ["scope"]. */
  readonly run = (): Promise<unknown> => {
    const app = this.apps[Math.floor(this.random() * this.apps.length)] as BenchApp;
    return app.acquire(RUN_SCOPE);
  };

  /** A random app, a token for one of its populated scopes (scope_0..scope_{M-1}) at random. */
  readonly runAnyScope = (): Promise<unknown> => {
    const app = this.apps[Math.floor(this.random() * this.apps.length)] as BenchApp;
    return app.acquire(`scope_${Math.floor(this.random() * this.tokensPerTenant)}`);
  };
}
