// Which identity: the two classes, MSAL's JSON configuration shape, and the errors for anything else.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  ManagedIdentityClient,
  ManagedIdentityError,
  ManagedIdentityIdType,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  type ManagedIdentity,
  type UserAssignedManagedIdentityId,
} from "../../src/index.js";

const isManagedIdentityError = (pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof ManagedIdentityError, `expected ManagedIdentityError, got ${String(e)}`);
  assert.equal(e.code, "ERR_MANAGED_IDENTITY");
  assert.match(e.message, pattern);
  return true;
};

describe("SystemAssignedManagedIdentity", () => {
  test("is MSAL's configuration shape", () => {
    assert.equal(JSON.stringify(new SystemAssignedManagedIdentity()), '{"ManagedIdentityIdType":"SystemAssigned","Id":null}');
  });
});

describe("UserAssignedManagedIdentity", () => {
  const kinds = [
    [{ clientId: "c-1" }, ManagedIdentityIdType.CLIENT_ID, "c-1"],
    [{ objectId: "o-1" }, ManagedIdentityIdType.OBJECT_ID, "o-1"],
    [{ resourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n" }, "ResourceId",
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/n"],
  ] as const;
  for (const [id, type, value] of kinds) {
    test(`${Object.keys(id)[0]} gives ${type}`, () => {
      const identity = new UserAssignedManagedIdentity(id);
      assert.equal(identity.ManagedIdentityIdType, type);
      assert.equal(identity.Id, value);
      assert.deepEqual(JSON.parse(JSON.stringify(identity)), { ManagedIdentityIdType: type, Id: value });
    });
  }

  const refused: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ["no id", {}, /exactly one of clientId, objectId or resourceId; got \{ {2}\}/],
    ["two ids", { clientId: "a", objectId: "b" }, /exactly one .* got \{ clientId, objectId \}/],
    ["all three", { clientId: "a", objectId: "b", resourceId: "c" }, /exactly one/],
    ["Python's spelling", { client_id: "a" }, /got \{ client_id \}/],
    ["an empty id", { clientId: "" }, /clientId must be a non-empty string/],
    ["a blank id", { objectId: "  " }, /objectId must be a non-empty string/],
    ["a number", { clientId: 42 }, /clientId must be a non-empty string/],
    ["no argument", undefined, /exactly one .* got undefined/],
    ["null", null, /exactly one .* got null/],
  ];
  for (const [name, id, message] of refused) {
    test(`refuses ${name} with ManagedIdentityError`, () => {
      assert.throws(() => new UserAssignedManagedIdentity(id as UserAssignedManagedIdentityId), isManagedIdentityError(message));
    });
  }

  test("ids left undefined do not count", () => {
    const identity = new UserAssignedManagedIdentity({ clientId: "c", objectId: undefined });
    assert.equal(identity.ManagedIdentityIdType, "ClientId");
  });
});

describe("ManagedIdentityClient takes an identity", () => {
  test("as a class instance or in the configuration shape (e.g. parsed from JSON)", () => {
    const shapes: unknown[] = [
      new SystemAssignedManagedIdentity(),
      new UserAssignedManagedIdentity({ clientId: "c" }),
      JSON.parse('{"ManagedIdentityIdType":"SystemAssigned","Id":null}'),
      JSON.parse('{"ManagedIdentityIdType":"ObjectId","Id":"o"}'),
      { ManagedIdentityIdType: "ResourceId", Id: "/subscriptions/x" },
    ];
    for (const shape of shapes) {
      const client = new ManagedIdentityClient(shape as ManagedIdentity);
      assert.deepEqual({ ...client.managedIdentity }, JSON.parse(JSON.stringify(shape)));
      assert.ok(Object.isFrozen(client.managedIdentity));
    }
  });

  test("and refuses anything else with ManagedIdentityError", () => {
    const bad: unknown[] = [
      undefined,
      null,
      "SystemAssigned",
      {},
      { ManagedIdentityIdType: "ClientId" },
      { ManagedIdentityIdType: "ClientId", Id: "" },
      { ManagedIdentityIdType: "SystemAssigned", Id: "x" },
      { ManagedIdentityIdType: "Nope", Id: "x" },
    ];
    for (const value of bad) {
      assert.throws(() => new ManagedIdentityClient(value as ManagedIdentity), isManagedIdentityError(/managedIdentity must be/));
    }
  });

  test("and refuses bad options with TypeError", () => {
    const system = new SystemAssignedManagedIdentity();
    const cases: Array<[object, string]> = [
      [{ httpClient: "fetch" }, "ERR_INVALID_ARG_TYPE"],
      [{ tokenCache: new Map() }, "ERR_INVALID_ARG_TYPE"],
      [{ httpCache: [] }, "ERR_INVALID_ARG_TYPE"],
      [{ environment: "IDENTITY_ENDPOINT=x" }, "ERR_INVALID_ARG_TYPE"],
      [{ arcKeyDirectory: "" }, "ERR_INVALID_ARG_VALUE"],
      [{ timeout: -1 }, "ERR_INVALID_ARG_VALUE"],
    ];
    for (const [options, code] of cases) {
      assert.throws(
        () => new ManagedIdentityClient(system, options),
        (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === code,
        JSON.stringify(options),
      );
    }
  });
});
