import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { userAssertionHash } from "@msal-ts/msal";
import { appPartitionKey, oboPartitionKey, userPartitionKey } from "../src/index.js";

describe("partition keys", () => {
  test("one partition per user, per app and tenant, per on-behalf-of assertion", () => {
    assert.equal(userPartitionKey("uid.utid"), "user:uid.utid");
    assert.equal(
      appPartitionKey("D4E1C0DE-0000-4A11-8C11-000000000001", "Contoso.onmicrosoft.com"),
      "app:d4e1c0de-0000-4a11-8c11-000000000001:contoso.onmicrosoft.com",
    );
    // RFC 6234's "abc" vector, base64url: the library's userAssertionHash, so the partition and the
    // tokens' userAssertionHash field agree.
    assert.equal(oboPartitionKey("abc"), "obo:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    assert.equal(oboPartitionKey("eyJ.a.b"), `obo:${userAssertionHash("eyJ.a.b")}`);
  });

  test("parts are percent-encoded, so no part runs into the next", () => {
    assert.equal(appPartitionKey("a:b", "c"), "app:a%3ab:c");
    assert.notEqual(appPartitionKey("a:b", "c"), appPartitionKey("a", "b:c"));
    assert.equal(userPartitionKey("x y/z"), "user:x%20y%2Fz");
  });

  test("an assertion never appears in its partition key", () => {
    const assertion = "header.payload.signature";
    assert.ok(!oboPartitionKey(assertion).includes("payload"));
  });

  test("missing or empty parts are refused with ERR_INVALID_ARG_TYPE", () => {
    const bad = [() => userPartitionKey(""), () => userPartitionKey(undefined as unknown as string), () => appPartitionKey("c", ""), () => oboPartitionKey("")];
    for (const call of bad) assert.throws(call, { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  });
});
