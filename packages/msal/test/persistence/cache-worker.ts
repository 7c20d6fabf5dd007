// A child process of the multi-process tests, started as
//   node --conditions=source --import tsx cache-worker.ts '<json settings>'
//
// "acquire": one confidential client acquires a token for each of `resources` (client
// credentials, `{resource}/.default`) into the shared cache file, checking after each one that the
// file parses as a token cache and still holds every token this process acquired (no lost update).
// "hold": takes the cache file's lock, as a writer does, says "locked", and waits to be killed.
import { readFileSync, utimesSync } from "node:fs";
import { lockSync } from "proper-lockfile";
import { ConfidentialClientApplication, FilePersistedTokenCache } from "@msal-ts/msal";

interface AcquireSettings {
  readonly mode: "acquire";
  readonly cachePath: string;
  readonly authority: string;
  readonly instanceDiscovery: string;
  readonly caPath: string;
  readonly clientId: string;
  readonly secret: string;
  readonly resources: readonly string[];
  readonly lockStaleSeconds?: number;
  /** Check the file after every this many tokens (1: after each). */
  readonly checkEvery?: number;
}

interface HoldSettings {
  readonly mode: "hold";
  readonly cachePath: string;
  readonly lockStaleSeconds: number;
}

type Settings = AcquireSettings | HoldSettings;

const settings = JSON.parse(process.argv[2] ?? "{}") as Settings;

/** The AccessToken entries of this client in the file, which must parse. */
function tokensInFile(path: string, clientId: string): number {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("the cache file is not a JSON object");
  const section = (parsed as { AccessToken?: Record<string, { client_id?: unknown }> }).AccessToken ?? {};
  return Object.values(section).filter((entry) => entry.client_id === clientId).length;
}

async function acquire(s: AcquireSettings): Promise<void> {
  const tokenCache = new FilePersistedTokenCache(s.cachePath, s.lockStaleSeconds === undefined ? {} : { lockStaleSeconds: s.lockStaleSeconds });
  const app = new ConfidentialClientApplication(s.clientId, {
    clientCredential: s.secret,
    authority: s.authority,
    instanceDiscovery: s.instanceDiscovery,
    verify: s.caPath,
    tokenCache,
  });
  process.stdout.write("ready\n");
  const every = s.checkEvery ?? 1;
  let checks = 0;
  for (const [i, resource] of s.resources.entries()) {
    const result = await app.acquireTokenForClient([`${resource}/.default`]);
    if ("error" in result) throw new Error(`${resource}: ${result.error}: ${result.error_description ?? ""}`);
    if ((i + 1) % every === 0 || i === s.resources.length - 1) {
      const mine = tokensInFile(s.cachePath, s.clientId);
      if (mine !== i + 1) throw new Error(`after ${i + 1} tokens the file holds ${mine} of this client's`);
      checks++;
    }
  }
  process.stdout.write(`done ${s.resources.length} checks=${checks}\n`);
}

function hold(s: HoldSettings): void {
  const lockPath = `${s.cachePath}.lock`;
  lockSync(s.cachePath, { lockfilePath: lockPath, realpath: false, stale: s.lockStaleSeconds * 1000, onCompromised: () => undefined });
  process.stdout.write("locked\n");
  // Alive, and holding the lock, until killed. proper-lockfile refreshes the lock every second;
  // this refreshes it more often still, so that it never looks stale while this process lives,
  // however busy the machine.
  setInterval(() => {
    const now = new Date();
    utimesSync(lockPath, now, now);
  }, 200);
}

try {
  if (settings.mode === "hold") hold(settings);
  else await acquire(settings);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
}
