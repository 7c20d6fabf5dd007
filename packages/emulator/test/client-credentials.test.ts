import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";
import { createEmulator } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { DOMAIN, ORDERS_APP_ID, TENANT } from "./support/fixtures.js";
import { assertEntraError as assertEntraErrorShape } from "./support/entra-error.js";
import { call } from "./support/https.js";
import type { CallOptions } from "./support/https.js";

const CLIENT = "8a1c9f3e-1111-4a2b-9c3d-000000000001";
const NO_ROLES = "8a1c9f3e-1111-4a2b-9c3d-000000000002";
const PUBLIC = "8a1c9f3e-1111-4a2b-9c3d-000000000003";
const SECRET = "s3cret~value+with/odd=chars";
const GRAPH = "https://graph.microsoft.com/.default";
const ORDERS = "api://orders/.default";
const OTHER_TENANT = "0c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f";

let emu: Emulator;
const now = Math.floor(Date.now() / 1000);

before(async () => {
  emu = await createEmulator({
    clock: () => now,
    tenants: [
      {
        id: TENANT,
        domains: [DOMAIN],
        apis: [{ identifier: "api://orders", appId: ORDERS_APP_ID, roles: ["Orders.Read", "Orders.Write"] }],
        apps: [
          {
            clientId: CLIENT,
            secrets: ["old-secret", SECRET],
            appRoles: { "api://orders": ["Orders.Read", "Orders.Write"], "https://graph.microsoft.com": ["User.Read.All"] },
          },
          { clientId: NO_ROLES, secrets: ["other"] },
          { clientId: PUBLIC, publicClient: true },
        ],
      },
      { id: OTHER_TENANT, apps: [{ clientId: CLIENT, secrets: ["tenant-b"] }] },
    ],
  });
});
after(() => emu.close());

function token(form: Record<string, string>, options: Omit<CallOptions, "form"> & { tenant?: string; query?: string } = {}) {
  const { tenant = TENANT, query = "", ...rest } = options;
  return call(`${emu.url}/${tenant}/oauth2/v2.0/token${query}`, { ca: emu.caCertificate, form, ...rest });
}

const cc = (extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: CLIENT,
  client_secret: SECRET,
  scope: ORDERS,
  ...extra,
});

async function jwks(): Promise<JSONWebKeySet> {
  return (await call(`${emu.url}/${TENANT}/discovery/v2.0/keys`, { ca: emu.caCertificate })).json<JSONWebKeySet>();
}

/** Entra's error shape (authority-wire-format §3.1). */
function assertEntraError(body: Record<string, unknown>, error: string, code: number): void {
  assertEntraErrorShape(emu.url, body, error, code);
}

