// The emulator's managed identity endpoints, over the wire: each source's headers, secrets, parameter
// names, api-versions, answer shapes, Arc's challenge file, Service Fabric's own certificate, faults.
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { fetch } from "undici";
import { createEmulator, defaultTenant } from "../src/index.js";
import type { Emulator, EmulatorOptions, ManagedIdentityHost } from "../src/index.js";
import { call } from "./support/https.js";

const USER_ASSIGNED = "5a1d0c3e-0000-4e11-9a55-0000000000c1";
const GRAPH = "https://graph.microsoft.com";
const ORDERS = "api://orders";

let emu: Emulator;
let mi: ManagedIdentityHost;
let keyDir: string;

before(async () => {
  keyDir = mkdtempSync(join(tmpdir(), "msal-ts-emu-arc-"));
  emu = await createEmulator({
    managedIdentity: {
      arcKeyDirectory: keyDir,
      systemAssigned: { appRoles: { [ORDERS]: ["Orders.Read.All"] } },
      identities: [{ clientId: USER_ASSIGNED, displayName: "orders-reader" }],
      tokenLifetime: 7200,
    },
  });
  assert.ok(emu.managedIdentity);
  mi = emu.managedIdentity;
});

after(async () => {
  await emu.close();
  rmSync(keyDir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers as unknown as Headers, body: (await res.json()) as Record<string, unknown> };
}

function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

const imdsUrl = (params: Record<string, string>) => withQuery(mi.endpoint("imds"), { "api-version": "2018-02-01", resource: GRAPH, ...params });

describe("configuration", () => {
  async function rejects(options: unknown, message: RegExp): Promise<void> {
    await assert.rejects(createEmulator(options as EmulatorOptions), (err: unknown) => err instanceof TypeError && message.test(err.message));
  }

  test("an emulator without the option has no managed identity endpoints", async () => {
    const plain = await createEmulator();
    try {
      assert.equal(plain.managedIdentity, undefined);
    } finally {
      await plain.close();
    }
  });

  test("bad options are TypeErrors naming the option", async () => {
    await rejects({ managedIdentity: true }, /managedIdentity must be an object/);
    await rejects({ managedIdentity: { identities: [{}] } }, /managedIdentity\.identities\[0\]\.clientId/);
    await rejects({ managedIdentity: { tokenLifetime: 0 } }, /managedIdentity\.tokenLifetime/);
    await rejects({ managedIdentity: { tenant: "nowhere.example" } }, /managedIdentity\.tenant "nowhere\.example" names no tenant/);
    await rejects({ managedIdentity: { systemAssigned: { appRoles: { "api://nope": ["R"] } } } }, /not an API/);
    await rejects({ managedIdentity: { identities: [{ clientId: "a" }, { clientId: "A" }] } }, /reuses the id/);
    await rejects({ managedIdentity: { cloudShellUser: "nobody@contoso.onmicrosoft.com" } }, /cloudShellUser/);
  });

  test("identities: the system-assigned one and the configured ones", () => {
    assert.equal(mi.tenantId, defaultTenant.id);
    assert.equal(mi.systemAssigned.kind, "system-assigned");
    assert.match(mi.systemAssigned.clientId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(mi.identities.map((i) => [i.kind, i.clientId, i.displayName]), [["user-assigned", USER_ASSIGNED, "orders-reader"]]);
    assert.match(mi.identities[0]?.resourceId ?? "", /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/orders-reader$/);
  });

  test("environment(): exactly the variables that select each source", () => {
    const names = (source: Parameters<ManagedIdentityHost["environment"]>[0]) => Object.keys(mi.environment(source).env).sort();
    assert.deepEqual(names("imds"), ["AZURE_POD_IDENTITY_AUTHORITY_HOST", "MSAL_MANAGED_IDENTITY_ENDPOINT"]);
    assert.deepEqual(names("app-service"), ["IDENTITY_ENDPOINT", "IDENTITY_HEADER"]);
    assert.deepEqual(names("azure-ml"), ["MSI_ENDPOINT", "MSI_SECRET"]);
    assert.deepEqual(names("azure-arc"), ["IDENTITY_ENDPOINT", "IMDS_ENDPOINT"]);
    assert.deepEqual(names("cloud-shell"), ["AZUREPS_HOST_ENVIRONMENT", "MSI_ENDPOINT"]);
    assert.deepEqual(names("service-fabric"), ["IDENTITY_API_VERSION", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT"]);
    const fabric = mi.environment("service-fabric");
    assert.equal(fabric.env.IDENTITY_SERVER_THUMBPRINT, mi.serviceFabricThumbprint);
    assert.match(fabric.endpoint, /^https:\/\/127\.0\.0\.1:\d+\/metadata\/identity\/oauth2\/token$/);
    assert.notEqual(mi.environment("app-service").env.IDENTITY_HEADER, fabric.env.IDENTITY_HEADER);
    assert.throws(() => mi.environment("vm" as "imds"), /Unknown managed identity source "vm"/);
  });
});

describe("IMDS", () => {
  test("Metadata: true is required (bad_request_102)", async () => {
    const r = await get(imdsUrl({}));
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { error: "bad_request_102", error_description: "Required metadata header not specified" });
    assert.equal((await get(imdsUrl({}), { Metadata: "True" })).status, 400);
  });

  test("api-version and resource are required", async () => {
    const noVersion = await get(withQuery(mi.endpoint("imds"), { resource: GRAPH }), { Metadata: "true" });
    assert.equal(noVersion.status, 400);
    assert.match(String(noVersion.body.error_description), /api-version/);
    assert.equal((await get(imdsUrl({ "api-version": "2017-01-01" }), { Metadata: "true" })).status, 400);
    const noResource = await get(withQuery(mi.endpoint("imds"), { "api-version": "2018-02-01" }), { Metadata: "true" });
    assert.deepEqual(noResource.body, { error: "invalid_request", error_description: "Required audience parameter not specified" });
  });

  test("a token: every value a string, both expires_in and expires_on", async () => {
    const r = await get(imdsUrl({}), { Metadata: "true" });
    assert.equal(r.status, 200);
    for (const [key, value] of Object.entries(r.body)) assert.equal(typeof value, "string", key);
    assert.equal(r.body.expires_in, "7200");
    assert.equal(Number(r.body.expires_on) - Number(r.body.not_before), 7200);
    assert.equal(r.body.resource, GRAPH);
    assert.equal(r.body.token_type, "Bearer");
    assert.equal(r.body.client_id, mi.systemAssigned.clientId);
    const claims = decodeJwt(String(r.body.access_token));
    assert.equal(claims.aud, GRAPH);
    assert.equal(claims.appid, mi.systemAssigned.clientId);
    assert.equal(claims.oid, mi.systemAssigned.objectId);
    assert.equal(claims.idtyp, "app");
    assert.equal(claims.xms_mirid, mi.systemAssigned.resourceId);
    assert.equal(claims.iss, `${emu.url}/${defaultTenant.id}/v2.0`);
    assert.equal(Number(claims.exp) - Number(claims.iat), 7200);
  });

  test("roles granted to the identity are in its tokens", async () => {
    const r = await get(imdsUrl({ resource: ORDERS }), { Metadata: "true" });
    assert.deepEqual(decodeJwt(String(r.body.access_token)).roles, ["Orders.Read.All"]);
  });

  const user = () => mi.identities[0]!;
  for (const [param, id] of [
    ["client_id", () => user().clientId.toUpperCase()],
    ["object_id", () => user().objectId],
    ["msi_res_id", () => user().resourceId],
    ["mi_res_id", () => user().resourceId],
  ] as const) {
    test(`a user-assigned identity by ${param}`, async () => {
      const r = await get(imdsUrl({ [param]: id() }), { Metadata: "true" });
      assert.equal(r.status, 200);
      assert.equal(r.body.client_id, USER_ASSIGNED);
      assert.equal(decodeJwt(String(r.body.access_token)).oid, user().objectId);
    });
  }

  test("an unknown identity, two ids, an unknown resource", async () => {
    assert.deepEqual((await get(imdsUrl({ client_id: "00000000-0000-0000-0000-000000000000" }), { Metadata: "true" })).body, {
      error: "invalid_request",
      error_description: "Identity not found",
    });
    assert.equal((await get(imdsUrl({ client_id: USER_ASSIGNED, object_id: "x" }), { Metadata: "true" })).status, 400);
    const r = await get(imdsUrl({ resource: "api://nope" }), { Metadata: "true" });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, "invalid_resource");
    assert.match(String(r.body.error_description), /^AADSTS500011: .*api:\/\/nope/);
  });
});

describe("App Service", () => {
  const env = () => mi.environment("app-service").env;
  const url = (params: Record<string, string> = {}) => withQuery(env().IDENTITY_ENDPOINT!, { "api-version": "2019-08-01", resource: GRAPH, ...params });

  test("X-IDENTITY-HEADER must hold IDENTITY_HEADER; errors are {statusCode, message}", async () => {
    const missing = await get(url());
    assert.equal(missing.status, 401);
    assert.deepEqual(Object.keys(missing.body).sort(), ["message", "statusCode"]);
    assert.equal(missing.body.statusCode, 401);
    assert.equal((await get(url(), { "X-IDENTITY-HEADER": "wrong" })).status, 401);
    const version = await get(url({ "api-version": "2017-09-01" }), { "X-IDENTITY-HEADER": env().IDENTITY_HEADER! });
    assert.equal(version.status, 400);
  });

  test("a token: expires_on as a string, no expires_in", async () => {
    const r = await get(url(), { "X-IDENTITY-HEADER": env().IDENTITY_HEADER! });
    assert.equal(r.status, 200);
    assert.equal(typeof r.body.expires_on, "string");
    assert.equal("expires_in" in r.body, false);
    assert.equal(r.body.client_id, mi.systemAssigned.clientId);
  });

  test("user-assigned by principal_id; a wrong resource is a vague 500", async () => {
    const r = await get(url({ principal_id: mi.identities[0]!.objectId }), { "X-IDENTITY-HEADER": env().IDENTITY_HEADER! });
    assert.equal(r.body.client_id, USER_ASSIGNED);
    const unknown = await get(url({ mi_res_id: "/subscriptions/x" }), { "X-IDENTITY-HEADER": env().IDENTITY_HEADER! });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body.message), /No Managed Identity found/);
    const wrong = await get(url({ resource: "api://nope" }), { "X-IDENTITY-HEADER": env().IDENTITY_HEADER! });
    assert.equal(wrong.status, 500);
    assert.equal(wrong.body.statusCode, 500);
  });
});

