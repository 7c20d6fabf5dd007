import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createEmulator, defaultTenant } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { assertEntraError as assertEntraErrorShape } from "./support/entra-error.js";
import { call } from "./support/https.js";
import { DOMAIN, TENANT } from "./support/fixtures.js";

let emu: Emulator;

before(async () => {
  emu = await createEmulator({ tenants: [{ id: TENANT, domains: [DOMAIN] }] });
});
after(() => emu.close());

function get(path: string, headers: Record<string, string> = {}) {
  return call(`${emu.url}${path}`, { ca: emu.caCertificate, headers });
}

/** Entra's error shape (authority-wire-format §3.1). */
function assertEntraError(body: Record<string, unknown>, error: string, code: number): void {
  assertEntraErrorShape(emu.url, body, error, code);
}

describe("emulator handle", () => {
  test("exposes its URLs", () => {
    assert.match(emu.url, /^https:\/\/localhost:\d+$/);
    assert.equal(emu.host, emu.url.slice("https://".length));
    assert.equal(emu.authority, `${emu.url}/${TENANT}`);
    assert.equal(emu.defaultTenantId, TENANT);
    assert.equal(emu.authorityFor(DOMAIN), `${emu.url}/${DOMAIN}`);
    assert.equal(emu.instanceDiscoveryUrl, `${emu.url}/common/discovery/instance`);
    assert.match(emu.caCertificate, /^-----BEGIN CERTIFICATE-----/);
  });

  test("defaults to the Contoso tenant with a sample app", async () => {
    const d = await createEmulator();
    try {
      assert.equal(d.defaultTenantId, defaultTenant.id);
      const r = await call(`${d.url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`, { ca: d.caCertificate });
      assert.equal(r.status, 200);
      assert.equal(r.json().issuer, `${d.url}/${defaultTenant.id}/v2.0`);
    } finally {
      await d.close();
    }
  });
});