describe("client credentials with a secret", () => {
  test("issues an app token; it verifies against the JWKS and carries Entra's claims", async () => {
    const r = await token(cc());
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-store, no-cache");
    assert.equal(r.headers.pragma, "no-cache");
    assert.match(String(r.headers["x-ms-request-id"]), /^[0-9a-f-]{36}$/);
    const body = r.json();
    assert.deepEqual(Object.keys(body).sort(), ["access_token", "expires_in", "ext_expires_in", "token_type"]);
    assert.equal(body.token_type, "Bearer");
    assert.equal(body.expires_in, 3599);
    assert.equal(body.ext_expires_in, 3599);

    const at = String(body.access_token);
    const keys = await jwks();
    const { payload, protectedHeader } = await jwtVerify(at, createLocalJWKSet(keys), {
      issuer: `${emu.url}/${TENANT}/v2.0`,
      audience: ORDERS_APP_ID,
      currentDate: new Date(now * 1000),
    });
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(protectedHeader.typ, "JWT");
    assert.equal(protectedHeader.kid, keys.keys[0]?.kid);
    assert.equal(payload.iat, now);
    assert.equal(payload.nbf, now);
    assert.equal(payload.exp, now + 3599);
    assert.equal(payload.tid, TENANT);
    assert.equal(payload.azp, CLIENT);
    assert.equal(payload.appid, CLIENT);
    assert.equal(payload.azpacr, "1");
    assert.equal(payload.appidacr, "1");
    assert.equal(payload.idtyp, "app");
    assert.equal(payload.ver, "2.0");
    assert.deepEqual(payload.roles, ["Orders.Read", "Orders.Write"]);
    assert.match(String(payload.oid), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(payload.sub, payload.oid);
    assert.match(String(payload.uti), /^[A-Za-z0-9_-]{22}$/);
    assert.equal(payload.xms_cc, undefined);
    assert.equal(payload.scp, undefined);
  });

  test("the service principal id is stable per app and tenant", async () => {
    const a = decodeJwt(String((await token(cc())).json().access_token));
    const b = decodeJwt(String((await token(cc({ scope: GRAPH }))).json().access_token));
    const other = decodeJwt(
      String((await token(cc({ client_secret: "tenant-b", scope: GRAPH }), { tenant: OTHER_TENANT })).json().access_token),
    );
    assert.equal(a.oid, b.oid);
    assert.notEqual(a.oid, other.oid);
    assert.equal(other.tid, OTHER_TENANT);
    assert.equal(other.roles, undefined, "no roles granted in that tenant");
  });

  test("Microsoft Graph exists in every tenant; its aud is its URL", async () => {
    const r = await token(cc({ scope: GRAPH }));
    assert.equal(r.status, 200, r.text);
    const claims = decodeJwt(String(r.json().access_token));
    assert.equal(claims.aud, "https://graph.microsoft.com");
    assert.deepEqual(claims.roles, ["User.Read.All"]);
  });

  test("a resource may be named by its app id; OIDC scopes are ignored", async () => {
    const r = await token(cc({ scope: `${ORDERS_APP_ID}/.default openid profile offline_access` }));
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().access_token)).aud, ORDERS_APP_ID);
  });

  test("an app without grants gets a token without roles", async () => {
    const r = await token(cc({ client_id: NO_ROLES, client_secret: "other" }));
    assert.equal(r.status, 200, r.text);
    assert.equal("roles" in decodeJwt(String(r.json().access_token)), false);
  });

  test("HTTP Basic authentication (form-urlencoded id and secret)", async () => {
    const basic = Buffer.from(`${encodeURIComponent(CLIENT)}:${encodeURIComponent(SECRET)}`).toString("base64");
    const r = await token({ grant_type: "client_credentials", scope: ORDERS }, { headers: { authorization: `Basic ${basic}` } });
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().access_token)).azp, CLIENT);
  });

  test("the tenant may be named by domain; a query string and unknown fields are tolerated", async () => {
    const r = await token(cc({ client_info: "1", "x-client-SKU": "msal.node", "x-app-name": "test" }), {
      tenant: DOMAIN,
      query: "?client-request-id=5f0e2a1b-1c2d-4e3f-8a9b-0c1d2e3f4a5b&slice=testslice",
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().access_token)).iss, `${emu.url}/${TENANT}/v2.0`);
  });

  test("xms_cc from the claims parameter's access_token.xms_cc.values", async () => {
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ["cp1", "CP2"] }, nbf: { essential: true, value: "1" } } });
    const r = await token(cc({ claims }));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(decodeJwt(String(r.json().access_token)).xms_cc, ["cp1", "CP2"]);
  });

  test("claims that are not JSON → invalid_request", async () => {
    const r = await token(cc({ claims: "{nope" }));
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_request", 90100);
  });

  test("tokenLifetime and clock options shape expiry", async () => {
    const short = await createEmulator({ tokenLifetime: 600, clock: () => 1_700_000_000 });
    try {
      const r = await call(`${short.authority}/oauth2/v2.0/token`, {
        ca: short.caCertificate,
        form: { grant_type: "client_credentials", client_id: "d4e1c0de-0000-4a11-8c11-000000000001", client_secret: "sample-secret~emulator-only", scope: ORDERS },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().expires_in, 600);
      const claims = decodeJwt(String(r.json().access_token));
      assert.equal(claims.iat, 1_700_000_000);
      assert.equal(claims.exp, 1_700_000_600);
      const header = decodeProtectedHeader(String(r.json().access_token));
      const otherKid = (await jwks()).keys[0]?.kid;
      assert.notEqual(header.kid, otherKid, "each emulator signs with its own key");
    } finally {
      await short.close();
    }
  });
});

