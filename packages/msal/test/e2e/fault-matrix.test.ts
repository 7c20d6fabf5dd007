// The fault matrix: every flow × every fault the emulator can inject that applies to it. Each cell
// starts from its own state (its own tenant, or its own managed identity, so cells run side by side on
// one emulator), snapshots the token cache, injects the fault for every request until removed, calls
// with a 2 s timeout, and checks that the call settles in time with an error result or a typed error
// (never an untyped crash or an unhandled rejection) and leaves the cache byte-for-byte as it was;
// then lifts the fault and calls again — with a fresh app on the same cache, since the first app
// replays the throttled answer — which must succeed. The matrix is printed as a table (and written to
// $FAULT_MATRIX_OUT as Markdown when set).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Agent, fetch as undiciFetch } from "undici";
import { FAULT_KINDS, createEmulator, defaultTenant } from "@msal-ts/emulator";
import type { Emulator, Fault, FaultKind, TenantConfig } from "@msal-ts/emulator";
import {
  ConfidentialClientApplication,
  ManagedIdentityClient,
  PublicClientApplication,
  SerializableTokenCache,
  UserAssignedManagedIdentity,
  isMsalError,
  type ClientApplicationOptions,
} from "@msal-ts/msal";

/** Seconds every app and client of the matrix may wait for one request. */
const TIMEOUT = 2;
/** How much longer than `TIMEOUT` a faulted call may take (other requests, a device-code poll, a busy loop). */
const MARGIN_MS = 3000;
/**
 * Cells running at once. The emulator shares this process's event loop, and every app opens its own
 * TLS connections: many more at once and, on a busy machine, a discovery request could need longer
 * than the timeout before the fault is even reached.
 */
const CONCURRENCY = 6;
/** The faults that hold a call until its timeout: started first, so that they overlap the quick ones. */
const SLOW_KINDS: ReadonlySet<FaultKind> = new Set(["delay-headers", "stall-body"]);

/**
 * The flows, each faulted at its token endpoint (managed identity: at its source); the last row is
 * client credentials again, faulted at discovery (instance discovery and the OpenID configuration).
 */
const FLOWS = [
  "client credentials",
  "auth code",
  "silent refresh",
  "on-behalf-of",
  "device code",
  "ROPC",
  "managed identity",
  "client credentials, at discovery",
] as const;
type Flow = (typeof FLOWS)[number];

const ID_TOKEN_KINDS: ReadonlySet<FaultKind> = new Set(["expired-id-token", "bad-id-token-signature"]);
/** Flows whose answers carry an ID token. */
const WITH_ID_TOKEN: ReadonlySet<Flow> = new Set(["auth code", "silent refresh", "on-behalf-of", "device code", "ROPC"]);
/** Flows that discover the authority during the call itself (a silent refresh finds it discovered). */
const DISCOVERING: ReadonlySet<Flow> = new Set(["client credentials", "auth code", "on-behalf-of", "device code", "ROPC", "client credentials, at discovery"]);

/** Why a fault does not apply to a flow, or `undefined` when it does. */
function notApplicable(flow: Flow, kind: FaultKind): string | undefined {
  if (ID_TOKEN_KINDS.has(kind) && !WITH_ID_TOKEN.has(flow)) return "no ID token";
  if (kind === "foreign-issuer" && !DISCOVERING.has(flow)) return "no discovery";
  return undefined;
}

/**
 * Faults the library accepts by design, where the call succeeds:
 * - `wrong-content-type`: the body is the real JSON answer; msal-ts reads JSON by content, as MSAL
 *   Python and msal-node do.
 * - `bad-id-token-signature`: the ID token comes straight from the token endpoint over TLS, so its
 *   signature is not checked (OpenID Connect Core §3.1.3.7), as in MSAL Python and msal-node.
 */
function tolerated(kind: FaultKind): boolean {
  return kind === "wrong-content-type" || kind === "bad-id-token-signature";
}

const DAEMON = defaultTenant.apps[0];
const WEB = defaultTenant.apps[1];
const DESKTOP = defaultTenant.apps[2];
const ORDERS = defaultTenant.apps[4];
const PASSWORD = defaultTenant.users[0].password;
const GRAPH_READ = ["User.Read"];
const WEB_REDIRECT = "http://localhost:5123/auth/redirect";
const GRAPH = "https://graph.microsoft.com";

