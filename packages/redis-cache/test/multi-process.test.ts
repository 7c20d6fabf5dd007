// Four instances of a web app, each a process of its own, sign the same 500 users in at the same
// time through the emulator and write their tokens to the same Redis partitions: every token every
// instance got must be in Redis afterwards. Then a fifth instance gets every one of them back
// without asking the authority once.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { createEmulator } from "@msal-ts/emulator";
import type { Emulator } from "@msal-ts/emulator";
import { RedisTokenCacheStore, appPartitionKey, userPartitionKey } from "../src/index.js";
import type { InstanceConfig, InstanceReport } from "./support/app-instance.js";
import { documentOf } from "./support/events.js";
import { connect } from "./support/redis.js";
import type { Client } from "./support/redis.js";
import { startRedisServer } from "./support/redis-server.js";
import type { RedisServer } from "./support/redis-server.js";

const INSTANCES = 4;
const USERS = 500;
const TENANT = "fab1ca7e-0000-4000-8000-000000000001";
const CLIENT_ID = "5ca1ab1e-0000-4000-8000-00000000000a";
const SECRET = "web-secret~test-only";
const API = "api://orders-test";
const users = Array.from({ length: USERS }, (_, i) => ({ username: `user${i}@fabrikam.example`, password: `password-${i}~test` }));

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const instanceScript = fileURLToPath(new URL("./support/app-instance.ts", import.meta.url));

let server: RedisServer;
let redis: Client;
let emu: Emulator;
let dir: string;
let caPath: string;

before(async () => {
  server = await startRedisServer();
  redis = await connect(server.url);
  emu = await createEmulator({
    tenants: [
      {
        id: TENANT,
        domains: ["fabrikam.example"],
        apps: [{ clientId: CLIENT_ID, secrets: [SECRET], appRoles: { [API]: ["Jobs.Run"] } }],
        apis: [
          {
            identifier: API,
            roles: ["Jobs.Run"],
            scopes: Array.from({ length: INSTANCES + 1 }, (_, i) => [`Read${i}`, `Write${i}`]).flat(),
          },
        ],
        users,
      },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), "msal-ts-redis-cache-"));
  caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
});

after(async () => {
  redis.destroy();
  await Promise.all([server.stop(), emu.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function configFor(mode: InstanceConfig["mode"], instance: number): InstanceConfig {
  return {
    redisUrl: server.url,
    authority: emu.authority,
    instanceDiscovery: emu.instanceDiscoveryUrl,
    tenant: TENANT,
    clientId: CLIENT_ID,
    secret: SECRET,
    api: API,
    users,
    mode,
    instance,
    instances: INSTANCES,
    concurrency: 16,
  };
}

/** Runs one app instance as a process of its own; resolves to its report. */
function runInstance(config: InstanceConfig, homes: readonly string[] = []): Promise<InstanceReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", instanceScript], {
      cwd: repoRoot,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, APP_INSTANCE: JSON.stringify(config), APP_INSTANCE_HOMES: JSON.stringify(homes) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`app instance ${config.instance} (${config.mode}) exited with ${code}`));
      try {
        resolve(JSON.parse(out) as InstanceReport);
      } catch (e) {
        reject(new Error(`app instance ${config.instance} printed no report: ${String(e)}`));
      }
    });
  });
}

const hash = (token: unknown): string => createHash("sha256").update(String(token)).digest("hex").slice(0, 16);

describe("four app instances on one Redis", () => {
  let signedIn: InstanceReport[] = [];

  test(`sign ${USERS} users in at once, each in every instance: no token is lost`, async (t) => {
    const requestsBefore = emu.tokenRequestCount();
    signedIn = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => runInstance(configFor("sign-in", i))));
    // A password grant and a refresh per user and instance, and the app's own token once.
    assert.equal(emu.tokenRequestCount() - requestsBefore, INSTANCES * USERS * 2 + 1);

    const reader = new RedisTokenCacheStore(redis, { localCache: false });
    let lost = 0;
    for (let u = 0; u < USERS; u++) {
      const homes = new Set(signedIn.map((r) => r.users[u]?.homeAccountId));
      assert.equal(homes.size, 1, `user ${u} has one home account id in every instance`);
      const [home] = homes;
      assert.ok(home);
      const doc = await reader.withPartition(userPartitionKey(home), (cache) => ({ counts: cache.count(), doc: documentOf(cache) }));
      const stored = new Set(Object.values(doc.doc["AccessToken"] ?? {}).map((e) => hash(e["secret"])));
      for (const report of signedIn) {
        for (const [scope, token] of Object.entries(report.users[u]?.tokens ?? {})) {
          if (!stored.has(token.hash)) {
            lost++;
            assert.fail(`user ${u}: the ${scope} token of one instance is missing`);
          }
        }
      }
      // Every instance's two access tokens and its refresh token; one ID token, account and app metadata.
      assert.deepEqual(doc.counts, { AccessToken: 2 * INSTANCES, RefreshToken: INSTANCES, IdToken: 1, Account: 1, AppMetadata: 1 }, `user ${u}`);
      assert.ok((await redis.pTTL(reader.redisKey(userPartitionKey(home)))) > 0);
    }
    assert.equal(lost, 0);
    // The instances did write the same partitions at the same time: some writes found another's in between.
    const merged = signedIn.reduce((n, r) => n + r.merged, 0);
    t.diagnostic(`${merged} of ${INSTANCES * USERS} read-modify-write requests merged with another instance's write`);
    assert.ok(merged > 0);
    assert.equal(await redis.dbSize(), USERS + 1);
  });

  test("another instance serves every token the others got, and the app's own, without a token request", async () => {
    assert.equal(signedIn.length, INSTANCES, "needs the sign-in test");
    const homes = users.map((_, u) => signedIn[0]?.users[u]?.homeAccountId ?? "");
    const requestsBefore = emu.tokenRequestCount();
    const served = await runInstance(configFor("serve", INSTANCES), homes);
    assert.equal(emu.tokenRequestCount(), requestsBefore);

    assert.equal(served.appToken?.source, "cache");
    assert.equal(served.appToken?.hash, signedIn[0]?.appToken?.hash);
    const appDoc = await new RedisTokenCacheStore(redis).withPartition(appPartitionKey(CLIENT_ID, TENANT), (cache) => cache.count());
    assert.equal(appDoc.AccessToken, 1);

    for (let u = 0; u < USERS; u++) {
      const expected = Object.assign({}, ...signedIn.map((r) => r.users[u]?.tokens)) as Record<string, { hash: string }>;
      const got = served.users[u]?.tokens ?? {};
      assert.equal(Object.keys(got).length, 2 * INSTANCES);
      for (const [scope, token] of Object.entries(got)) {
        assert.equal(token.source, "cache", `user ${u} ${scope}`);
        assert.equal(token.hash, expected[scope]?.hash, `user ${u} ${scope}`);
      }
    }
  });
});
