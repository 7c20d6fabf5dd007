// `npm start` (scripts/demo.ts) in its --smoke mode: the emulator, the daemon demo and the web app
// all start, and the web app sends the browser to the emulator to sign in.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

test("the demo starts the emulator, the daemon demo and the web app", () => {
  const run = spawnSync(process.execPath, ["--conditions=source", "--import", "tsx", "scripts/demo.ts", "--smoke"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr || run.stdout);
  assert.match(run.stdout, /certificate, 2nd call\s*: Bearer token from cache/);
  assert.match(run.stdout, /wrong secret\s*: invalid_client/);
  assert.match(run.stdout, /Sign in as\s+adele@contoso\.onmicrosoft\.com/);
  assert.match(run.stdout, /smoke: GET \/ -> 200; GET \/login -> 302 https:\/\/localhost:\d+\/[0-9a-f-]+\/oauth2\/v2\.0\/authorize/);
});
