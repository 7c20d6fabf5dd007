// Managed identity end to end: ManagedIdentityClient against the emulator's endpoints of every source,
// selected by the environment variables the emulator hands out (process.env is never touched).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { createEmulator, type Emulator, type ManagedIdentityHost, type ManagedIdentitySourceName } from "@msal-ts/emulator";
import {
  ManagedIdentityClient,
  ManagedIdentityError,
  NetworkError,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  type HttpClient,
  type ManagedIdentity,
  type ManagedIdentityClientOptions,
  type ManagedIdentityResult,
  type ManagedIdentityTokenResult,
} from "@msal-ts/msal";

const USER_ASSIGNED = "3c1e9d7a-0000-4f00-8a00-00000000ua01";
const GRAPH = "https://graph.microsoft.com";
const ORDERS = "api://orders";

let emu: Emulator;
let mi: ManagedIdentityHost;
let keyDirectory: string;

before(async () => {
  keyDirectory = mkdtempSync(join(tmpdir(), "msal-ts-e2e-arc-"));
  emu = await createEmulator({
    managedIdentity: {
      arcKeyDirectory: keyDirectory,
      identities: [{ clientId: USER_ASSIGNED, displayName: "reporting" }],
    },
  });
  assert.ok(emu.managedIdentity);
  mi = emu.managedIdentity;
});

after(async () => {
  await emu.close();
  rmSync(keyDirectory, { recursive: true, force: true });
});

function client(
  source: ManagedIdentitySourceName,
  identity: ManagedIdentity = new SystemAssignedManagedIdentity(),
  extra: ManagedIdentityClientOptions = {},
): ManagedIdentityClient {
  return new ManagedIdentityClient(identity, { environment: mi.environment(source).env, arcKeyDirectory: keyDirectory, ...extra });
}

function ok(r: ManagedIdentityResult): ManagedIdentityTokenResult {
  if ("error" in r) assert.fail(`expected a token, got ${r.error}: ${r.error_description ?? ""}`);
  return r;
}

function failed(r: ManagedIdentityResult) {
  assert.ok("error" in r, "expected an error result, got a token");
  return r;
}

const user = () => mi.identities[0]!;
const ids = {
  clientId: () => new UserAssignedManagedIdentity({ clientId: user().clientId }),
  objectId: () => new UserAssignedManagedIdentity({ objectId: user().objectId }),
  resourceId: () => new UserAssignedManagedIdentity({ resourceId: user().resourceId }),
};

/**
 * The first call goes to the source (Arc: two requests, the challenge and the answer), the second
 * comes from the cache with no request; the token is the expected identity's.
 */
async function firstFromSourceThenCache(source: ManagedIdentitySourceName, c: ManagedIdentityClient, appid: string, resource = GRAPH): Promise<void> {
  const before = mi.requestCount(source);
  const first = ok(await c.acquireTokenForClient({ resource }));
  assert.equal(first.token_source, "identity_provider");
  assert.equal(first.token_type, "Bearer");
  assert.equal(first.resource, resource);
  // The emulator's managed identity tokens live a day, so MSAL's half-life refresh applies.
  assert.ok(first.expires_in > 86000 && first.expires_in <= 86399, String(first.expires_in));
  assert.equal(first.refresh_in, Math.floor(first.expires_in / 2));
  assert.equal(mi.requestCount(source) - before, source === "azure-arc" ? 2 : 1);
  assert.equal(mi.requestCount(source, { status: 200 }) > 0, true);
  const claims = decodeJwt(first.access_token);
  assert.equal(source === "cloud-shell" ? claims.upn : claims.appid, appid);

  const second = ok(await c.acquireTokenForClient({ resource }));
  assert.equal(second.token_source, "cache");
  assert.equal(second.access_token, first.access_token);
  assert.ok(second.refresh_on !== undefined && second.refresh_on === first.refresh_on);
  assert.equal(mi.requestCount(source) - before, source === "azure-arc" ? 2 : 1, "no request for the cached token");
}

