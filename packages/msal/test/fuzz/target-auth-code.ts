// acquireTokenByAuthCodeFlow with what a browser may bring back to the redirect URI: the right or
// a wrong state (missing, altered, repeated, not a string), a code or an error, extra and
// prototype keys, non-string values, as a parsed object or as URLSearchParams; now and then a
// flow that was altered in the session store.
import { Buffer } from "node:buffer";
import fc from "fast-check";
import type { AuthCodeFlow, AuthResponse } from "../../src/index.js";
import { hashNonce } from "../../src/protocol/index.js";
import { fromValue, mutate, mutationsArb, toText, type JsonNode, type Mutation } from "./json-mutation.js";
import {
  AUTH_CODE,
  CLIENT_INFO,
  FakeAuthority,
  TOKEN_ENDPOINT,
  UID,
  UTID,
  asSent,
  confidentialApp,
  expectCacheSound,
  expectCacheUnchanged,
  fixtureCache,
  judge,
  nowSeconds,
  publicApp,
  settle,
  validUserTokenResponse,
  violation,
} from "./harness.js";
import { TOKEN_RESPONSE_KEYS, answerRecipeArb, buildAnswer, errorDocument, type AnswerRecipe } from "./wire-answers.js";

/** The state every case's flow is started with (a caller may choose its own). */
const STATE = "st-Qm9vQmFyQmF6UXV4";

const STATE_CHOICES = {
  same: [fromValue(STATE)],
  missing: [],
  empty: [fromValue("")],
  other: [fromValue("st-AAAAAAAAAAAAAAAA")],
  prefix: [fromValue(STATE.slice(0, -1))],
  extended: [fromValue(`${STATE}x`)],
  upper: [fromValue(STATE.toUpperCase())],
  padded: [fromValue(` ${STATE}`)],
  twice: [fromValue(STATE), fromValue(STATE)],
  "twice-other": [fromValue(STATE), fromValue("st-other")],
  array: [fromValue([STATE])],
  number: [fromValue(1)],
  null: [fromValue(null)],
  object: [fromValue({ state: STATE })],
} satisfies Record<string, JsonNode[]>;
type StateChoice = keyof typeof STATE_CHOICES;

const RESPONSE_KEYS = ["state", "code", "client_info", "session_state", "error", "error_description", "error_uri", "id_token"];
const FLOW_KEYS = ["auth_uri", "state", "redirect_uri", "scope", "code_verifier", "nonce", "claims_challenge", "max_age", "response_mode"];

/** One case: a redirect to the redirect URI, and the token endpoint's answer. */
export interface AuthCodeCase {
  readonly state: StateChoice;
  /** What the redirect carries besides `state`. */
  readonly kind: "code" | "error" | "both" | "neither";
  readonly mutations: readonly Mutation[];
  readonly form: "object" | "params" | "null-prototype" | "string" | "null" | "array";
  readonly flowMutations: readonly Mutation[];
  /** How the redirect's client_info (base64url JSON of `uid` and `utid`) is altered inside. */
  readonly clientInfo: readonly Mutation[];
  readonly maxAge: number | undefined;
  readonly confidential: boolean;
  readonly answer: AnswerRecipe<"token" | "error">;
}

/** Generates cases. */
export const authCodeCaseArb: fc.Arbitrary<AuthCodeCase> = fc.record({
  state: fc.oneof(
    { weight: 6, arbitrary: fc.constant("same" as const) },
    { weight: 4, arbitrary: fc.constantFrom(...(Object.keys(STATE_CHOICES) as StateChoice[])) },
  ),
  kind: fc.constantFrom("code", "code", "code", "error", "both", "neither"),
  mutations: mutationsArb(RESPONSE_KEYS, 3),
  form: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom("object", "object", "params", "null-prototype") },
    { weight: 1, arbitrary: fc.constantFrom("string", "null", "array") },
  ),
  flowMutations: fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: mutationsArb(FLOW_KEYS, 2) }),
  clientInfo: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: mutationsArb(["uid", "utid"], 2) }),
  maxAge: fc.constantFrom(undefined, undefined, 0, 3600),
  confidential: fc.boolean(),
  answer: answerRecipeArb(["token", "token", "token", "error"] as const, [...TOKEN_RESPONSE_KEYS], { intact: 6 }),
});

/** The redirect's fields as a JSON tree, with the state entries the case chose. */
function responseTree(c: AuthCodeCase): JsonNode {
  const entries: Array<[string, JsonNode]> = STATE_CHOICES[c.state].map((v) => ["state", v]);
  const clientInfo = c.clientInfo.length === 0 ? CLIENT_INFO : Buffer.from(toText(mutate(fromValue({ uid: UID, utid: UTID }), c.clientInfo))).toString("base64url");
  if (c.kind === "code" || c.kind === "both") entries.push(["code", fromValue(AUTH_CODE)], ["client_info", fromValue(clientInfo)]);
  if (c.kind === "error" || c.kind === "both") entries.push(["error", fromValue("access_denied")], ["error_description", fromValue("AADSTS65004: declined")]);
  entries.push(["session_state", fromValue("00000000-0000-0000-0000-00000000abcd")]);
  return mutate({ t: "obj", entries }, c.mutations);
}

