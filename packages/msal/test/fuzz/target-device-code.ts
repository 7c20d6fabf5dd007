// The device code flow: mutated device authorization answers to initiateDeviceFlow, then a run
// of polling answers (pending, slow_down, final errors, tokens, junk) to acquireTokenByDeviceFlow,
// with the waits between polls made instant and the flow stopped by `expires_at = 0`.
import fc from "fast-check";
import { AppContext } from "../../src/application/app-context.js";
import { acquireTokenByDeviceFlow, initiateDeviceFlow } from "../../src/application/device-flow.js";
import type { DeviceFlow } from "../../src/index.js";
import { fromValue, mutate, mutationsArb, toText, type Mutation } from "./json-mutation.js";
import {
  AUTHORITY,
  CLIENT_ID,
  DEVICE_CODE,
  DEVICE_ENDPOINT,
  FakeAuthority,
  TOKEN_ENDPOINT,
  asSent,
  classifyResult,
  expectCacheSound,
  expectCacheUnchanged,
  expectTypedError,
  fixtureCache,
  jsonAnswer,
  judge,
  nowSeconds,
  settle,
  validUserTokenResponse,
  violation,
} from "./harness.js";
import { TOKEN_RESPONSE_KEYS, answerRecipeArb, buildAnswer, errorDocument, type AnswerRecipe } from "./wire-answers.js";

const DEVICE_KEYS = ["device_code", "user_code", "verification_uri", "verification_uri_complete", "expires_in", "interval", "message", "error", "error_description"];
const FLOW_KEYS = [...DEVICE_KEYS, "expires_at", "_correlation_id"];

type InitBase = "flow" | "error";
type PollBase = "pending" | "slow_down" | "declined" | "expired" | "token";

/** One case: a device authorization answer, polling answers, and when the caller stops. */
export interface DeviceCodeCase {
  readonly init: AnswerRecipe<InitBase>;
  readonly polls: ReadonlyArray<AnswerRecipe<PollBase>>;
  /**
   * After how many one-second waits the caller sets `expires_at` to 0; it stands for the code's
   * expiry too, since the instant waits let no real time pass.
   */
  readonly stopAfter: number;
  readonly flowMutations: readonly Mutation[];
}

/** Generates cases. */
export const deviceCodeCaseArb: fc.Arbitrary<DeviceCodeCase> = fc.record({
  init: answerRecipeArb(["flow", "flow", "flow", "error"] as const, DEVICE_KEYS, { intact: 5 }),
  polls: fc.array(
    answerRecipeArb(["pending", "pending", "slow_down", "declined", "expired", "token", "token"] as const, [...TOKEN_RESPONSE_KEYS], { intact: 4 }),
    { maxLength: 5 },
  ),
  stopAfter: fc.integer({ min: 1, max: 40 }),
  flowMutations: fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: mutationsArb(FLOW_KEYS, 2) }),
});

/** Far more waits than a case may take: the flow is stopped after at most 40. */
const MAX_WAITS = 2000;

function deviceAuthorization(): Record<string, unknown> {
  return {
    device_code: DEVICE_CODE,
    user_code: "FUZZ-CODE",
    verification_uri: "https://microsoft.com/devicelogin",
    expires_in: 900,
    interval: 5,
    message: "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FUZZ-CODE to authenticate.",
  };
}

/** Checks a flow is one the polling can use: the fields RFC 8628 requires, and numbers for the polling's own fields. */
function expectUsableFlow(flow: Record<string, unknown>): void {
  if (Object.getPrototypeOf(flow) !== Object.prototype || "error" in flow) throw violation("initiateDeviceFlow resolved to a flow that looks like an error result");
  for (const name of ["device_code", "user_code", "verification_uri", "_correlation_id"]) {
    if (typeof flow[name] !== "string" || flow[name] === "") throw violation(`initiateDeviceFlow resolved to a flow without a string ${name}`);
  }
  for (const name of ["interval", "expires_in", "expires_at"]) {
    const v = flow[name];
    if (typeof v !== "number" || !Number.isFinite(v)) throw violation(`initiateDeviceFlow resolved to a flow whose ${name} is ${String(v)}`);
  }
  if (!((flow.interval as number) >= 1)) throw violation(`initiateDeviceFlow resolved to a flow polling every ${String(flow.interval)} s`);
}