describe("IMDS (MSAL_MANAGED_IDENTITY_ENDPOINT)", () => {
  test("system-assigned", () => firstFromSourceThenCache("imds", client("imds"), mi.systemAssigned.clientId));
  for (const [kind, identity] of Object.entries(ids)) {
    test(`user-assigned by ${kind}`, () => firstFromSourceThenCache("imds", client("imds", identity()), USER_ASSIGNED));
  }
  test("an unknown resource is IMDS's error result", async () => {
    const r = failed(await client("imds").acquireTokenForClient({ resource: "api://unknown" }));
    assert.equal(r.error, "invalid_resource");
    assert.match(r.error_description ?? "", /AADSTS500011/);
  });
  test("an identity the host does not have is an error result", async () => {
    const r = failed(await client("imds", new UserAssignedManagedIdentity({ clientId: "00000000-0000-0000-0000-0000000000ff" })).acquireTokenForClient({ resource: GRAPH }));
    assert.deepEqual(r, { error: "invalid_request", error_description: "Identity not found" });
  });
});

describe("App Service", () => {
  test("system-assigned", () => firstFromSourceThenCache("app-service", client("app-service"), mi.systemAssigned.clientId));
  for (const [kind, identity] of Object.entries(ids)) {
    test(`user-assigned by ${kind}`, () => firstFromSourceThenCache("app-service", client("app-service", identity()), USER_ASSIGNED));
  }
  test("a wrong IDENTITY_HEADER is an error result", async () => {
    const env = { ...mi.environment("app-service").env, IDENTITY_HEADER: "not-the-secret" };
    const r = failed(await new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: env }).acquireTokenForClient({ resource: GRAPH }));
    assert.equal(r.error, "invalid_scope");
    assert.match(r.error_description ?? "", /^401, The X-IDENTITY-HEADER request header/);
    assert.equal(r.error_description?.includes("not-the-secret"), false);
  });
  test("an unknown resource (App Service's vague 500) is an error result, replayed for 5 s without a request", async () => {
    const c = client("app-service");
    const before = mi.requestCount("app-service");
    const r = failed(await c.acquireTokenForClient({ resource: "api://unknown" }));
    assert.equal(r.error, "invalid_scope");
    assert.match(r.error_description ?? "", /^500, .*AADSTS500011/);
    assert.deepEqual(await c.acquireTokenForClient({ resource: "api://unknown" }), r);
    assert.equal(mi.requestCount("app-service") - before, 1);
  });
});

describe("Azure Machine Learning", () => {
  test("system-assigned", () => firstFromSourceThenCache("azure-ml", client("azure-ml"), mi.systemAssigned.clientId));
  for (const [kind, identity] of Object.entries(ids)) {
    test(`user-assigned by ${kind} (the client id as clientid)`, async () => {
      await firstFromSourceThenCache("azure-ml", client("azure-ml", identity()), USER_ASSIGNED);
      if (kind === "clientId") assert.equal(mi.requests.at(-1)?.query.clientid, USER_ASSIGNED);
    });
  }
  test("a wrong MSI_SECRET is an error result", async () => {
    const env = { ...mi.environment("azure-ml").env, MSI_SECRET: "wrong" };
    const r = failed(await new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: env }).acquireTokenForClient({ resource: GRAPH }));
    assert.equal(r.error, "invalid_scope");
    assert.match(r.error_description ?? "", /"statusCode":401/);
  });
  test("an answer that is not JSON is thrown as NetworkError", async () => {
    mi.failNext("azure-ml", { status: 200, body: "<html>a proxy's login page</html>" });
    await assert.rejects(
      client("azure-ml").acquireTokenForClient({ resource: ORDERS }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_INVALID_RESPONSE" && /azure-ml/.test(e.message),
    );
  });
});

