import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyError } from "../../src/protocol/classification.js";
import type { ErrorResponse } from "../../src/protocol/wire.js";

const table: { suberror: string; classification: string }[] = [
  { suberror: "bad_token", classification: "" },
  { suberror: "token_expired", classification: "" },
  { suberror: "protection_policy_required", classification: "" },
  { suberror: "client_mismatch", classification: "" },
  { suberror: "device_authentication_failed", classification: "" },
  { suberror: "consent_required", classification: "consent_required" },
  { suberror: "basic_action", classification: "basic_action" },
  { suberror: "additional_action", classification: "additional_action" },
  { suberror: "message_only", classification: "message_only" },
  { suberror: "user_password_expired", classification: "user_password_expired" },
  { suberror: "something_new", classification: "something_new" },
];
for (const c of table) {
  test(`classifyError: suberror ${c.suberror} → ${JSON.stringify(c.classification)}`, () => {
    const error: ErrorResponse = { error: "invalid_grant", error_description: "AADSTS…", suberror: c.suberror, trace_id: "t" };
    const got = classifyError(error);
    assert.deepEqual(got, { ...error, classification: c.classification });
    assert.ok(!("classification" in error), "the input is not changed");
  });
}

test("classifyError: no suberror, no classification (the same object back)", () => {
  const error: ErrorResponse = { error: "invalid_grant" };
  assert.equal(classifyError(error), error);
  assert.ok(!("classification" in classifyError({ error: "invalid_grant", suberror: "" })));
});
