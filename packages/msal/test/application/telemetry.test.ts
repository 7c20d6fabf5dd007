import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiId, CacheRefreshReason, TelemetryBuffer } from "../../src/application/telemetry.js";

test("current and last telemetry headers follow schema 4", () => {
  const t = new TelemetryBuffer();
  let h = t.headers(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, "c1", CacheRefreshReason.AT_ABSENT);
  assert.deepEqual(h, {
    "client-request-id": "c1",
    "x-client-current-telemetry": "4|730,2|",
    "x-client-last-telemetry": "4|0|||",
  });
  t.hitAnAccessToken();
  t.hitAnAccessToken();
  t.record(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, "c1", { error: "invalid_client" });
  h = t.headers(ApiId.ACQUIRE_TOKEN_SILENT_ID, "c2", CacheRefreshReason.FORCE_REFRESH);
  assert.equal(h["x-client-current-telemetry"], "4|84,1|");
  assert.equal(h["x-client-last-telemetry"], "4|2|730,c1|invalid_client|");
  t.record(ApiId.ACQUIRE_TOKEN_SILENT_ID, "c2", { access_token: "x" });
  assert.equal(t.headers(ApiId.ACQUIRE_TOKEN_SILENT_ID, "c3", 0)["x-client-last-telemetry"], "4|0|||");
});

test("the failure buffer stays under 350 characters", () => {
  const t = new TelemetryBuffer();
  for (let i = 0; i < 50; i++) t.record(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, crypto.randomUUID(), { error: "invalid_client" });
  const last = t.headers(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, "c", 0)["x-client-last-telemetry"] ?? "";
  assert.ok(last.length < 400, `got ${last.length}`);
  assert.ok(last.split("|")[2]?.includes("730,"));
});
