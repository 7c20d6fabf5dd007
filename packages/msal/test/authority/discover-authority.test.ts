import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import {
  _clearDiscoveryCache,
  discoverAuthority,
  getCachedAuthorityMetadata,
  parseAuthority,
  parseOidcAuthority,
  resolveAuthorityConfig,
} from "../../src/authority/index.js";
import type { DiscoverySettings } from "../../src/authority/index.js";
import { MsalError, NetworkError } from "../../src/errors.js";
import { deferred, fakeHttpClient, json, openIdDocument } from "./fake-http-client.js";

const GUID = "72F988BF-86f1-41af-91ab-2d7cd011db47";
const WW = "https://login.microsoftonline.com";
const INSTANCE_DISCOVERY = `${WW}/common/discovery/instance`;

function instanceDiscoveryUrl(authorizeUrl: string, endpoint = INSTANCE_DISCOVERY): string {
  return `${endpoint}?api-version=1.0&authorization_endpoint=${encodeURIComponent(authorizeUrl)}`;
}

const isCode = (code: string, message?: RegExp) => (e: unknown) =>
  e instanceof MsalError && e.code === code && (message === undefined || message.test(e.message));

beforeEach(() => _clearDiscoveryCache());

describe("discoverAuthority: where it asks", () => {
  it("reads a well-known host's document directly, with no library headers", async () => {
    const doc = `${WW}/common/v2.0/.well-known/openid-configuration`;
    const http = fakeHttpClient({ [doc]: json(openIdDocument(`${WW}/common`)) });
    const m = await discoverAuthority(parseAuthority(`${WW}/common`), { httpClient: http });
    assert.deepEqual(
      http.requests.map((r) => r.url),
      [doc],
    );
    assert.deepEqual(http.requests[0]!.init, { method: "GET", headers: { accept: "application/json" } });
    assert.equal(m.authorization_endpoint, `${WW}/common/oauth2/v2.0/authorize`);
    assert.equal(m.token_endpoint, `${WW}/common/oauth2/v2.0/token`);
    assert.equal(m.device_authorization_endpoint, `${WW}/common/oauth2/v2.0/devicecode`);
    assert.equal(m.issuer, `${WW}/common/v2.0`);
    assert.equal(m.jwks_uri, `${WW}/common/discovery/v2.0/keys`);
    assert.equal(m.end_session_endpoint, `${WW}/common/oauth2/v2.0/logout`);
    assert.equal(m.tenant_region_scope, "WW", "other document fields are kept");
    assert.equal(m.tenant, "common");
    assert.equal(m.host, "login.microsoftonline.com");
    assert.ok(Object.isFrozen(m));
  });

  it("re-derives the tenant from the token endpoint, keeping its case", async () => {
    const http = fakeHttpClient({
      [`${WW}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`]: json(openIdDocument(`${WW}/${GUID}`)),
    });
    const m = await discoverAuthority(parseAuthority(`${WW}/contoso.onmicrosoft.com`), { httpClient: http });
    assert.equal(m.tenant, GUID);
  });

  it("runs instance discovery for a host that is not well known, then reads the document it names", async () => {
    const authorize = "https://login.windows.net/contoso.onmicrosoft.com/oauth2/v2.0/authorize";
    const tenantDoc = `https://login.windows.net/${GUID}/v2.0/.well-known/openid-configuration`;
    const http = fakeHttpClient({
      [instanceDiscoveryUrl(authorize)]: json({ "api-version": "1.1", tenant_discovery_endpoint: tenantDoc, metadata: [] }),
      [tenantDoc]: json(openIdDocument(`https://login.windows.net/${GUID}`)),
    });
    const m = await discoverAuthority(parseAuthority("https://login.windows.net/contoso.onmicrosoft.com"), {
      httpClient: http,
    });
    assert.deepEqual(
      http.requests.map((r) => r.url),
      [instanceDiscoveryUrl(authorize), tenantDoc],
    );
    assert.match(http.requests[0]!.url, /api-version=1\.0&authorization_endpoint=https%3A%2F%2Flogin\.windows\.net/);
    assert.equal(m.tenant, GUID);
    assert.equal(m.host, "login.windows.net");
  });

  it("asks a custom instance discovery endpoint, keeping the port in the authorize URL", async () => {
    const endpoint = "https://localhost:8443/common/discovery/instance";
    const authorize = "https://localhost:9443/contoso/oauth2/v2.0/authorize";
    const tenantDoc = "https://localhost:9443/contoso/v2.0/.well-known/openid-configuration";
    const http = fakeHttpClient({
      [instanceDiscoveryUrl(authorize, endpoint)]: json({ tenant_discovery_endpoint: tenantDoc }),
      [tenantDoc]: json(openIdDocument("https://localhost:9443/contoso")),
    });
    const m = await discoverAuthority(parseAuthority("https://localhost:9443/contoso"), {
      httpClient: http,
      instanceDiscovery: endpoint,
    });
    assert.equal(http.requests.length, 2);
    assert.equal(m.instance, "localhost:9443");
    assert.equal(m.host, "localhost");
  });

  it("turns an unknown host (invalid_instance) into ERR_AUTHORITY that says how to proceed", async () => {
    const authorize = "https://example.com/tenant/oauth2/v2.0/authorize";
    const http = fakeHttpClient({
      [instanceDiscoveryUrl(authorize)]: json(
        {
          error: "invalid_instance",
          error_description: "AADSTS50049: Unknown or invalid instance.",
          error_codes: [50049],
        },
        400,
      ),
    });
    await assert.rejects(
      discoverAuthority(parseAuthority("https://example.com/tenant"), { httpClient: http }),
      isCode("ERR_AUTHORITY", /not trusted.*AADSTS50049.*validateAuthority: false or instanceDiscovery: false/s),
    );
    assert.equal(http.requests.length, 1);
  });

  const skipped: [string, string, DiscoverySettings][] = [
    ["validateAuthority: false in the context", "https://private.cloud/foo", { validateAuthority: false }],
    ["instanceDiscovery: false", "https://private.cloud/foo", { instanceDiscovery: false }],
    ["instanceDiscovery: false, even for a well-known host", `${WW}/common`, { instanceDiscovery: false }],
  ];
  for (const [name, url, settings] of skipped) {
    it(`skips instance discovery with ${name}`, async () => {
      const a = parseAuthority(url);
      const http = fakeHttpClient({ [a.openIdConfigurationUrl]: json(openIdDocument(a.url)) });
      await discoverAuthority(a, { httpClient: http, ...settings });
      assert.deepEqual(
        http.requests.map((r) => r.url),
        [a.openIdConfigurationUrl],
      );
    });
  }

  const kinds: [string, string, string, string][] = [
    ["validateAuthority: false at parse time", "https://private.cloud/foo", "https://private.cloud/foo/v2.0/.well-known/openid-configuration", "foo"],
    ["AD FS", "https://fs.contoso.com/adfs", "https://fs.contoso.com/adfs/.well-known/openid-configuration", "adfs"],
    [
      "B2C",
      "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/b2c_1_susi",
      "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/b2c_1_susi/v2.0/.well-known/openid-configuration",
      "fabrikamb2c.onmicrosoft.com",
    ],
    [
      "path-less CIAM",
      "https://contoso.ciamlogin.com",
      "https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
      "contoso.onmicrosoft.com",
    ],
  ];
  for (const [name, url, docUrl, tenant] of kinds) {
    it(`reads the document of ${name} at ${docUrl}`, async () => {
      const a = name.startsWith("validateAuthority") ? parseAuthority(url, { validateAuthority: false }) : parseAuthority(url);
      const base = name === "B2C" ? "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com" : a.url;
      const http = fakeHttpClient({ [docUrl]: json(openIdDocument(base)) });
      const m = await discoverAuthority(a, { httpClient: http });
      assert.deepEqual(
        http.requests.map((r) => r.url),
        [docUrl],
      );
      assert.equal(m.tenant, tenant);
    });
  }

  it("reads an OIDC authority's document at its URL plus /.well-known/openid-configuration", async () => {
    const http = fakeHttpClient({
      "https://contoso.com/tenant/.well-known/openid-configuration": json({
        authorization_endpoint: "https://contoso.com/authorize",
        token_endpoint: "https://contoso.com/tenant/token",
      }),
    });
    const m = await discoverAuthority(parseOidcAuthority("https://contoso.com/tenant"), { httpClient: http });
    assert.equal(http.requests.length, 1);
    assert.equal(m.token_endpoint, "https://contoso.com/tenant/token");
    assert.equal(m.device_authorization_endpoint, undefined);
    assert.equal("device_authorization_endpoint" in m, false);
  });
});