/** A copy of the default tenant under its own id and domain: one per cell. */
function cellTenant(index: number): TenantConfig {
  const id = `c0ffee00-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
  const domain = `cell${index}.onmicrosoft.com`;
  const { federatedDomains: _federated, ...rest } = defaultTenant;
  return {
    ...rest,
    id,
    displayName: `Cell ${index}`,
    domains: [domain],
    users: [{ username: `adele@${domain}`, password: PASSWORD, displayName: "Adele Vance" }],
  };
}

const miClientId = (index: number): string => `3c1e9d7a-0000-4f00-8a00-${index.toString(16).padStart(12, "0")}`;

interface Cell {
  readonly flow: Flow;
  readonly kind: FaultKind;
  readonly index: number;
}

/** What a call came to. */
type Outcome =
  | { readonly type: "token" }
  | { readonly type: "result"; readonly error: string }
  | { readonly type: "thrown"; readonly label: string; readonly typed: boolean };

let emu: Emulator;
let miEmu: Emulator;
let caPath: string;
let dispatcher: Agent;
const cells: Cell[] = [];
const outcomes = new Map<string, string>();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

for (const flow of FLOWS) {
  for (const kind of FAULT_KINDS) if (notApplicable(flow, kind) === undefined) cells.push({ flow, kind, index: cells.length });
}
const miCells = cells.filter((c) => c.flow === "managed identity");

before(async () => {
  process.on("unhandledRejection", onUnhandled);
  [emu, miEmu] = await Promise.all([
    createEmulator({ tenants: cells.filter((c) => c.flow !== "managed identity").map((c) => cellTenant(c.index)), deviceCode: { interval: 1 } }),
    createEmulator({ managedIdentity: { identities: miCells.map((c) => ({ clientId: miClientId(c.index), displayName: `cell ${c.index}` })) } }),
  ]);
  caPath = join(mkdtempSync(join(tmpdir(), "msal-ts-fault-matrix-")), "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
  dispatcher = new Agent({ connect: { ca: emu.caCertificate } });
});

after(async () => {
  process.off("unhandledRejection", onUnhandled);
  await Promise.all([emu?.close(), miEmu?.close(), dispatcher?.close()]);
});

function appOptions(cell: Cell, cache: SerializableTokenCache): ClientApplicationOptions {
  const tenant = cellTenant(cell.index).id;
  return {
    authority: emu.authorityFor(tenant),
    instanceDiscovery: emu.instanceDiscoveryUrl,
    verify: caPath,
    timeout: TIMEOUT,
    tokenCache: cache,
  };
}

function classify(value: unknown): Outcome {
  if (typeof value === "object" && value !== null && "access_token" in value) return { type: "token" };
  if (typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string") {
    return { type: "result", error: (value as { error: string }).error };
  }
  return { type: "thrown", label: `unexpected value ${String(value)}`, typed: false };
}

function classifyThrown(err: unknown): Outcome {
  if (isMsalError(err)) {
    const detail = err.name === "IdTokenError" ? `${(err as { claim?: string }).claim ?? "?"}` : err.code;
    return { type: "thrown", label: `${err.name} ${detail}`, typed: true };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof TypeError && typeof code === "string") return { type: "thrown", label: `TypeError ${code}`, typed: true };
  const name = err instanceof Error ? err.name : typeof err;
  return { type: "thrown", label: `${name}: ${err instanceof Error ? err.message : String(err)}`, typed: false };
}

function describeOutcome(outcome: Outcome): string {
  return outcome.type === "token" ? "token" : outcome.type === "result" ? outcome.error : outcome.label;
}

/**
 * One attempt of a flow: whatever it needs first (an authorization code, an approved device code),
 * then the call under test, timed. Each attempt is a new app on the cell's cache.
 */
type Attempt = () => Promise<{ readonly outcome: Outcome; readonly ms: number }>;

async function timed(call: () => Promise<unknown>): Promise<{ outcome: Outcome; ms: number }> {
  const started = performance.now();
  try {
    const value = await call();
    return { outcome: classify(value), ms: performance.now() - started };
  } catch (err) {
    return { outcome: classifyThrown(err), ms: performance.now() - started };
  }
}

/** A token for the Orders API, as a client app would send it to the API (straight from the emulator). */
async function ordersToken(cell: Cell): Promise<string> {
  const tenant = cellTenant(cell.index);
  const res = await undiciFetch(`${emu.authorityFor(tenant.id)}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "password",
      client_id: DESKTOP.clientId,
      username: tenant.users?.[0]?.username ?? "",
      password: PASSWORD,
      scope: "api://orders/Orders.Read openid profile offline_access",
    }).toString(),
    dispatcher,
  });
  const body = (await res.json()) as { access_token?: string };
  assert.ok(body.access_token, `no token for the Orders API (HTTP ${res.status})`);
  return body.access_token;
}