describe("Azure Machine Learning", () => {
  test("secret header, api-version 2017-09-01, clientid", async () => {
    const env = mi.environment("azure-ml").env;
    const url = withQuery(env.MSI_ENDPOINT!, { "api-version": "2017-09-01", resource: GRAPH, clientid: USER_ASSIGNED });
    assert.equal((await get(url)).status, 401);
    const r = await get(url, { secret: env.MSI_SECRET! });
    assert.equal(r.status, 200);
    assert.equal(r.body.client_id, USER_ASSIGNED);
    assert.equal(typeof r.body.expires_on, "string");
    const wrongVersion = await get(withQuery(url, { "api-version": "2019-08-01" }), { secret: env.MSI_SECRET! });
    assert.equal(wrongVersion.status, 400);
  });
});

describe("Service Fabric", () => {
  const env = () => mi.environment("service-fabric").env;
  const url = (params: Record<string, string> = {}) =>
    withQuery(env().IDENTITY_ENDPOINT!, { "api-version": "2019-07-01-preview", resource: GRAPH, ...params });

  test("serves HTTPS with its own self-signed certificate, whose SHA-1 is IDENTITY_SERVER_THUMBPRINT", async () => {
    const r = await call(url(), { ca: mi.serviceFabricCertificate, headers: { Secret: env().IDENTITY_HEADER! } });
    assert.equal(r.status, 200);
    const raw = r.peerCertificate?.raw;
    assert.ok(raw);
    assert.equal(createHash("sha1").update(raw).digest("hex").toUpperCase(), env().IDENTITY_SERVER_THUMBPRINT);
    const cert = new X509Certificate(mi.serviceFabricCertificate);
    assert.equal(cert.subject, cert.issuer, "self-signed");
    assert.notEqual(cert.issuer, new X509Certificate(emu.caCertificate).subject);
    // The emulator's CA does not vouch for it.
    await assert.rejects(call(url(), { ca: emu.caCertificate, headers: { Secret: env().IDENTITY_HEADER! } }));
  });

  test("a token: expires_on as a number; a user-assigned id is ignored", async () => {
    const r = (await call(url({ client_id: USER_ASSIGNED }), { ca: mi.serviceFabricCertificate, headers: { Secret: env().IDENTITY_HEADER! } })).json();
    assert.equal(typeof r.expires_on, "number");
    assert.deepEqual(Object.keys(r).sort(), ["access_token", "expires_on", "resource", "token_type"]);
    assert.equal(decodeJwt(String(r.access_token)).appid, mi.systemAssigned.clientId);
  });

  test("errors are {error: {correlationId, code, message}}", async () => {
    const missing = (await call(url(), { ca: mi.serviceFabricCertificate })).json<{ error: Record<string, string> }>();
    assert.equal(missing.error.code, "SecretHeaderNotFound");
    assert.match(missing.error.correlationId ?? "", /^[0-9a-f-]{36}$/);
    const version = await call(url({ "api-version": "2019-08-01" }), { ca: mi.serviceFabricCertificate, headers: { Secret: env().IDENTITY_HEADER! } });
    assert.equal(version.status, 400);
    assert.equal(version.json<{ error: { code: string } }>().error.code, "InvalidApiVersion");
    const noResource = await call(withQuery(env().IDENTITY_ENDPOINT!, { "api-version": "2019-07-01-preview" }), {
      ca: mi.serviceFabricCertificate,
      headers: { Secret: env().IDENTITY_HEADER! },
    });
    assert.equal(noResource.json<{ error: { code: string } }>().error.code, "ArgumentNullOrEmpty");
  });
});