describe("discoverAuthority: failures", () => {
  const doc = `${WW}/nonexistent/v2.0/.well-known/openid-configuration`;
  const authority = () => parseAuthority(`${WW}/nonexistent`);

  it("turns a 4xx (unknown tenant) into ERR_DISCOVERY quoting the server's error", async () => {
    const http = fakeHttpClient({
      [doc]: json(
        {
          error: "invalid_tenant",
          error_description: "AADSTS90002: Tenant 'nonexistent' not found.",
          error_codes: [90002],
        },
        400,
      ),
    });
    await assert.rejects(
      discoverAuthority(authority(), { httpClient: http }),
      isCode("ERR_DISCOVERY", /HTTP 400 \(invalid_tenant: AADSTS90002: Tenant 'nonexistent' not found\.\).*tenant name or GUID/),
    );
  });

  it("turns a 5xx into a NetworkError with the status", async () => {
    const http = fakeHttpClient({ [doc]: json({ error: "Service Unavailable" }, 503) });
    await assert.rejects(
      discoverAuthority(authority(), { httpClient: http }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_HTTP_STATUS" && e.status === 503,
    );
  });

  it("turns a body that is not JSON into ERR_INVALID_RESPONSE", async () => {
    const http = fakeHttpClient({ [doc]: new Response("<html>portal</html>", { headers: { "content-type": "text/html" } }) });
    await assert.rejects(
      discoverAuthority(authority(), { httpClient: http }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_INVALID_RESPONSE" && /text\/html/.test(e.message),
    );
  });

  const broken: [string, Record<string, unknown>, RegExp][] = [
    ["without token_endpoint", { authorization_endpoint: `${WW}/t/oauth2/v2.0/authorize` }, /no token_endpoint/],
    ["without authorization_endpoint", { token_endpoint: `${WW}/t/oauth2/v2.0/token` }, /no authorization_endpoint/],
    ["with an http token_endpoint", openIdDocument(`${WW}/t`, { token_endpoint: "http://evil.example/t/token" }), /not an https URL/],
    ["with a token_endpoint naming no tenant", openIdDocument(`${WW}/t`, { token_endpoint: "https://evil.example/" }), /names no tenant/],
  ];
  for (const [name, body, message] of broken) {
    it(`rejects a document ${name} with ERR_DISCOVERY`, async () => {
      const http = fakeHttpClient({ [doc]: json(body) });
      await assert.rejects(discoverAuthority(authority(), { httpClient: http }), isCode("ERR_DISCOVERY", message));
    });
  }

  it("drops optional fields of the wrong type", async () => {
    const http = fakeHttpClient({ [doc]: json(openIdDocument(`${WW}/t`, { issuer: 42 })) });
    const m = await discoverAuthority(authority(), { httpClient: http });
    assert.equal("issuer" in m, false);
  });

  it("wraps what a custom client throws in a NetworkError", async () => {
    const boom = new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" }) });
    const http = fakeHttpClient({
      [doc]: () => {
        throw boom;
      },
    });
    await assert.rejects(
      discoverAuthority(authority(), { httpClient: http }),
      (e: unknown) =>
        e instanceof NetworkError && e.code === "ERR_NETWORK" && e.cause === boom && /login\.microsoftonline\.com.*ENOTFOUND/.test(e.message),
    );
  });

  it("rejects a context without an HTTP client", async () => {
    await assert.rejects(discoverAuthority(authority(), { httpClient: undefined as never }), { code: "ERR_INVALID_ARG_TYPE" });
  });
});

describe("discoverAuthority: shared across the process", () => {
  const docUrl = `${WW}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`;
  const config = { authority: `${WW}/contoso.onmicrosoft.com` };

  it("lets a second app for the same authority make no request", async () => {
    const first = fakeHttpClient({ [docUrl]: json(openIdDocument(`${WW}/${GUID}`)) });
    const second = fakeHttpClient({});
    const appA = resolveAuthorityConfig(config);
    const appB = resolveAuthorityConfig(config);
    assert.equal(getCachedAuthorityMetadata(appA), undefined);
    const a = await discoverAuthority(appA, { httpClient: first });
    const b = await discoverAuthority(appB, { httpClient: second });
    assert.equal(first.requests.length, 1);
    assert.equal(second.requests.length, 0);
    assert.equal(b.token_endpoint, a.token_endpoint);
    assert.equal(getCachedAuthorityMetadata(appB), b, "the synchronous peek hands out the same object");
  });

  it("shares instance discovery too", async () => {
    const authorize = "https://login.windows.net/contoso.onmicrosoft.com/oauth2/v2.0/authorize";
    const tenantDoc = `https://login.windows.net/${GUID}/v2.0/.well-known/openid-configuration`;
    const routes = {
      [instanceDiscoveryUrl(authorize)]: json({ tenant_discovery_endpoint: tenantDoc }),
      [tenantDoc]: json(openIdDocument(`https://login.windows.net/${GUID}`)),
    };
    const first = fakeHttpClient(routes);
    const second = fakeHttpClient({});
    const url = "https://login.windows.net/contoso.onmicrosoft.com";
    await discoverAuthority(parseAuthority(url), { httpClient: first });
    await discoverAuthority(parseAuthority(url), { httpClient: second });
    assert.equal(first.requests.length, 2);
    assert.equal(second.requests.length, 0);
    assert.ok(getCachedAuthorityMetadata(parseAuthority(url)));
    // The same authority without instance discovery reads its own document URL: not yet known.
    assert.equal(getCachedAuthorityMetadata(parseAuthority(url), { instanceDiscovery: false }), undefined);
  });

  it("makes one request for ten concurrent discoveries", async () => {
    const held = deferred<void>();
    const http = fakeHttpClient({
      [docUrl]: async () => {
        await held.promise;
        return json(openIdDocument(`${WW}/${GUID}`));
      },
    });
    const all = Array.from({ length: 10 }, () => discoverAuthority(resolveAuthorityConfig(config), { httpClient: http }));
    await new Promise((r) => setImmediate(r));
    held.resolve();
    const results = await Promise.all(all);
    assert.equal(http.requests.length, 1);
    assert.ok(results.every((m) => m.tenant === GUID));
  });

  it("does not keep a failure: every waiting caller sees it, the next caller tries again", async () => {
    const held = deferred<void>();
    const http = fakeHttpClient({
      [docUrl]: [
        async () => {
          await held.promise;
          return json({ error: "server_error" }, 500);
        },
        json(openIdDocument(`${WW}/${GUID}`)),
      ],
    });
    const waiting = Array.from({ length: 3 }, () => discoverAuthority(resolveAuthorityConfig(config), { httpClient: http }));
    held.resolve();
    for (const p of waiting) await assert.rejects(p, { code: "ERR_HTTP_STATUS" });
    assert.equal(http.requests.length, 1);
    assert.equal(getCachedAuthorityMetadata(resolveAuthorityConfig(config)), undefined);
    const m = await discoverAuthority(resolveAuthorityConfig(config), { httpClient: http });
    assert.equal(m.tenant, GUID);
    assert.equal(http.requests.length, 2);
  });

  it("lets one caller abort without cancelling the shared request for the others", async () => {
    const held = deferred<void>();
    const http = fakeHttpClient({
      [docUrl]: async () => {
        await held.promise;
        return json(openIdDocument(`${WW}/${GUID}`));
      },
    });
    const controller = new AbortController();
    const quitter = discoverAuthority(resolveAuthorityConfig(config), { httpClient: http, signal: controller.signal });
    const stayer = discoverAuthority(resolveAuthorityConfig(config), { httpClient: http });
    controller.abort();
    await assert.rejects(quitter, { name: "AbortError" });
    held.resolve();
    assert.equal((await stayer).tenant, GUID);
    assert.equal(http.requests.length, 1);
    assert.equal(http.requests[0]!.init.signal, undefined, "the shared request carries no caller's signal");
  });

  it("rejects at once with the reason of a signal already aborted", async () => {
    const http = fakeHttpClient({ [docUrl]: json(openIdDocument(`${WW}/${GUID}`)) });
    const reason = new Error("stop");
    await assert.rejects(
      discoverAuthority(resolveAuthorityConfig(config), { httpClient: http, signal: AbortSignal.abort(reason) }),
      (e: unknown) => e === reason,
    );
    assert.equal(http.requests.length, 0);
  });
});