/** Gets a cell ready: its cache, and how to attempt its flow. */
async function prepare(cell: Cell): Promise<{ cache: SerializableTokenCache; attempt: Attempt }> {
  const cache = new SerializableTokenCache();
  const options = appOptions(cell, cache);
  const user = { username: `adele@cell${cell.index}.onmicrosoft.com`, password: PASSWORD };
  switch (cell.flow) {
    case "client credentials":
    case "client credentials, at discovery":
      return {
        cache,
        attempt: () =>
          timed(() => new ConfidentialClientApplication(DAEMON.clientId, { ...options, clientCredential: DAEMON.secrets[0] }).acquireTokenForClient([`${GRAPH}/.default`])),
      };
    case "auth code":
      return {
        cache,
        attempt: async () => {
          const app = new ConfidentialClientApplication(WEB.clientId, { ...options, clientCredential: WEB.secrets[0] });
          const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT }).catch((err: unknown) => err);
          if (flow instanceof Error || !("auth_uri" in (flow as object))) return { outcome: classifyThrown(flow), ms: 0 };
          const signIn = await emu.signIn((flow as { auth_uri: string }).auth_uri, user);
          return timed(() => app.acquireTokenByAuthCodeFlow(flow as Parameters<typeof app.acquireTokenByAuthCodeFlow>[0], signIn.params));
        },
      };
    case "silent refresh": {
      const first = await new PublicClientApplication(DESKTOP.clientId, options).acquireTokenByUsernamePassword(user.username, user.password, GRAPH_READ);
      assert.ok("access_token" in first, "the silent cell's sign-in");
      // The access token expired a minute ago: the next silent call must use the refresh token.
      const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, { expires_on: string; extended_expires_on?: string }> };
      const past = String(Math.floor(Date.now() / 1000) - 60);
      for (const at of Object.values(state.AccessToken)) {
        at.expires_on = past;
        if (at.extended_expires_on !== undefined) at.extended_expires_on = past;
      }
      cache.deserialize(JSON.stringify(state));
      return {
        cache,
        attempt: async () => {
          const app = new PublicClientApplication(DESKTOP.clientId, options);
          const [account] = await app.getAccounts();
          assert.ok(account, "the silent cell's account");
          return timed(() => app.acquireTokenSilentWithError(GRAPH_READ, account));
        },
      };
    }
    case "on-behalf-of": {
      const incoming = await ordersToken(cell);
      return {
        cache,
        attempt: () =>
          timed(() => new ConfidentialClientApplication(ORDERS.clientId, { ...options, clientCredential: ORDERS.secrets[0] }).acquireTokenOnBehalfOf(incoming, GRAPH_READ)),
      };
    }
    case "device code":
      return {
        cache,
        attempt: async () => {
          const app = new PublicClientApplication(DESKTOP.clientId, options);
          const flow = await app.initiateDeviceFlow(GRAPH_READ).catch((err: unknown) => err);
          if (flow instanceof Error || "error" in (flow as object)) {
            return { outcome: flow instanceof Error ? classifyThrown(flow) : classify(flow), ms: 0 };
          }
          const device = flow as Parameters<typeof app.acquireTokenByDeviceFlow>[0];
          assert.equal(await emu.completeDeviceLogin(device.user_code, user), "approved");
          return timed(() => app.acquireTokenByDeviceFlow(device));
        },
      };
    case "ROPC":
      return {
        cache,
        attempt: () => timed(() => new PublicClientApplication(DESKTOP.clientId, options).acquireTokenByUsernamePassword(user.username, user.password, GRAPH_READ)),
      };
    case "managed identity": {
      const mi = miEmu.managedIdentity;
      assert.ok(mi);
      return {
        cache,
        attempt: () =>
          timed(() =>
            new ManagedIdentityClient(new UserAssignedManagedIdentity({ clientId: miClientId(cell.index) }), {
              environment: mi.environment("imds").env,
              timeout: TIMEOUT,
              tokenCache: cache,
            }).acquireTokenForClient({ resource: GRAPH }),
          ),
      };
    }
  }
}