describe("Service Fabric (HTTPS, the server certificate pinned by IDENTITY_SERVER_THUMBPRINT)", () => {
  test("system-assigned", () => firstFromSourceThenCache("service-fabric", client("service-fabric"), mi.systemAssigned.clientId));
  for (const [kind, identity] of Object.entries(ids)) {
    test(`user-assigned by ${kind} is a ManagedIdentityError, before any request`, async () => {
      const before = mi.requestCount("service-fabric");
      await assert.rejects(
        client("service-fabric", identity()).acquireTokenForClient({ resource: GRAPH }),
        (e: unknown) => e instanceof ManagedIdentityError && /service-fabric/.test(e.message) && /manifest/.test(e.message),
      );
      assert.equal(mi.requestCount("service-fabric"), before);
    });
  }
  test("a server whose certificate has another thumbprint is refused, and nothing is sent", async () => {
    const env = { ...mi.environment("service-fabric").env, IDENTITY_SERVER_THUMBPRINT: "0123456789abcdef0123456789abcdef01234567" };
    const before = mi.requestCount("service-fabric");
    await assert.rejects(
      new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: env }).acquireTokenForClient({ resource: GRAPH }),
      (e: unknown) =>
        e instanceof ManagedIdentityError &&
        e.message.includes(mi.serviceFabricThumbprint) &&
        e.message.includes("0123456789ABCDEF0123456789ABCDEF01234567") &&
        /Nothing was sent/.test(e.message),
    );
    assert.equal(mi.requestCount("service-fabric"), before);
  });
  test("the thumbprint matches in any case and with colons", async () => {
    const pretty = mi.serviceFabricThumbprint.toLowerCase().replace(/(..)(?!$)/g, "$1:");
    const env = { ...mi.environment("service-fabric").env, IDENTITY_SERVER_THUMBPRINT: pretty };
    ok(await new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: env }).acquireTokenForClient({ resource: ORDERS }));
  });
  test("a wrong secret and an unknown resource are error results", async () => {
    const env = { ...mi.environment("service-fabric").env, IDENTITY_HEADER: "wrong" };
    const wrong = failed(await new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: env }).acquireTokenForClient({ resource: GRAPH }));
    assert.equal(wrong.error, "unauthorized_client");
    assert.match(wrong.correlation_id ?? "", /^[0-9a-f-]{36}$/);
    const unknown = failed(await client("service-fabric").acquireTokenForClient({ resource: "api://unknown" }));
    assert.equal(unknown.error, "invalid_request");
    assert.match(unknown.error_description ?? "", /InvalidResource/);
  });
});