describe("Azure Arc", () => {
  const url = (params: Record<string, string> = {}) =>
    withQuery(mi.environment("azure-arc").env.IDENTITY_ENDPOINT!, { "api-version": "2020-06-01", resource: GRAPH, ...params });

  test("the challenge: 401 naming a fresh key file in the key directory; its contents redeem once", async () => {
    const challenge = await get(url(), { Metadata: "true" });
    assert.equal(challenge.status, 401);
    const realm = /^Basic realm=(.+)$/.exec(challenge.headers.get("www-authenticate") ?? "")?.[1];
    assert.ok(realm, "a Basic challenge with a realm");
    assert.equal(dirname(realm), keyDir);
    assert.match(realm, /\.key$/);
    const key = readFileSync(realm, "utf8");
    assert.match(key, /^[0-9a-f]{64}$/);
    const r = await get(url(), { Metadata: "true", Authorization: `Basic ${key}` });
    assert.equal(r.status, 200);
    assert.equal(r.body.expires_in, "7200");
    assert.equal(typeof r.body.expires_on, "string");
    assert.equal(existsSync(realm), false, "the key file is gone once used");
    const reused = await get(url(), { Metadata: "true", Authorization: `Basic ${key}` });
    assert.equal(reused.status, 401);
    assert.equal(reused.body.error, "invalid_client");
    assert.equal(reused.headers.get("www-authenticate"), null);
  });

  test("api-version 2019-11-01 (msal-node's) works too; Metadata is required; a user-assigned id is refused", async () => {
    assert.equal((await get(url({ "api-version": "2019-11-01" }), { Metadata: "true" })).status, 401);
    assert.equal((await get(url({ "api-version": "2018-02-01" }), { Metadata: "true" })).status, 400);
    assert.equal((await get(url())).status, 400);
    const challenge = await get(url(), { Metadata: "true" });
    const key = readFileSync(/realm=(.+)$/.exec(challenge.headers.get("www-authenticate") ?? "")?.[1] ?? "", "utf8");
    const r = await get(url({ client_id: USER_ASSIGNED }), { Metadata: "true", Authorization: `Basic ${key}` });
    assert.equal(r.status, 400);
    assert.match(String(r.body.error_description), /system-assigned/);
  });
});