function faultFor(cell: Cell): Fault {
  if (cell.flow === "managed identity") return { kind: cell.kind, endpoint: "managed-identity", clientId: miClientId(cell.index) };
  const endpoint = cell.flow === "client credentials, at discovery" ? "discovery" : cell.kind === "foreign-issuer" ? "openid-configuration" : "token";
  return { kind: cell.kind, endpoint, tenant: cellTenant(cell.index).id };
}

const key = (flow: Flow, kind: FaultKind): string => `${flow}|${kind}`;

/**
 * The cache a failed call must leave: the snapshot itself — but for the silent refresh, less the
 * expired access token its lookup passed over, which the cache drops whatever the refresh's outcome
 * (as MSAL Python's search does). Everything else, the refresh token first, stays byte for byte.
 */
function expectedAfterFailure(flow: Flow, snapshot: string): string {
  if (flow !== "silent refresh") return snapshot;
  const state = JSON.parse(snapshot) as { AccessToken: Record<string, { expires_on: string }> };
  const now = Date.now() / 1000;
  for (const [k, at] of Object.entries(state.AccessToken)) if (Number(at.expires_on) <= now) delete state.AccessToken[k];
  return JSON.stringify(state);
}

/** Runs one cell and returns its table entry; assertion failures name the cell. */
async function runCell(cell: Cell): Promise<void> {
  const where = `${cell.flow} × ${cell.kind}`;
  const { cache, attempt } = await prepare(cell);
  const snapshot = expectedAfterFailure(cell.flow, cache.serialize());
  const handle = (cell.flow === "managed identity" ? miEmu : emu).faults.inject(faultFor(cell));
  let faulted: { outcome: Outcome; ms: number };
  try {
    faulted = await attempt();
  } finally {
    handle.remove();
  }
  const { outcome, ms } = faulted;
  outcomes.set(key(cell.flow, cell.kind), tolerated(cell.kind) && outcome.type === "token" ? "token (accepted)" : describeOutcome(outcome));
  assert.ok(handle.hits > 0, `${where}: the fault never applied`);
  assert.ok(ms <= TIMEOUT * 1000 + MARGIN_MS, `${where}: settled after ${Math.round(ms)} ms`);
  if (outcome.type === "thrown") assert.ok(outcome.typed, `${where}: an untyped failure: ${outcome.label}`);
  if (tolerated(cell.kind)) {
    assert.equal(outcome.type, "token", `${where}: expected the call to succeed, got ${describeOutcome(outcome)}`);
  } else {
    assert.notEqual(outcome.type, "token", `${where}: expected an error, got a token`);
    // Compared without a diff: the cache holds tokens, which no message may show.
    assert.ok(cache.serialize() === snapshot, `${where}: the cache changed`);
  }
  const again = await attempt();
  assert.equal(again.outcome.type, "token", `${where}: once the fault is lifted, expected a token, got ${describeOutcome(again.outcome)}`);
}

/** Runs `work` on every item, at most {@link CONCURRENCY} at once, and settles like `Promise.allSettled`. */
async function settleAll<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
        results.push({ status: "fulfilled", value: undefined });
      } catch (reason) {
        results.push({ status: "rejected", reason });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/** The matrix as a Markdown table: flows down, faults across. */
function table(): string {
  const header = ["flow", ...FAULT_KINDS];
  const rows = FLOWS.map((flow) => [flow, ...FAULT_KINDS.map((kind) => outcomes.get(key(flow, kind)) ?? `n/a (${notApplicable(flow, kind) ?? "not run"})`)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cellsOfRow: readonly string[]): string => `| ${cellsOfRow.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

describe("fault matrix", () => {
  test(`every flow × every fault that applies (${cells.length} cells): a clear error in time, the cache untouched, success once lifted`, async () => {
    const results = await settleAll(
      [...cells].sort((a, b) => Number(SLOW_KINDS.has(b.kind)) - Number(SLOW_KINDS.has(a.kind))),
      runCell,
    );
    const report = table();
    const legend =
      "Cells: an error result's `error`, a thrown error's class and code (IdTokenError: the claim), or `token (accepted)` " +
      `where msal-ts accepts the fault by design. Every fault lasted until removed; timeout ${TIMEOUT} s.`;
    process.stdout.write(`\n${report}\n\n${legend}\n\n`);
    if (process.env.FAULT_MATRIX_OUT) writeFileSync(process.env.FAULT_MATRIX_OUT, `${report}\n\n${legend}\n`);
    // Let stray promises of the faulted calls surface before judging.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
    assert.deepEqual(failures, []);
    assert.deepEqual(unhandled.map(String), [], "no unhandled rejection");
  });
});
