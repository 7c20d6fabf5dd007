// A process killed while it holds the cache file's lock: the others wait until the lock is stale,
// break it, and finish.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { accessTokensByClient, acquireSettings, clientId, startAuthority, startWorker, succeeded, type Authority } from "./processes.js";

const STALE_SECONDS = 3;
const WRITERS = [0, 1, 2];
const TOKENS = 5;

let authority: Authority;

before(async () => {
  authority = await startAuthority(WRITERS.length, TOKENS);
});

after(() => authority.close());

test("a process killed while holding the lock blocks the others only until the lock is stale", async () => {
  const cachePath = join(authority.dir, "killed", "msal_token_cache.json");
  mkdirSync(dirname(cachePath), { recursive: true });
  const holder = startWorker({ mode: "hold", cachePath, lockStaleSeconds: STALE_SECONDS });
  await holder.said("locked");
  assert.ok(existsSync(`${cachePath}.lock`));

  const writers = WRITERS.map((p) => startWorker(acquireSettings(authority, cachePath, p, TOKENS, { lockStaleSeconds: STALE_SECONDS })));
  await Promise.all(writers.map((w) => w.said("ready")));
  // While the holder lives, it keeps its lock fresh: nobody writes, however long it holds it.
  await new Promise((resolve) => setTimeout(resolve, 1000 * STALE_SECONDS * 0.5));
  assert.equal(existsSync(cachePath), false, "no writer wrote while the lock was held");

  holder.child.kill("SIGKILL");
  assert.equal((await holder.exited).signal, "SIGKILL");
  assert.ok(existsSync(`${cachePath}.lock`), "the killed holder left its lock behind");

  for (const w of writers) assert.match(await succeeded(w), new RegExp(`done ${TOKENS} checks=${TOKENS}\\n`));
  const counts = accessTokensByClient(cachePath);
  for (const p of WRITERS) assert.equal(counts.get(clientId(p)), TOKENS, `the tokens of ${clientId(p)}`);
  assert.equal(existsSync(`${cachePath}.lock`), false, "the stale lock was broken, and every writer released its own");
});