describe("Cloud Shell", () => {
  const endpoint = () => mi.environment("cloud-shell").env.MSI_ENDPOINT!;
  const post = async (form: Record<string, string>, headers: Record<string, string>) => {
    const res = await fetch(endpoint(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test("POST a form with resource and Metadata: the signed-in user's token, IMDS-shaped", async () => {
    const r = await post({ resource: GRAPH }, { Metadata: "true" });
    assert.equal(r.status, 200);
    assert.equal(typeof r.body.expires_in, "string");
    const claims = decodeJwt(String(r.body.access_token));
    assert.equal(claims.upn, defaultTenant.users[0].username);
    assert.equal(claims.scp, "user_impersonation");
    assert.equal(claims.idtyp, "user");
  });

  test("errors are {error: {code, message}}; GET is not allowed", async () => {
    const r = await post({ resource: GRAPH }, {});
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.body.error as object).sort(), ["code", "message"]);
    assert.equal((await fetch(endpoint())).status, 405);
  });
});

describe("faults, logs and closing", () => {
  test("failNext answers in the source's error shape with Retry-After, count times", async () => {
    mi.clearRequests();
    mi.failNext("imds", { status: 429, retryAfter: 30, count: 2 });
    mi.failNext("app-service", { status: 503 });
    mi.failNext("service-fabric", { status: 500 });
    for (let i = 0; i < 2; i++) {
      const r = await get(imdsUrl({}), { Metadata: "true" });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get("retry-after"), "30");
      assert.equal(r.body.error, "too_many_requests");
    }
    assert.equal((await get(imdsUrl({}), { Metadata: "true" })).status, 200);
    const app = await get(mi.environment("app-service").env.IDENTITY_ENDPOINT!);
    assert.deepEqual(app.body, { statusCode: 503, message: "The managed identity endpoint failed." });
    const fabric = (await call(mi.endpoint("service-fabric"), { ca: mi.serviceFabricCertificate })).json<{ error: { code: string } }>();
    assert.equal(fabric.error.code, "InternalServerError");
    assert.equal(mi.requestCount("imds"), 3);
    assert.equal(mi.requestCount("imds", { status: 429 }), 2);
    assert.equal(mi.requestCount(), 5);
  });

  test("a fault with a body answers that text", async () => {
    mi.failNext("azure-ml", { status: 200, body: "<html>not json</html>" });
    const res = await fetch(mi.endpoint("azure-ml"));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "<html>not json</html>");
    assert.throws(() => mi.failNext("imds", { status: 200 }), /status must be an HTTP status from 400/);
    assert.throws(() => mi.failNext("imds", { count: 0 }), /count/);
  });

  test("requests are logged without secrets, also in the emulator's log", async () => {
    mi.clearRequests();
    emu.clearRequests();
    const env = mi.environment("app-service").env;
    await get(withQuery(env.IDENTITY_ENDPOINT!, { "api-version": "2019-08-01", resource: GRAPH }), { "X-IDENTITY-HEADER": env.IDENTITY_HEADER! });
    const [entry] = mi.requests;
    assert.ok(entry);
    assert.equal(entry.source, "app-service");
    assert.equal(entry.status, 200);
    assert.equal(entry.clientId, mi.systemAssigned.clientId);
    assert.deepEqual(entry.query, { "api-version": "2019-08-01", resource: GRAPH });
    assert.equal(JSON.stringify(mi.requests).includes(env.IDENTITY_HEADER!), false);
    assert.equal(emu.requests.length, 1);
    assert.equal(emu.requests[0]?.client_id, mi.systemAssigned.clientId);
  });

  test("unknown paths are 404", async () => {
    assert.equal((await fetch(`${mi.url}/nope`)).status, 404);
  });

  test("closing removes a key directory the emulator made, and its key files", async () => {
    const own = await createEmulator({ managedIdentity: {} });
    const dir = own.managedIdentity!.arcKeyDirectory;
    await get(withQuery(own.managedIdentity!.endpoint("azure-arc"), { "api-version": "2020-06-01", resource: GRAPH }), { Metadata: "true" });
    assert.equal(readdirSync(dir).length, 1);
    await own.close();
    assert.equal(existsSync(dir), false);
  });
});
