// Each source's request: api-version, the parameter names of a user-assigned id, headers, secrets.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ManagedIdentityError,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  type ManagedIdentity,
} from "../../src/index.js";
import { normalizeManagedIdentity, type SourceLocation } from "../../src/managed-identity/index.js";
import { buildSourceRequest } from "../../src/managed-identity/requests.js";

const RESOURCE = "https://vault.azure.net";
const locations: Record<SourceLocation["source"], SourceLocation> = {
  "imds": { source: "imds", endpoint: new URL("http://169.254.169.254/metadata/identity/oauth2/token") },
  "app-service": { source: "app-service", endpoint: new URL("http://127.0.0.1:41741/msi/token"), secret: "app-secret" },
  "azure-ml": { source: "azure-ml", endpoint: new URL("http://127.0.0.1:46808/msi/auth"), secret: "ml-secret" },
  "service-fabric": {
    source: "service-fabric",
    endpoint: new URL("https://localhost:2377/metadata/identity/oauth2/token"),
    secret: "fabric-secret",
    thumbprint: "0".repeat(40),
  },
  "azure-arc": { source: "azure-arc", endpoint: new URL("http://127.0.0.1:40342/metadata/identity/oauth2/token") },
  "cloud-shell": { source: "cloud-shell", endpoint: new URL("http://localhost:50342/oauth2/token") },
};

const system = normalizeManagedIdentity(new SystemAssignedManagedIdentity());
const byClientId = normalizeManagedIdentity(new UserAssignedManagedIdentity({ clientId: "cid" }));
const byObjectId = normalizeManagedIdentity(new UserAssignedManagedIdentity({ objectId: "oid" }));
const byResourceId = normalizeManagedIdentity(new UserAssignedManagedIdentity({ resourceId: "/subscriptions/s/rid" }));

function query(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

describe("system-assigned requests", () => {
  const expected: Record<string, { method: string; apiVersion?: string; headers: Record<string, string> }> = {
    "imds": { method: "GET", apiVersion: "2018-02-01", headers: { Metadata: "true" } },
    "app-service": { method: "GET", apiVersion: "2019-08-01", headers: { "X-IDENTITY-HEADER": "app-secret", Metadata: "true" } },
    "azure-ml": { method: "GET", apiVersion: "2017-09-01", headers: { secret: "ml-secret" } },
    "service-fabric": { method: "GET", apiVersion: "2019-07-01-preview", headers: { Secret: "fabric-secret" } },
    "azure-arc": { method: "GET", apiVersion: "2020-06-01", headers: { Metadata: "true" } },
    "cloud-shell": { method: "POST", headers: { Metadata: "true", "content-type": "application/x-www-form-urlencoded" } },
  };
  for (const [source, want] of Object.entries(expected)) {
    test(source, () => {
      const request = buildSourceRequest(locations[source as SourceLocation["source"]], system, RESOURCE);
      assert.equal(request.method, want.method);
      for (const [name, value] of Object.entries(want.headers)) assert.equal(request.headers[name], value, name);
      assert.equal(request.headers["x-client-sku"], "msal-ts");
      if (want.apiVersion) {
        assert.deepEqual(query(request.url), { "api-version": want.apiVersion, resource: RESOURCE });
        assert.equal(request.body, undefined);
      } else {
        assert.deepEqual(query(request.url), {});
        assert.equal(request.body, "resource=https%3A%2F%2Fvault.azure.net");
      }
    });
  }

  test("IMDS carries a fresh client request id each time", () => {
    const a = buildSourceRequest(locations.imds, system, RESOURCE).headers["x-ms-client-request-id"];
    const b = buildSourceRequest(locations.imds, system, RESOURCE).headers["x-ms-client-request-id"];
    assert.match(a ?? "", /^[0-9a-f-]{36}$/);
    assert.notEqual(a, b);
  });

  test("a query already in the endpoint is kept", () => {
    const request = buildSourceRequest({ source: "imds", endpoint: new URL("http://127.0.0.1:1/token?tenant=x") }, system, RESOURCE);
    assert.deepEqual(query(request.url), { tenant: "x", "api-version": "2018-02-01", resource: RESOURCE });
  });
});

describe("user-assigned id parameters per source", () => {
  const table: Array<[SourceLocation["source"], ManagedIdentity, string, string]> = [
    ["imds", byClientId, "client_id", "cid"],
    ["imds", byObjectId, "object_id", "oid"],
    ["imds", byResourceId, "msi_res_id", "/subscriptions/s/rid"],
    ["app-service", byClientId, "client_id", "cid"],
    ["app-service", byObjectId, "object_id", "oid"],
    ["app-service", byResourceId, "mi_res_id", "/subscriptions/s/rid"],
    ["azure-ml", byClientId, "clientid", "cid"],
    ["azure-ml", byObjectId, "object_id", "oid"],
    ["azure-ml", byResourceId, "msi_res_id", "/subscriptions/s/rid"],
  ];
  for (const [source, identity, name, value] of table) {
    test(`${source} sends ${identity.ManagedIdentityIdType} as ${name}`, () => {
      const q = query(buildSourceRequest(locations[source], identity, RESOURCE).url);
      assert.equal(q[name], value);
      assert.equal(Object.keys(q).length, 3, JSON.stringify(q));
    });
  }

  for (const source of ["service-fabric", "azure-arc", "cloud-shell"] as const) {
    for (const identity of [byClientId, byObjectId, byResourceId]) {
      test(`${source} refuses ${identity.ManagedIdentityIdType} with ManagedIdentityError`, () => {
        assert.throws(
          () => buildSourceRequest(locations[source], identity, RESOURCE),
          (e: unknown) => e instanceof ManagedIdentityError && e.message.includes(`cannot be used with ${source}`) && /SystemAssignedManagedIdentity/.test(e.message),
        );
      });
    }
  }
});
