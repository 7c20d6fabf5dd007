// Regional endpoints (ESTS-R) end to end: the emulator answers on regional host names over real HTTPS,
// which the tests' HTTP client (and only it) resolves to 127.0.0.1; IMDS's region is the emulator's.
import assert from "node:assert/strict";
import type { LookupAddress, LookupOptions } from "node:dns";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { createEmulator, createTestCertificate, defaultTenant, type Emulator } from "@msal-ts/emulator";
import {
  ClientApplication,
  ConfidentialClientApplication,
  PublicClientApplication,
  SerializableTokenCache,
  type ConfidentialClientApplicationOptions,
  type HttpClient,
} from "@msal-ts/msal";
import { ADELE, DESKTOP_APP, GRAPH_READ, ORDERS_API, ORDERS_READ, ORDERS_SECRET, ok } from "./support.js";

const TENANT = defaultTenant.id;
const DAEMON = defaultTenant.apps[0].clientId;
const DAEMON_SECRET = defaultTenant.apps[0].secrets[0];
const CERT_DAEMON = "c3a7d0de-0000-4a11-8c11-0000000000c3";
const cert = createTestCertificate({ subject: "CN=regional-daemon" });
const ORDERS = ["api://orders/.default"];
const GRAPH = ["https://graph.microsoft.com/.default"];
const LOCATION_PATH = "/metadata/instance/compute/location";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

let emu: Emulator;
let port: string;

before(async () => {
  emu = await createEmulator({
    hostnames: ["login.microsoftonline.com"],
    regions: ["westus2"],
    // The emulated VM is in East US: what IMDS tells region detection.
    managedIdentity: { region: "eastus" },
    tenants: [
      {
        ...defaultTenant,
        apps: [
          ...defaultTenant.apps,
          { clientId: CERT_DAEMON, certificates: [cert.certificate], appRoles: { "api://orders": ["Orders.Read.All"] } },
        ],
      },
    ],
  });
  port = new URL(emu.url).port;
});

after(async () => {
  await emu.close();
});

/** One request the app's HTTP client sent. */
interface Sent {
  readonly url: string;
  readonly method: string;
  readonly body: URLSearchParams;
}

/**
 * An HTTP client that trusts the emulator's CA and resolves the emulator's names (central and
 * regional) to 127.0.0.1, refusing every other name; IMDS's address is routed to the emulator's
 * managed identity listener. Nothing reaches the network.
 */
async function routedClient(): Promise<{ readonly http: HttpClient; readonly sent: Sent[] }> {
  const { Agent, fetch: undiciFetch } = await import("undici");
  const names = new Set(["localhost", "login.microsoftonline.com"]);
  for (const region of emu.regions) names.add(`${region}.localhost`).add(`${region}.login.microsoft.com`);
  const lookup = (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    if (!names.has(hostname)) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), "");
    } else if (options.all) {
      callback(null, [{ address: "127.0.0.1", family: 4 }]);
    } else {
      callback(null, "127.0.0.1", 4);
    }
  };
  const dispatcher = new Agent({ connect: { ca: emu.caCertificate, lookup } });
  const imds = emu.managedIdentity?.url;
  assert.ok(imds);
  const sent: Sent[] = [];
  const http: HttpClient = async (url, init) => {
    const u = new URL(url);
    const target = u.origin === "http://169.254.169.254" ? `${imds}${u.pathname}${u.search}` : url;
    sent.push({ url, method: init.method, body: new URLSearchParams(init.body ?? "") });
    return undiciFetch(target, { ...init, dispatcher }) as unknown as Promise<Response>;
  };
  return { http, sent };
}

function certDaemon(http: HttpClient, extra: Partial<ConfidentialClientApplicationOptions> = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication(CERT_DAEMON, {
    clientCredential: { privateKey: cert.privateKey, thumbprint: cert.thumbprint },
    authority: emu.authority,
    instanceDiscovery: emu.instanceDiscoveryUrl,
    httpClient: http,
    ...extra,
  });
}