/**
 * Starting a flow gives a usable flow, an error result or a typed error; polling ends (on a final
 * answer, or within one wait of `expires_at = 0`) with a result or a typed error; every poll
 * carries the flow's device code; and nothing but a token result changes the cache.
 */
export async function checkDeviceCodeCase(c: DeviceCodeCase): Promise<void> {
  const now = nowSeconds();
  const cache = fixtureCache();
  const before = cache.serialize();
  const init = buildAnswer(c.init, { flow: deviceAuthorization(), error: errorDocument("invalid_client") });
  const polls = c.polls.map((p) =>
    buildAnswer(p, {
      pending: { ...errorDocument("authorization_pending"), error_description: "AADSTS70016: pending" },
      slow_down: errorDocument("slow_down"),
      declined: errorDocument("authorization_declined"),
      expired: errorDocument("expired_token"),
      token: validUserTokenResponse(now),
    }),
  );
  const authority = new FakeAuthority([init, ...polls], jsonAnswer(400, errorDocument("expired_token")));
  const ctx = new AppContext(
    CLIENT_ID,
    { authority: AUTHORITY, validateAuthority: false, instanceDiscovery: false, httpClient: authority.http, tokenCache: cache },
    false,
  );
  const started = await settle(() => initiateDeviceFlow(ctx, ["s1"]));
  if (!started.ok) {
    expectTypedError(started.error, "initiateDeviceFlow");
    expectCacheUnchanged(cache, before, "a refused device authorization");
    return;
  }
  if ("error" in started.value) {
    classifyResult(started.value, "initiateDeviceFlow");
    expectCacheUnchanged(cache, before, "a device authorization error");
    return;
  }
  const initPost = authority.posts[0];
  if (authority.posts.length !== 1 || initPost?.url !== DEVICE_ENDPOINT) throw violation("initiateDeviceFlow did not make exactly one device authorization request");
  expectUsableFlow(started.value as unknown as Record<string, unknown>);

  const flow = (c.flowMutations.length > 0 ? JSON.parse(toText(mutate(fromValue(started.value), c.flowMutations))) : started.value) as DeviceFlow;
  let waits = 0;
  let stoppedAt: number | undefined;
  const wait = async (): Promise<void> => {
    waits++;
    if (waits > MAX_WAITS) throw violation(`polling went on for ${MAX_WAITS} waits`);
    if (waits === c.stopAfter && typeof flow === "object" && flow !== null) {
      flow.expires_at = 0;
      stoppedAt = waits;
    }
  };
  const polled = await settle(() => acquireTokenByDeviceFlow(ctx, flow, {}, wait));
  const kind = judge(polled, "acquireTokenByDeviceFlow");
  if (stoppedAt !== undefined && waits > stoppedAt + 1) throw violation(`polling went on for ${waits - stoppedAt} waits after expires_at was set to 0`);
  const pollPosts = authority.posts.slice(1);
  if (pollPosts.length > polls.length + 1) throw violation(`polling sent ${pollPosts.length} requests after ${polls.length} answers ran out`);
  const sent = asSent(typeof flow === "object" && flow !== null ? (flow as { device_code?: unknown }).device_code : undefined);
  for (const post of pollPosts) {
    if (post.url !== TOKEN_ENDPOINT || post.form.get("device_code") !== sent) {
      throw violation("a poll did not carry the flow's device code to the token endpoint");
    }
  }
  if (authority.invalidRequests > 0) throw violation("the device flow sent a header value fetch refuses");
  if (kind === "token") expectCacheSound(cache, "after a device flow");
  else expectCacheUnchanged(cache, before, "a device flow that gave no token");
}