describe("OpenID configuration", () => {
  test("for a tenant GUID: GUID in every URL and in the issuer", async () => {
    const r = await get(`/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(r.headers["cache-control"], "max-age=86400, private");
    assert.equal(r.headers["access-control-allow-origin"], "*");
    const doc = r.json();
    const base = `${emu.url}/${TENANT}`;
    assert.equal(doc.issuer, `${base}/v2.0`);
    assert.equal(doc.authorization_endpoint, `${base}/oauth2/v2.0/authorize`);
    assert.equal(doc.token_endpoint, `${base}/oauth2/v2.0/token`);
    assert.equal(doc.device_authorization_endpoint, `${base}/oauth2/v2.0/devicecode`);
    assert.equal(doc.end_session_endpoint, `${base}/oauth2/v2.0/logout`);
    assert.equal(doc.jwks_uri, `${base}/discovery/v2.0/keys`);
    assert.equal(doc.kerberos_endpoint, `${base}/kerberos`);
    assert.deepEqual(doc.response_modes_supported, ["query", "fragment", "form_post"]);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, ["client_secret_post", "private_key_jwt", "client_secret_basic"]);
    assert.deepEqual(doc.id_token_signing_alg_values_supported, ["RS256"]);
    assert.equal(doc.tenant_region_scope, "WW");
    assert.equal(doc.request_uri_parameter_supported, false);
    assert.equal(doc.msgraph_host, "graph.microsoft.com");
    assert.ok(Array.isArray(doc.claims_supported) && doc.claims_supported.includes("tid"));
  });

  test("for a domain: the same document, with the tenant GUID", async () => {
    const byGuid = (await get(`/${TENANT}/v2.0/.well-known/openid-configuration`)).json();
    const r = await get(`/${DOMAIN.toUpperCase()}/v2.0/.well-known/openid-configuration`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), byGuid);
  });

  test("the v1-style path without v2.0 serves the v2.0 document", async () => {
    const r = await get(`/${DOMAIN}/.well-known/openid-configuration`);
    assert.equal(r.status, 200);
    assert.equal(r.json().issuer, `${emu.url}/${TENANT}/v2.0`);
  });

  for (const segment of ["common", "organizations"]) {
    test(`for ${segment}: literal segment in URLs, {tenantid} issuer`, async () => {
      const doc = (await get(`/${segment}/v2.0/.well-known/openid-configuration`)).json();
      assert.equal(doc.issuer, `${emu.url}/{tenantid}/v2.0`);
      assert.equal(doc.token_endpoint, `${emu.url}/${segment}/oauth2/v2.0/token`);
      assert.equal(doc.authorization_endpoint, `${emu.url}/${segment}/oauth2/v2.0/authorize`);
      assert.equal(doc.tenant_region_scope, null);
    });
  }

  test("for consumers: the MSA tenant GUID in the issuer", async () => {
    const doc = (await get("/consumers/v2.0/.well-known/openid-configuration")).json();
    assert.equal(doc.issuer, `${emu.url}/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0`);
    assert.equal(doc.token_endpoint, `${emu.url}/consumers/oauth2/v2.0/token`);
  });

  test("tolerates a query string (?appid=…)", async () => {
    const r = await get(`/${TENANT}/v2.0/.well-known/openid-configuration?appid=abc`);
    assert.equal(r.status, 200);
  });

  test("unknown tenant → 400 invalid_tenant AADSTS90002 in Entra's shape", async () => {
    const r = await get("/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration");
    assert.equal(r.status, 400);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    const body = r.json();
    assertEntraError(body, "invalid_tenant", 90002);
    assert.match(String(body.error_description), /Tenant 'fabrikam\.onmicrosoft\.com' not found/);
    assert.equal(r.headers["x-ms-request-id"], body.trace_id);
  });

  test("echoes client-request-id as correlation_id", async () => {
    const id = "0b7f5a59-3c5e-4e36-9b7d-6a1f2c9d8e11";
    const r = await get("/nowhere/v2.0/.well-known/openid-configuration", { "client-request-id": id });
    assert.equal(r.json().correlation_id, id);
    assert.equal(r.headers["client-request-id"], id);
  });

  test("uses the host the client addressed (127.0.0.1)", async () => {
    const port = new URL(emu.url).port;
    const r = await call(`https://127.0.0.1:${port}/${TENANT}/v2.0/.well-known/openid-configuration`, { ca: emu.caCertificate });
    assert.equal(r.json().token_endpoint, `https://127.0.0.1:${port}/${TENANT}/oauth2/v2.0/token`);
  });
});

describe("instance discovery", () => {
  const discover = (authorize: string, version = "1.1") =>
    get(`/common/discovery/instance?api-version=${version}&authorization_endpoint=${encodeURIComponent(authorize)}`);

  for (const version of ["1.0", "1.1"]) {
    test(`own host (api-version ${version}): itself as the only alias, tenant mirrored`, async () => {
      const r = await discover(`${emu.url}/${DOMAIN}/oauth2/v2.0/authorize`, version);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json(), {
        tenant_discovery_endpoint: `${emu.url}/${DOMAIN}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: emu.host, preferred_cache: emu.host, aliases: [emu.host] }],
      });
    });
  }

  test("foreign host → 400 invalid_instance AADSTS50049", async () => {
    const r = await discover("https://login.example.com/common/oauth2/v2.0/authorize");
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_instance", 50049);
  });

  test("plain http on the own host → invalid_instance", async () => {
    const r = await discover(`http://${emu.host}/common/oauth2/v2.0/authorize`);
    assert.equal(r.status, 400);
    assert.equal(r.json().error, "invalid_instance");
  });

  test("a Microsoft cloud host (MSAL Python's alias lookup) lists the emulator and Microsoft's groups", async () => {
    const r = await discover("https://login.microsoftonline.com/common/oauth2/authorize");
    assert.equal(r.status, 200);
    const body = r.json<{ metadata: { aliases: string[] }[] }>();
    assert.deepEqual(body.metadata[0]?.aliases, [emu.host]);
    assert.ok(body.metadata.some((g) => g.aliases.includes("login.windows.net")));
  });

  test("missing authorization_endpoint → 400", async () => {
    const r = await get("/common/discovery/instance?api-version=1.1");
    assert.equal(r.status, 400);
    assert.equal(r.json().error, "invalid_request");
  });
});

describe("JWKS", () => {
  test("publishes the RSA signing key with kid, x5t, n, e, x5c", async () => {
    const r = await get(`/${TENANT}/discovery/v2.0/keys`);
    assert.equal(r.status, 200);
    const { keys } = r.json<{ keys: Record<string, unknown>[] }>();
    assert.equal(keys.length, 1);
    const key = keys[0] ?? {};
    assert.equal(key.kty, "RSA");
    assert.equal(key.use, "sig");
    assert.equal(key.e, "AQAB");
    assert.equal(key.x5t, key.kid);
    assert.match(String(key.n), /^[A-Za-z0-9_-]{300,}$/);
    assert.ok(Array.isArray(key.x5c) && key.x5c.length === 1);
    assert.equal(key.issuer, `${emu.url}/${TENANT}/v2.0`);
  });

  test("unknown tenant → invalid_tenant", async () => {
    const r = await get("/nope/discovery/v2.0/keys");
    assert.equal(r.status, 400);
    assert.equal(r.json().error, "invalid_tenant");
  });
});

describe("routing", () => {
  test("unknown path → 404 JSON", async () => {
    const r = await get("/nothing/here");
    assert.equal(r.status, 404);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(r.json().error, "not_found");
  });

  test("a path starting with // is a path, not a host", async () => {
    const r = await get("//common/discovery/instance");
    assert.equal(r.status, 404);
  });

  test("a body over 1 MiB → 413", async () => {
    const r = await call(`${emu.url}/${TENANT}/oauth2/v2.0/token`, {
      ca: emu.caCertificate,
      form: { grant_type: "client_credentials", padding: "x".repeat(1024 * 1024) },
    });
    assert.equal(r.status, 413);
  });

  test("GET on the token endpoint → 405 with Allow", async () => {
    const r = await get(`/${TENANT}/oauth2/v2.0/token`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, "POST");
    assertEntraError(r.json(), "invalid_request", 900561);
  });
});
