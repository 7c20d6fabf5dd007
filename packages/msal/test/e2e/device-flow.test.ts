// The device code flow against the emulator: starting it, and how polling ends — approved, declined,
// expired, slowed down, stopped by the caller through expires_at or an AbortSignal.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MsalError, PublicClientApplication, type DeviceFlow, type ErrorResult, type HttpClient } from "@msal-ts/msal";
import type { AppContext } from "../../src/application/app-context.js";
import { acquireTokenByDeviceFlow, sleep } from "../../src/application/device-flow.js";
import {
  ADELE,
  DESKTOP_APP,
  failed,
  ok,
  publicApp,
  recordingClient,
  startAuthority,
  type RecordingClient,
  type TestAuthority,
} from "./support.js";

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Seconds the emulator's clock runs ahead of the real one (to expire device codes on demand). */
const skew = { offset: 0 };
let t: TestAuthority;

before(async () => {
  t = await startAuthority({ deviceCode: { interval: 1 }, clock: () => Date.now() / 1000 + skew.offset });
});

after(async () => {
  await t?.emu.close();
});

/** A recording HTTP client that also notes each token-endpoint answer (the error, or `tokens`). */
interface Watcher {
  readonly rec: RecordingClient;
  readonly http: HttpClient;
  readonly answers: string[];
  /** Resolves once the token endpoint answered `n` polls. */
  polled(n: number): Promise<void>;
}

async function watch(authority: TestAuthority = t): Promise<Watcher> {
  const rec = await recordingClient(authority);
  const answers: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const http: HttpClient = async (url, init) => {
    const res = await rec.http(url, init);
    if (new URL(url).pathname.endsWith("/oauth2/v2.0/token")) {
      const body = (await res.clone().json()) as { error?: string };
      answers.push(body.error ?? "tokens");
      for (const w of waiters) if (answers.length >= w.n) w.resolve();
    }
    return res;
  };
  return {
    rec,
    http,
    answers,
    polled: (n) => (answers.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

function started(flow: DeviceFlow | ErrorResult): DeviceFlow {
  if ("error" in flow) assert.fail(`the device flow did not start: ${flow.error}`);
  return flow;
}

/** The app's internal context, to run the polling with a test clock. */
function contextOf(app: PublicClientApplication): AppContext {
  return (app as unknown as { ctx: AppContext }).ctx;
}

describe("initiateDeviceFlow", () => {
  test("returns the authority's fields plus interval, expires_in, expires_at and the correlation id", async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http, appName: "device-test" });
    const before = Date.now() / 1000;
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    const after = Date.now() / 1000;
    assert.match(flow.user_code, /^[A-Z0-9]{9}$/);
    assert.ok(flow.device_code.length > 20);
    assert.equal(flow.verification_uri, `${t.emu.url}/devicelogin`);
    assert.match(flow.message ?? "", new RegExp(`enter the code ${flow.user_code} to authenticate`));
    assert.equal(flow.interval, 1);
    assert.equal(flow.expires_in, 900);
    assert.ok(flow.expires_at >= Math.floor(before) + 900 && flow.expires_at <= after + 900, String(flow.expires_at));
    assert.match(flow._correlation_id, UUID);
    // Plain JSON, as the seeds' dict.
    assert.deepEqual(JSON.parse(JSON.stringify(flow)), flow);

    const request = watcher.rec.seen.find((r) => r.url.endsWith("/oauth2/v2.0/devicecode"));
    assert.ok(request, "no device authorization request");
    assert.equal(request.url, `${t.emu.authority}/oauth2/v2.0/devicecode`);
    assert.deepEqual([...request.body.keys()], ["client_id", "scope"]);
    assert.equal(request.body.get("client_id"), DESKTOP_APP);
    assert.equal(request.body.get("scope"), "User.Read openid profile offline_access");
    assert.equal(request.headers["client-request-id"], flow._correlation_id);
    assert.equal(request.headers["x-app-name"], "device-test");
    assert.ok(request.headers["x-client-sku"]);
    assert.equal(request.headers["x-client-current-telemetry"], undefined);
  });

  test("scopes may be left out: a sign-in alone; a claims challenge travels as claims", async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http, clientCapabilities: ["CP1"] });
    started(await app.initiateDeviceFlow());
    const challenge = JSON.stringify({ id_token: { auth_time: { essential: true } } });
    started(await app.initiateDeviceFlow([], { claimsChallenge: challenge }));
    const [plain, withClaims] = watcher.rec.seen.filter((r) => r.url.endsWith("/devicecode"));
    assert.equal(plain?.body.get("scope"), "openid profile offline_access");
    assert.equal(plain?.body.has("claims"), false);
    assert.deepEqual(JSON.parse(withClaims?.body.get("claims") ?? "null"), {
      id_token: { auth_time: { essential: true } },
      access_token: { xms_cc: { values: ["CP1"] } },
    });
  });

  test("an app the tenant does not know: the authority's error result, with a correlation id", async () => {
    const app = new PublicClientApplication("0b0b0b0b-0000-4000-8000-000000000000", t.appOptions);
    const flow = await app.initiateDeviceFlow(["User.Read"]);
    assert.ok("error" in flow);
    assert.equal(flow.error, "unauthorized_client");
    assert.match(String(flow.error_description), /^AADSTS700016: /);
    assert.match(String(flow.correlation_id), UUID);
  });

  test("an authority without a device authorization endpoint is a clear MsalError", async () => {
    const rec = await recordingClient(t);
    const stripping: HttpClient = async (url, init) => {
      const res = await rec.http(url, init);
      if (!url.includes("/.well-known/openid-configuration")) return res;
      const doc = (await res.json()) as Record<string, unknown>;
      delete doc.device_authorization_endpoint;
      return new Response(JSON.stringify(doc), { status: 200, headers: { "content-type": "application/json" } });
    };
    // A tenant name of its own, so that the stripped document stays this test's.
    const app = publicApp(t, DESKTOP_APP, { httpClient: stripping, authority: t.emu.authorityFor("contoso.onmicrosoft.com") });
    await assert.rejects(app.initiateDeviceFlow(["User.Read"]), (err: unknown) => {
      assert.ok(err instanceof MsalError);
      assert.equal(err.code, "ERR_AUTHORITY");
      assert.match(err.message, /no device_authorization_endpoint/);
      return true;
    });
    assert.equal(rec.seen.filter((r) => r.url.endsWith("/devicecode")).length, 0);
  });

  test("bad arguments are TypeErrors", async () => {
    const app = publicApp(t, DESKTOP_APP);
    await assert.rejects(app.initiateDeviceFlow(["openid"]), (err: unknown) => err instanceof TypeError && /openid/.test(err.message));
    await assert.rejects(app.initiateDeviceFlow("User.Read" as unknown as string[]), TypeError);
    await assert.rejects(app.initiateDeviceFlow([], { signal: "stop" as unknown as AbortSignal }), TypeError);
  });
});

