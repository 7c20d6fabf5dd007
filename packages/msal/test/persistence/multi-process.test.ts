// Eight processes filling one token cache file at once, against one emulator: no lost update, a file
// that always parses, no lock left behind.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { accessTokensByClient, acquireSettings, clientId, startAuthority, startWorker, succeeded, type Authority } from "./processes.js";

const PROCESSES = 8;
const TOKENS_PER_PROCESS = 200;
/** Each worker checks the file (it parses, and holds all of the worker's tokens so far) this often. */
const CHECK_EVERY = 20;

let authority: Authority;

before(async () => {
  authority = await startAuthority(PROCESSES, TOKENS_PER_PROCESS);
});

after(() => authority.close());

test(`${PROCESSES} processes × ${TOKENS_PER_PROCESS} tokens into one file: every token kept, the file always whole, no lock left`, async () => {
  const cachePath = join(authority.dir, "shared", "msal_token_cache.json");
  const workers = Array.from({ length: PROCESSES }, (_, p) =>
    startWorker(acquireSettings(authority, cachePath, p, TOKENS_PER_PROCESS, { checkEvery: CHECK_EVERY })),
  );

  // A reader that takes no lock sees only whole files: writers rename complete files into place.
  // (Each worker's cache also parses the file whenever it changed, before every lookup.)
  let reads = 0;
  let running = true;
  const reader = (async () => {
    while (running) {
      if (existsSync(cachePath)) {
        const parsed: unknown = JSON.parse(readFileSync(cachePath, "utf8"));
        assert.ok(typeof parsed === "object" && parsed !== null && "AccessToken" in parsed);
        reads++;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    const outputs = await Promise.all(workers.map(succeeded));
    for (const out of outputs) assert.match(out, new RegExp(`done ${TOKENS_PER_PROCESS} checks=${TOKENS_PER_PROCESS / CHECK_EVERY}\\n`));
  } finally {
    running = false;
    await reader;
  }

  const counts = accessTokensByClient(cachePath);
  for (let p = 0; p < PROCESSES; p++) assert.equal(counts.get(clientId(p)), TOKENS_PER_PROCESS, `the tokens of ${clientId(p)}`);
  assert.equal([...counts.values()].reduce((a, b) => a + b, 0), PROCESSES * TOKENS_PER_PROCESS);
  assert.ok(reads > 0, "the lock-free reader read the file while it was written");
  assert.equal(existsSync(`${cachePath}.lock`), false, "no lock is left behind");
  assert.equal(authority.emu.tokenRequestCount(), PROCESSES * TOKENS_PER_PROCESS, "each token was asked for once");
});
