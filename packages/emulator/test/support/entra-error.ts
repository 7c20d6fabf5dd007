import assert from "node:assert/strict";

/** Checks Entra's error shape (authority-wire-format §3.1) for an emulator at `emulatorUrl`. */
export function assertEntraError(emulatorUrl: string, body: Record<string, unknown>, error: string, code: number): void {
  assert.equal(body.error, error, String(body.error_description));
  assert.deepEqual(body.error_codes, [code], String(body.error_description));
  assert.match(String(body.timestamp), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  assert.match(String(body.trace_id), /^[0-9a-f-]{36}$/);
  assert.ok(typeof body.correlation_id === "string" && body.correlation_id.length > 0);
  assert.equal(body.error_uri, `${emulatorUrl}/error?code=${code}`);
  const lines = String(body.error_description).split("\r\n");
  assert.match(lines[0] ?? "", new RegExp(`^AADSTS${code}: .+`));
  assert.equal(lines[1], `Trace ID: ${String(body.trace_id)}`);
  assert.equal(lines[2], `Correlation ID: ${String(body.correlation_id)}`);
  assert.equal(lines[3], `Timestamp: ${String(body.timestamp)}`);
}