describe("acquireTokenByDeviceFlow", () => {
  test("a flow without a device code, such as an error result, is a TypeError", async () => {
    const app = publicApp(t, DESKTOP_APP);
    const error = { error: "unauthorized_client" } as unknown as DeviceFlow;
    await assert.rejects(app.acquireTokenByDeviceFlow(error), (err: unknown) => err instanceof TypeError && /device_code/.test(err.message));
    await assert.rejects(app.acquireTokenByDeviceFlow(null as unknown as DeviceFlow), TypeError);
  });

  test("approved while polling: tokens for the device code grant, the account records it", async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    const polling = app.acquireTokenByDeviceFlow(flow);
    await watcher.polled(1);
    assert.equal(await t.emu.completeDeviceLogin(flow.user_code, ADELE), "approved");
    const result = ok(await polling);
    assert.equal(result.id_token_claims?.preferred_username, ADELE.username);
    assert.equal(result.scope, "User.Read openid profile");
    const [account] = await app.getAccounts();
    assert.equal(account?.account_source, DEVICE_CODE_GRANT);
    assert.equal(watcher.answers[0], "authorization_pending");
    for (const poll of watcher.rec.tokenRequests()) {
      assert.equal(poll.headers["client-request-id"], flow._correlation_id);
      assert.equal(poll.headers["x-client-current-telemetry"], "4|622,0|");
    }
  });

  test("declined by the user: the authorization_declined error result", async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    const polling = app.acquireTokenByDeviceFlow(flow);
    await watcher.polled(1);
    assert.equal(await t.emu.completeDeviceLogin(flow.user_code, { ...ADELE, decline: true }), "declined");
    const error = failed(await polling);
    assert.equal(error.error, "authorization_declined");
    assert.ok(error.correlation_id);
    assert.equal((await app.getAccounts()).length, 0);
  });

  test("expired at the authority: the expired_token error result; only that final answer reaches telemetry", async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    const polling = app.acquireTokenByDeviceFlow(flow);
    try {
      await watcher.polled(2);
      skew.offset = 901;
      const error = failed(await polling);
      assert.equal(error.error, "expired_token");
      assert.match(String(error.error_description), /^AADSTS70020: /);
    } finally {
      skew.offset = 0;
    }
    assert.deepEqual(watcher.answers.slice(0, 2), ["authorization_pending", "authorization_pending"]);
    assert.equal(watcher.answers.at(-1), "expired_token");

    // The next call reports the failed one once, with its final error, not each pending poll.
    const next = started(await app.initiateDeviceFlow(["User.Read"]));
    next.expires_at = 0;
    failed(await app.acquireTokenByDeviceFlow(next));
    const firstPollOfNext = watcher.rec.tokenRequests().find((r) => r.body.get("device_code") === next.device_code);
    assert.equal(firstPollOfNext?.headers["x-client-last-telemetry"], `4|0|622,${flow._correlation_id}|expired_token|`);
  });

  test("expires_at = 0 set by the caller mid-poll: returns the last answer instead of waiting", { timeout: 30_000 }, async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    // An hour between polls: only the expires_at check can end this call within the test's timeout.
    flow.interval = 3600;
    const polling = app.acquireTokenByDeviceFlow(flow);
    await watcher.polled(1);
    flow.expires_at = 0;
    const error = failed(await polling);
    assert.equal(error.error, "authorization_pending");
    assert.equal(error.correlation_id, flow._correlation_id);
    assert.equal(watcher.answers.length, 1);
  });

  test("an AbortSignal ends the call at once: it rejects with the signal's reason", { timeout: 30_000 }, async () => {
    const watcher = await watch();
    const app = publicApp(t, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    flow.interval = 3600;

    const controller = new AbortController();
    const polling = app.acquireTokenByDeviceFlow(flow, { signal: controller.signal });
    await watcher.polled(1);
    controller.abort();
    await assert.rejects(polling, (err: unknown) => err instanceof Error && err.name === "AbortError");

    // Aborted in the middle of the wait between polls, with a reason of the caller's.
    const reason = new Error("the user pressed Ctrl+C");
    const second = new AbortController();
    let waiting!: () => void;
    const inWait = new Promise<void>((resolve) => (waiting = resolve));
    const again = acquireTokenByDeviceFlow(contextOf(app), flow, { signal: second.signal }, (ms, signal) => {
      waiting();
      return sleep(ms, signal);
    });
    await inWait;
    second.abort(reason);
    await assert.rejects(again, (err: unknown) => err === reason);

    const requests = watcher.rec.seen.length;
    await assert.rejects(app.acquireTokenByDeviceFlow(flow, { signal: AbortSignal.abort() }), (err: unknown) => (err as Error).name === "AbortError");
    assert.equal(watcher.rec.seen.length, requests, "an aborted signal sends nothing");
    assert.equal(watcher.answers.length, 2);
  });
});