describe("client credentials errors", () => {
  test("wrong secret → 401 invalid_client AADSTS7000215, full Entra shape, correlation id echoed", async () => {
    const correlation = "3c9a7b1e-2d4f-4a6b-8c0d-1e2f3a4b5c6d";
    const r = await token(cc({ client_secret: "wrong" }), { headers: { "client-request-id": correlation } });
    assert.equal(r.status, 401);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(r.headers["cache-control"], "no-store, no-cache");
    const body = r.json();
    assertEntraError(body, "invalid_client", 7000215);
    assert.equal(body.correlation_id, correlation);
    assert.equal(body.trace_id, r.headers["x-ms-request-id"]);
    assert.ok(!r.text.includes("wrong"), "the presented secret is not echoed");
  });

  test("correlation id from the client-request-id query parameter (msal-node)", async () => {
    const correlation = "7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
    const r = await token(cc({ client_secret: "wrong" }), { query: `?client-request-id=${correlation}` });
    assert.equal(r.json().correlation_id, correlation);
  });

  test("no credential → 401 invalid_client AADSTS7000216", async () => {
    const r = await token({ grant_type: "client_credentials", client_id: CLIENT, scope: ORDERS });
    assert.equal(r.status, 401);
    assertEntraError(r.json(), "invalid_client", 7000216);
  });

  test("a public client presenting a secret → 401 invalid_client AADSTS700025", async () => {
    const r = await token(cc({ client_id: PUBLIC }));
    assert.equal(r.status, 401);
    assertEntraError(r.json(), "invalid_client", 700025);
  });

  test("two credentials at once → invalid_request", async () => {
    const basic = Buffer.from(`${CLIENT}:${SECRET}`).toString("base64");
    const r = await token(cc(), { headers: { authorization: `Basic ${basic}` } });
    assert.equal(r.status, 400);
    assert.equal(r.json().error, "invalid_request");
  });

  test("unknown client in the tenant → 400 unauthorized_client AADSTS700016", async () => {
    const r = await token(cc({ client_id: "00000000-dead-4bee-8f00-000000000000" }));
    assert.equal(r.status, 400);
    const body = r.json();
    assertEntraError(body, "unauthorized_client", 700016);
    assert.match(String(body.error_description), /00000000-dead-4bee-8f00-000000000000/);
  });

  test("an app registered in another tenant only → AADSTS700016", async () => {
    const r = await token(cc({ client_id: NO_ROLES, client_secret: "other" }), { tenant: OTHER_TENANT });
    assert.equal(r.status, 400);
    assert.equal(r.json().error, "unauthorized_client");
  });

  test("unknown tenant → 400 invalid_tenant AADSTS90002", async () => {
    const r = await token(cc(), { tenant: "fabrikam.onmicrosoft.com" });
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_tenant", 90002);
  });

  test("/common → 400 invalid_request AADSTS50059 (client credentials need a tenant)", async () => {
    const r = await token(cc(), { tenant: "common" });
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_request", 50059);
  });

  test("scope without /.default → 400 invalid_scope AADSTS1002012", async () => {
    const r = await token(cc({ scope: "api://orders/Orders.Read" }));
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_scope", 1002012);
  });

  test("only OIDC scopes → AADSTS1002012", async () => {
    const r = await token(cc({ scope: "openid profile" }));
    assert.equal(r.status, 400);
    assert.deepEqual(r.json().error_codes, [1002012]);
  });

  test("two resources → 400 invalid_scope AADSTS700022", async () => {
    const r = await token(cc({ scope: `${ORDERS} ${GRAPH}` }));
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_scope", 700022);
  });

  test("unknown resource → 400 invalid_resource AADSTS500011", async () => {
    const r = await token(cc({ scope: "api://billing/.default" }));
    assert.equal(r.status, 400);
    const body = r.json();
    assertEntraError(body, "invalid_resource", 500011);
    assert.match(String(body.error_description), /resource principal named api:\/\/billing was not found/);
  });

  test("missing scope → invalid_request AADSTS900144", async () => {
    const { scope: _scope, ...form } = cc();
    const r = await token(form);
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "invalid_request", 900144);
  });

  test("missing grant_type → invalid_request AADSTS900144", async () => {
    const { grant_type: _g, ...form } = cc();
    const r = await token(form);
    assert.equal(r.status, 400);
    const body = r.json();
    assertEntraError(body, "invalid_request", 900144);
    assert.match(String(body.error_description), /'grant_type'/);
  });

  test("unsupported grant_type → unsupported_grant_type AADSTS70003", async () => {
    const r = await token(cc({ grant_type: "urn:example:magic" }));
    assert.equal(r.status, 400);
    assertEntraError(r.json(), "unsupported_grant_type", 70003);
  });

  test("missing client_id → invalid_request AADSTS900144", async () => {
    const r = await token({ grant_type: "client_credentials", client_secret: SECRET, scope: ORDERS });
    assert.equal(r.status, 400);
    assert.match(String(r.json().error_description), /'client_id'/);
  });
});