/** A form body as a web framework would hand it over: one value per occurrence, repeats kept. */
function toParams(node: JsonNode): URLSearchParams {
  const params = new URLSearchParams();
  if (node.t !== "obj") return params;
  for (const [key, value] of node.entries) {
    const items = value.t === "arr" ? value.items : [value];
    for (const item of items) params.append(key, item.t === "lit" && item.text.startsWith("\"") ? (JSON.parse(item.text) as string) : toText(item));
  }
  return params;
}

function authResponseOf(c: AuthCodeCase): unknown {
  const tree = responseTree(c);
  switch (c.form) {
    case "params":
      return toParams(tree);
    case "object":
      return JSON.parse(toText(tree));
    case "null-prototype":
      return Object.assign(Object.create(null) as object, JSON.parse(toText(tree)) as object);
    case "string":
      return toParams(tree).toString();
    case "null":
      return null;
    case "array":
      return [JSON.parse(toText(tree))];
  }
}

/** The one `state` a redirect carries, by the reading a correct check must make; `undefined` for none or several. */
function soleState(response: unknown): unknown {
  if (response instanceof URLSearchParams) {
    const all = response.getAll("state");
    return all.length === 1 ? all[0] : undefined;
  }
  if (typeof response !== "object" || response === null || Array.isArray(response)) return undefined;
  return Object.hasOwn(response, "state") ? (response as Record<string, unknown>)["state"] : undefined;
}

/**
 * The redemption never sends a request unless the redirect's state is the flow's; what it sends
 * is the redirect's code with the flow's verifier; a refusal writes nothing to the cache; and every
 * outcome is a result or a typed error.
 */
export async function checkAuthCodeCase(c: AuthCodeCase): Promise<void> {
  const cache = fixtureCache();
  const fresh = new FakeAuthority();
  const app = c.confidential ? confidentialApp(fresh, cache) : publicApp(fresh, cache);
  const started = await app.initiateAuthCodeFlow(["s1"], {
    redirectUri: "http://localhost:8400/callback",
    state: STATE,
    ...(c.maxAge !== undefined ? { maxAge: c.maxAge } : {}),
  });
  const flow: unknown = c.flowMutations.length > 0 ? JSON.parse(toText(mutate(fromValue(started), c.flowMutations))) : started;
  const flowState = typeof flow === "object" && flow !== null ? (flow as Record<string, unknown>)["state"] : undefined;
  const flowVerifier = typeof flow === "object" && flow !== null ? (flow as Record<string, unknown>)["code_verifier"] : undefined;
  const before = cache.serialize();

  const documents = {
    token: validUserTokenResponse(nowSeconds(), hashNonce(started.nonce)),
    error: errorDocument(),
  };
  const authority = new FakeAuthority([buildAnswer(c.answer, documents)]);
  const redeemer = c.confidential ? confidentialApp(authority, cache) : publicApp(authority, cache);
  const response = authResponseOf(c);
  const outcome = await settle(() => redeemer.acquireTokenByAuthCodeFlow(flow as unknown as AuthCodeFlow, response as AuthResponse));
  const kind = judge(outcome, "acquireTokenByAuthCodeFlow");

  const state = soleState(response);
  const stateMatches = typeof flowState === "string" && flowState !== "" && state === flowState;
  if (!stateMatches) {
    if (authority.posts.length > 0) throw violation("a code was redeemed although the redirect's state is not the flow's");
    if (kind !== "thrown") throw violation(`a redirect whose state is not the flow's gave a ${kind} result instead of an error`);
  }
  if (authority.posts.length > 1) throw violation(`one redemption sent ${authority.posts.length} token requests`);
  const post = authority.posts[0];
  if (post !== undefined) {
    const code = response instanceof URLSearchParams ? response.get("code") : (response as Record<string, unknown>)["code"];
    if (post.url !== TOKEN_ENDPOINT) throw violation(`the code went to ${post.url}`);
    if (asSent(code) === undefined || post.form.get("code") !== asSent(code)) throw violation("the code redeemed is not the one the redirect carried");
    if (post.form.get("code_verifier") !== asSent(flowVerifier)) throw violation("the code was redeemed without the flow's PKCE verifier");
    if (post.form.get("grant_type") !== "authorization_code") throw violation("the redemption is not an authorization_code grant");
  }
  if (kind === "error" && post === undefined && outcome.ok) {
    const error = (outcome.value as { error: string }).error;
    const sent = response instanceof URLSearchParams ? response.get("error") : (response as Record<string, unknown>)["error"];
    if (error !== sent) throw violation(`the redirect's error ${String(sent)} came back as ${error}`);
  }
  if (authority.invalidRequests > 0) throw violation("the redemption sent a header value fetch refuses");
  if (kind === "token") expectCacheSound(cache, "after a redemption");
  else expectCacheUnchanged(cache, before, "a refused redirect or redemption");
}
