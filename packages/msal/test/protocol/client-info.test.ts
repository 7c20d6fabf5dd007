import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { decodeClientInfo, homeAccountIdFromClientInfo, parseClientInfo } from "../../src/protocol/client-info.js";

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

const cases: { name: string; raw: string | undefined; info: unknown; home: string | undefined }[] = [
  { name: "uid and utid", raw: encode({ uid: "u-1", utid: "t-1" }), info: { uid: "u-1", utid: "t-1" }, home: "u-1.t-1" },
  // base64url of {"uid":"uid","utid":"utid"}, written out, unpadded as Entra sends it.
  { name: "unpadded literal", raw: "eyJ1aWQiOiJ1aWQiLCJ1dGlkIjoidXRpZCJ9", info: { uid: "uid", utid: "utid" }, home: "uid.utid" },
  { name: "B2C uid with policy", raw: encode({ uid: "oid-b2c_1_signin", utid: "tid" }), info: { uid: "oid-b2c_1_signin", utid: "tid" }, home: "oid-b2c_1_signin.tid" },
  { name: "no uid", raw: encode({ utid: "t" }), info: undefined, home: undefined },
  { name: "no utid", raw: encode({ uid: "u" }), info: undefined, home: undefined },
  { name: "empty object", raw: encode({}), info: undefined, home: undefined },
  { name: "JSON that is not an object", raw: encode(["uid", "utid"]), info: undefined, home: undefined },
  // Found by fuzzing: String() of such an object threw a bare TypeError.
  { name: "uid an object whose toString is no function", raw: encode({ uid: { toString: "" }, utid: "t" }), info: undefined, home: undefined },
  { name: "utid an array", raw: encode({ uid: "u", utid: ["t"] }), info: undefined, home: undefined },
  { name: "numeric ids", raw: encode({ uid: 1, utid: 2 }), info: { uid: "1", utid: "2" }, home: "1.2" },
  { name: "absent", raw: undefined, info: undefined, home: undefined },
  { name: "empty", raw: "", info: undefined, home: undefined },
];
for (const c of cases) {
  test(`parseClientInfo / homeAccountIdFromClientInfo: ${c.name}`, () => {
    assert.deepEqual(parseClientInfo(c.raw), c.info);
    assert.equal(homeAccountIdFromClientInfo(c.raw), c.home);
  });
}

test("parseClientInfo: a value that is not base64url JSON throws ERR_INVALID_RESPONSE without quoting it", () => {
  const raw = Buffer.from("not json at all").toString("base64url");
  assert.throws(
    () => parseClientInfo(raw),
    (e: unknown) => {
      assert.equal((e as { code?: string }).code, "ERR_INVALID_RESPONSE");
      assert.ok(!(e as Error).message.includes(raw));
      return true;
    },
  );
});

test("decodeClientInfo: every member kept; a non-object refused", () => {
  assert.deepEqual(decodeClientInfo(encode({ uid: "u", utid: "t", extra: 1 })), { uid: "u", utid: "t", extra: 1 });
  assert.throws(() => decodeClientInfo(encode(7)), { code: "ERR_INVALID_RESPONSE" });
});