describe("Azure Arc (the challenge and its key file)", () => {
  test("system-assigned: a challenge, the key file read, then the token; then the cache", async () => {
    const before = mi.requests.length;
    await firstFromSourceThenCache("azure-arc", client("azure-arc"), mi.systemAssigned.clientId);
    const [challenge, answer] = mi.requests.slice(before);
    assert.deepEqual([challenge?.status, challenge?.authorized], [401, false]);
    assert.deepEqual([answer?.status, answer?.authorized], [200, true]);
  });
  for (const [kind, identity] of Object.entries(ids)) {
    test(`user-assigned by ${kind} is a ManagedIdentityError, before any request`, async () => {
      const before = mi.requestCount("azure-arc");
      await assert.rejects(
        client("azure-arc", identity()).acquireTokenForClient({ resource: GRAPH }),
        (e: unknown) => e instanceof ManagedIdentityError && /only a system-assigned identity/.test(e.message),
      );
      assert.equal(mi.requestCount("azure-arc"), before);
    });
  }
  test("a key file outside the client's key directory is not read", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "msal-ts-e2e-arc-other-"));
    try {
      await assert.rejects(
        client("azure-arc", undefined, { arcKeyDirectory: elsewhere }).acquireTokenForClient({ resource: GRAPH }),
        (e: unknown) => e instanceof ManagedIdentityError && /outside the agent's key directory/.test(e.message),
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
  test("a key file that does not hold the agent's key is refused by the agent: an error result", async () => {
    // Rewrites the key file between the challenge and the second request.
    const tamper: HttpClient = async (url, init) => {
      const res = await fetch(url, init);
      const realm = /realm=(.+)$/.exec(res.headers.get("www-authenticate") ?? "")?.[1];
      if (res.status === 401 && realm) writeFileSync(realm, "f".repeat(64));
      return res;
    };
    const r = failed(await client("azure-arc", undefined, { httpClient: tamper }).acquireTokenForClient({ resource: ORDERS }));
    assert.equal(r.error, "invalid_client");
  });
});

describe("Cloud Shell (MSI_ENDPOINT without MSI_SECRET)", () => {
  test("the signed-in user's token: first from Cloud Shell, then the cache", () =>
    firstFromSourceThenCache("cloud-shell", client("cloud-shell"), "adele@contoso.onmicrosoft.com"));
  for (const [kind, identity] of Object.entries(ids)) {
    test(`user-assigned by ${kind} is a ManagedIdentityError`, async () => {
      await assert.rejects(client("cloud-shell", identity()).acquireTokenForClient({ resource: GRAPH }), ManagedIdentityError);
    });
  }
  test("an unknown resource is an error result", async () => {
    const r = failed(await client("cloud-shell").acquireTokenForClient({ resource: "api://unknown" }));
    assert.equal(r.error, "invalid_request");
    assert.match(r.error_description ?? "", /InvalidResource/);
  });
});

describe("throttling", () => {
  test("a 429 with Retry-After is replayed without asking again; another resource is not held up", async () => {
    const c = client("imds");
    mi.failNext("imds", { status: 429, retryAfter: 120 });
    const before = mi.requestCount("imds");
    const first = failed(await c.acquireTokenForClient({ resource: ORDERS }));
    assert.equal(first.error, "too_many_requests");
    for (let i = 0; i < 3; i++) assert.deepEqual(await c.acquireTokenForClient({ resource: ORDERS }), first);
    assert.equal(mi.requestCount("imds") - before, 1);
    ok(await c.acquireTokenForClient({ resource: GRAPH }));
    assert.equal(mi.requestCount("imds") - before, 2);
  });

  test("a 500 from Service Fabric is replayed too, through the pinned connection", async () => {
    const c = client("service-fabric");
    mi.failNext("service-fabric", { status: 500 });
    const before = mi.requestCount("service-fabric");
    const first = failed(await c.acquireTokenForClient({ resource: "https://graph.microsoft.com/" }));
    assert.deepEqual(await c.acquireTokenForClient({ resource: "https://graph.microsoft.com/" }), first);
    assert.equal(mi.requestCount("service-fabric") - before, 1);
  });
});

describe("the cache", () => {
  test("claimsChallenge skips it and gets a new token, which replaces the old", async () => {
    const c = client("imds");
    const first = ok(await c.acquireTokenForClient({ resource: ORDERS }));
    const before = mi.requestCount("imds");
    const fresh = ok(await c.acquireTokenForClient({ resource: ORDERS, claimsChallenge: '{"access_token":{"nbf":{"essential":true,"value":"1"}}}' }));
    assert.equal(fresh.token_source, "identity_provider");
    assert.notEqual(fresh.access_token, first.access_token);
    assert.equal(mi.requestCount("imds") - before, 1);
    assert.equal(ok(await c.acquireTokenForClient({ resource: ORDERS })).access_token, fresh.access_token);
  });

  test("a shared, serialized cache serves another client (and another process) with no request", async () => {
    const cache = new SerializableTokenCache();
    const first = ok(await client("app-service", undefined, { tokenCache: cache }).acquireTokenForClient({ resource: ORDERS }));
    const restored = new SerializableTokenCache();
    restored.deserialize(cache.serialize());
    const before = mi.requestCount();
    const again = ok(await client("imds", undefined, { tokenCache: restored }).acquireTokenForClient({ resource: ORDERS }));
    assert.equal(again.token_source, "cache");
    assert.equal(again.access_token, first.access_token);
    assert.equal(mi.requestCount(), before);
    const entries = Object.values(JSON.parse(cache.serialize()).AccessToken as Record<string, { realm: string; client_id: string }>);
    assert.deepEqual(entries.map((e) => [e.realm, e.client_id]), [["managed_identity", "SYSTEM_ASSIGNED_MANAGED_IDENTITY"]]);
  });
});
