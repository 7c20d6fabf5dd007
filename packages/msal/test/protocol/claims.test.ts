import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeClaims } from "../../src/protocol/claims.js";

const cases: { name: string; challenge: string | undefined; caps: string[] | undefined; want: unknown }[] = [
  { name: "neither", challenge: undefined, caps: undefined, want: undefined },
  { name: "no capabilities: challenge unchanged", challenge: '{"id_token":{"auth_time":{"essential":true}}}', caps: [], want: '{"id_token":{"auth_time":{"essential":true}}}' },
  { name: "capabilities alone", challenge: undefined, caps: ["CP1"], want: { access_token: { xms_cc: { values: ["CP1"] } } } },
  {
    name: "capabilities merged into a challenge, other members kept",
    challenge: '{"access_token":{"nbf":{"essential":true,"value":"1563308371"}},"id_token":{"x":1}}',
    caps: ["CP1", "CP2"],
    want: { access_token: { nbf: { essential: true, value: "1563308371" }, xms_cc: { values: ["CP1", "CP2"] } }, id_token: { x: 1 } },
  },
];

for (const c of cases) {
  test(`mergeClaims: ${c.name}`, () => {
    const got = mergeClaims(c.challenge, c.caps);
    if (typeof c.want === "object" && c.want !== null) assert.deepEqual(JSON.parse(got ?? "null"), c.want);
    else assert.equal(got, c.want);
  });
}

test("mergeClaims refuses a challenge that is not a JSON object", () => {
  assert.throws(() => mergeClaims("not json", ["CP1"]), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => mergeClaims("[1]", ["CP1"]), { code: "ERR_INVALID_ARG_VALUE" });
});