function daemon(http: HttpClient, extra: Partial<ConfidentialClientApplicationOptions> = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication(DAEMON, {
    clientCredential: DAEMON_SECRET,
    authority: emu.authority,
    instanceDiscovery: emu.instanceDiscoveryUrl,
    httpClient: http,
    ...extra,
  });
}

/** Sets (or, with `undefined`, removes) environment variables for the length of `fn`. */
async function withEnv<T>(vars: Readonly<Record<string, string | undefined>>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  const apply = (entries: ReadonlyArray<readonly [string, string | undefined]>): void => {
    for (const [name, value] of entries) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(Object.entries(vars));
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

const NO_REGION_ENV = { REGION_NAME: undefined, MSAL_FORCE_REGION: undefined } as const;

function locationRequests(): number {
  return emu.managedIdentity?.requests.filter((r) => r.path === LOCATION_PATH).length ?? 0;
}

function environments(cache: SerializableTokenCache): string[] {
  const state = JSON.parse(cache.serialize()) as { AccessToken?: Record<string, { environment: string }> };
  return Object.values(state.AccessToken ?? {}).map((e) => e.environment);
}

describe("client credentials with a region", () => {
  test("the token request lands on the regional host; the cache, the issuer and the assertion's aud stay central", async () => {
    emu.clearRequests();
    const { http, sent } = await routedClient();
    const cache = new SerializableTokenCache();
    const app = certDaemon(http, { azureRegion: "westus2", tokenCache: cache });

    const first = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(first.token_source, "identity_provider");
    assert.equal(emu.tokenRequestCount({ clientId: CERT_DAEMON, host: "westus2.localhost" }), 1);
    assert.equal(emu.tokenRequestCount({ clientId: CERT_DAEMON, region: null }), 0);

    const posts = sent.filter((s) => s.method === "POST");
    assert.deepEqual(posts.map((p) => p.url), [`https://westus2.localhost:${port}/${TENANT}/oauth2/v2.0/token`]);
    const assertion = posts[0]?.body.get("client_assertion");
    assert.ok(assertion, "a client assertion was sent");
    assert.equal(decodeJwt(assertion).aud, `${emu.url}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(decodeJwt(first.access_token).iss, `${emu.url}/${TENANT}/v2.0`);
    assert.deepEqual(environments(cache), ["localhost"]);

    const again = ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(again.token_source, "cache");
    // An app without a region finds the same token: entries are keyed by the central host.
    const central = ok(await certDaemon(http, { azureRegion: false, tokenCache: cache }).acquireTokenForClient(ORDERS));
    assert.equal(central.access_token, first.access_token);
    assert.equal(emu.tokenRequestCount({ clientId: CERT_DAEMON }), 1);
  });

  test("an authority on login.microsoftonline.com goes to {region}.login.microsoft.com", async () => {
    emu.clearRequests();
    const { http } = await routedClient();
    const cache = new SerializableTokenCache();
    const app = new ConfidentialClientApplication(DAEMON, {
      clientCredential: DAEMON_SECRET,
      authority: `https://login.microsoftonline.com:${port}/${TENANT}`,
      instanceDiscovery: false,
      httpClient: http,
      tokenCache: cache,
      azureRegion: "westus2",
    });
    ok(await app.acquireTokenForClient(ORDERS));
    assert.equal(emu.tokenRequestCount({ host: `westus2.login.microsoft.com:${port}` }), 1);
    assert.equal(emu.tokenRequestCount(), 1);
    assert.deepEqual(environments(cache), ["login.microsoftonline.com"]);
  });

  test("MSAL_FORCE_REGION applies when azureRegion is not given", async () => {
    emu.clearRequests();
    const { http } = await routedClient();
    await withEnv({ ...NO_REGION_ENV, MSAL_FORCE_REGION: "westus2" }, async () => {
      ok(await certDaemon(http).acquireTokenForClient(ORDERS));
    });
    assert.equal(emu.tokenRequestCount({ region: "westus2" }), 1);
    assert.equal(emu.tokenRequestCount({ region: null }), 0);
  });

  test("azureRegion: false ignores MSAL_FORCE_REGION", async () => {
    emu.clearRequests();
    const { http } = await routedClient();
    await withEnv({ ...NO_REGION_ENV, MSAL_FORCE_REGION: "westus2" }, async () => {
      ok(await certDaemon(http, { azureRegion: false }).acquireTokenForClient(ORDERS));
    });
    assert.equal(emu.tokenRequestCount({ region: null }), 1);
    assert.equal(emu.tokenRequestCount({ region: "westus2" }), 0);
  });
});

describe("region detection (ATTEMPT_REGION_DISCOVERY)", () => {
  test("REGION_NAME is read (spaces removed, lower case) and IMDS is not asked", async () => {
    emu.clearRequests();
    emu.managedIdentity?.clearRequests();
    const { http } = await routedClient();
    await withEnv({ ...NO_REGION_ENV, REGION_NAME: "West US 2" }, async () => {
      ok(await certDaemon(http, { azureRegion: ClientApplication.ATTEMPT_REGION_DISCOVERY }).acquireTokenForClient(ORDERS));
    });
    assert.equal(emu.tokenRequestCount({ host: "westus2.localhost" }), 1);
    assert.equal(locationRequests(), 0);
  });

  test("without REGION_NAME, IMDS tells the region, once per app however many requests wait for it", async () => {
    emu.clearRequests();
    emu.managedIdentity?.clearRequests();
    const { http, sent } = await routedClient();
    await withEnv(NO_REGION_ENV, async () => {
      const app = daemon(http, { azureRegion: ClientApplication.ATTEMPT_REGION_DISCOVERY });
      const [orders, graph] = await Promise.all([app.acquireTokenForClient(ORDERS), app.acquireTokenForClient(GRAPH)]);
      ok(orders);
      ok(graph);
      ok(await app.acquireTokenForClient(ORDERS, { forceRefresh: true }));
    });
    assert.equal(locationRequests(), 1);
    assert.ok(sent.some((s) => s.url === "http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01"));
    assert.equal(emu.tokenRequestCount({ host: "eastus.localhost" }), 3);
    assert.equal(emu.tokenRequestCount({ region: null }), 0);
  });

  test("an IMDS failure or an answer that is no region name leaves requests central", async () => {
    emu.clearRequests();
    const { http } = await routedClient();
    const mi = emu.managedIdentity;
    assert.ok(mi);
    await withEnv(NO_REGION_ENV, async () => {
      mi.failNext("imds", { status: 500 });
      ok(await daemon(http, { azureRegion: true }).acquireTokenForClient(ORDERS));
      mi.failNext("imds", { status: 200, body: "<html><body>Sign in to the proxy</body></html>" });
      ok(await daemon(http, { azureRegion: true }).acquireTokenForClient(ORDERS));
    });
    assert.equal(emu.tokenRequestCount({ region: null }), 2);
    assert.equal(emu.tokenRequestCount({ region: "eastus" }), 0);
  });
});

describe("other flows stay central", () => {
  test("on-behalf-of and silent refresh of a regional app go to the central endpoint", async () => {
    const { http } = await routedClient();
    const client = new PublicClientApplication(DESKTOP_APP, { authority: emu.authority, instanceDiscovery: emu.instanceDiscoveryUrl, httpClient: http });
    const incoming = ok(await client.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
    emu.clearRequests();

    const api = new ConfidentialClientApplication(ORDERS_API, {
      clientCredential: ORDERS_SECRET,
      authority: emu.authority,
      instanceDiscovery: emu.instanceDiscoveryUrl,
      httpClient: http,
      azureRegion: "westus2",
    });
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    const [account] = await api.getAccounts();
    assert.ok(account);
    ok(await api.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));

    assert.equal(emu.tokenRequestCount({ clientId: ORDERS_API, grantType: JWT_BEARER, region: null }), 1);
    assert.equal(emu.tokenRequestCount({ clientId: ORDERS_API, grantType: "refresh_token", region: null }), 1);
    assert.equal(emu.tokenRequestCount({ region: "westus2" }), 0);
  });
});