describe("slow_down", () => {
  // An emulator that answers slow_down to polls sooner than the interval, with a clock that the test
  // moves as the polling waits, so the back-off is seen in the waits asked for, not in wall time.
  const virtual = { offset: 0 };
  let slow: TestAuthority;
  before(async () => {
    slow = await startAuthority({ deviceCode: { interval: 1, slowDown: true }, clock: () => Date.now() / 1000 + virtual.offset });
  });
  after(async () => {
    await slow?.emu.close();
  });

  test("each slow_down adds 5 seconds to the flow's interval before the next poll", async () => {
    const watcher = await watch(slow);
    const app = publicApp(slow, DESKTOP_APP, { httpClient: watcher.http });
    const flow = started(await app.initiateDeviceFlow(["User.Read"]));
    const waits: number[] = [];
    let approved: Promise<unknown> | undefined;
    const wait = async (ms: number): Promise<void> => {
      waits.push(ms);
      virtual.offset += ms / 1000;
      // The user approves during the first wait, after the slow_down.
      approved ??= slow.emu.completeDeviceLogin(flow.user_code, ADELE);
      await approved;
    };
    const result = ok(await acquireTokenByDeviceFlow(contextOf(app), flow, {}, wait));
    assert.equal(result.id_token_claims?.preferred_username, ADELE.username);
    assert.deepEqual(watcher.answers, ["slow_down", "tokens"]);
    assert.equal(flow.interval, 6);
    assert.deepEqual(waits, [1000, 1000, 1000, 1000, 1000, 1000], "the interval of 1 s plus 5 s, one second at a time");
  });
});