describe("request log", () => {
  test("records method, path, tenant, grant and client, never secrets; counts token requests", async () => {
    emu.clearRequests();
    assert.equal(emu.requests.length, 0);
    await token(cc(), { query: "?client_secret=leaked&x=1" });
    await token(cc({ client_secret: "wrong" }));
    await token(cc(), { tenant: DOMAIN });
    await call(`${emu.url}/${TENANT}/v2.0/.well-known/openid-configuration`, { ca: emu.caCertificate });

    const log = emu.requests;
    assert.equal(log.length, 4);
    const first = log[0];
    assert.equal(first?.method, "POST");
    assert.equal(first?.path, `/${TENANT}/oauth2/v2.0/token`);
    assert.equal(first?.tenant, TENANT);
    assert.equal(first?.grant_type, "client_credentials");
    assert.equal(first?.client_id, CLIENT);
    assert.equal(first?.status, 200);
    assert.equal(first?.time, now);
    assert.deepEqual(first?.query, { client_secret: "***", x: "1" });
    assert.equal(log[2]?.tenant, TENANT, "a domain is recorded as the tenant id");
    assert.ok(!JSON.stringify(log).includes(SECRET));
    assert.ok(!JSON.stringify(log).includes("leaked"));

    assert.equal(emu.tokenRequestCount(), 3);
    assert.equal(emu.tokenRequestCount({ status: 200 }), 2);
    assert.equal(emu.tokenRequestCount({ tenant: TENANT, clientId: CLIENT.toUpperCase(), grantType: "client_credentials" }), 3);
    assert.equal(emu.tokenRequestCount({ clientId: NO_ROLES }), 0);
    emu.clearRequests();
    assert.equal(emu.tokenRequestCount(), 0);
  });

  test("the logger gets one line per request without secrets or tokens", async () => {
    const lines: string[] = [];
    const logged = await createEmulator({ logger: (l) => lines.push(l) });
    try {
      const r = await call(`${logged.authority}/oauth2/v2.0/token`, {
        ca: logged.caCertificate,
        form: { grant_type: "client_credentials", client_id: "d4e1c0de-0000-4a11-8c11-000000000001", client_secret: "sample-secret~emulator-only", scope: GRAPH },
      });
      assert.equal(r.status, 200);
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? "", /^POST \/\S+\/oauth2\/v2\.0\/token grant_type=client_credentials client_id=d4e1c0de-\S+ -> 200$/);
      assert.ok(!lines.join("").includes("sample-secret"));
      assert.ok(!lines.join("").includes(String(r.json().access_token).slice(0, 20)));
    } finally {
      await logged.close();
    }
  });
});
