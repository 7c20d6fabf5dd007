// Token endpoint answers of every kind (mutated successes and errors, random JSON, truncated
// bodies, odd statuses and content types, transport failures) to acquireTokenForClient,
// acquireTokenByRefreshToken and the silent flow's refresh.
import fc from "fast-check";
import { SerializableTokenCache } from "../../src/index.js";
import {
  CLIENT_ID,
  FIXTURE_ACCOUNT,
  FakeAuthority,
  GIVEN_REFRESH_TOKEN,
  HOME_ACCOUNT_ID,
  HOST,
  TENANT,
  TOKEN_ENDPOINT,
  confidentialApp,
  expectCacheSound,
  expectCacheUnchanged,
  fixtureCache,
  fixtureCacheState,
  judge,
  nowSeconds,
  publicApp,
  settle,
  validAppTokenResponse,
  validUserTokenResponse,
  violation,
} from "./harness.js";
import { TOKEN_RESPONSE_KEYS, answerRecipeArb, buildAnswer, errorDocument, type AnswerRecipe } from "./wire-answers.js";

type Base = "app" | "user" | "error" | "both";
type Flow = "client" | "client-force" | "client-aging" | "refresh" | "silent" | "silent-aging";

/** One case: a flow, and what the token endpoint answers it. */
export interface TokenResponseCase {
  readonly flow: Flow;
  readonly answers: ReadonlyArray<AnswerRecipe<Base>>;
}

/** Generates cases. */
export const tokenResponseCaseArb: fc.Arbitrary<TokenResponseCase> = fc.record({
  flow: fc.constantFrom("client", "client-force", "client-aging", "refresh", "silent", "silent-aging"),
  answers: fc.array(answerRecipeArb(["app", "user", "user", "error", "both"] as const, [...TOKEN_RESPONSE_KEYS], { intact: 3 }), { minLength: 1, maxLength: 2 }),
});

/**
 * The fixture cache plus access tokens for `s1` (the app's own and the account's) that are past
 * their `refresh_on`: a call refreshes them, and falls back on them when the refresh fails.
 */
function agingCache(): SerializableTokenCache {
  const state = fixtureCacheState() as Record<string, Record<string, unknown>>;
  const now = nowSeconds();
  const aging = (home: string | null): Record<string, unknown> => ({
    credential_type: "AccessToken",
    secret: `at-aging-${home ?? "app"}`,
    home_account_id: home,
    environment: HOST,
    client_id: CLIENT_ID,
    realm: TENANT,
    target: "s1",
    token_type: "Bearer",
    cached_at: String(now - 3000),
    expires_on: String(now + 3000),
    extended_expires_on: String(now + 3000),
    refresh_on: String(now - 10),
  });
  state["AccessToken"] = { ...state["AccessToken"], "app-aging": aging(null), "user-aging": aging(HOME_ACCOUNT_ID) };
  const cache = new SerializableTokenCache();
  cache.deserialize(JSON.stringify(state));
  return cache;
}

function call(c: TokenResponseCase, authority: FakeAuthority, cache: SerializableTokenCache): Promise<unknown> {
  switch (c.flow) {
    case "client":
    case "client-aging":
      return confidentialApp(authority, cache).acquireTokenForClient(["s1"]);
    case "client-force":
      return confidentialApp(authority, cache).acquireTokenForClient(["s1"], { forceRefresh: true });
    case "refresh":
      return publicApp(authority, cache).acquireTokenByRefreshToken(GIVEN_REFRESH_TOKEN, ["s1"]);
    case "silent":
      return publicApp(authority, cache).acquireTokenSilentWithError(["s1"], FIXTURE_ACCOUNT, { forceRefresh: true });
    case "silent-aging":
      // Cache first: on the aging cache, a refresh of the aging token; elsewhere, a plain lookup.
      return publicApp(authority, cache).acquireTokenSilentWithError(["s1"], FIXTURE_ACCOUNT);
  }
}

/**
 * Whatever the token endpoint answers, the call resolves to a well-formed token or error result
 * or throws a typed error that quotes no secret; only a token result changes the cache, and then
 * the cache stays sound and a second call answers sanely.
 */
export async function checkTokenResponseCase(c: TokenResponseCase): Promise<void> {
  const now = nowSeconds();
  const documents: Record<Base, unknown> = {
    app: validAppTokenResponse(),
    user: validUserTokenResponse(now),
    error: errorDocument(),
    both: { ...errorDocument("interaction_required"), ...validUserTokenResponse(now) },
  };
  const answers = c.answers.map((a) => buildAnswer(a, documents));
  const aging = c.flow === "client-aging" || c.flow === "silent-aging";
  const cache = aging ? agingCache() : fixtureCache();
  const before = cache.serialize();
  const authority = new FakeAuthority(answers);
  const outcome = await settle(() => call(c, authority, cache));
  const kind = judge(outcome, c.flow);

  if (authority.posts.length > answers.length + 1) throw violation(`${c.flow} sent ${authority.posts.length} token requests for ${answers.length} answers`);
  if (authority.posts.some((p) => p.url !== TOKEN_ENDPOINT)) throw violation(`${c.flow} posted somewhere else than the token endpoint`);
  if (authority.invalidRequests > 0) throw violation(`${c.flow} sent a header value fetch refuses`);
  if (kind !== "token") {
    expectCacheUnchanged(cache, before, c.flow);
    return;
  }
  const result = (outcome as { value: { access_token: string } }).value;
  const answer = answers[authority.posts.length - 1];
  if (aging && result.access_token.startsWith("at-aging-")) {
    // The refresh failed and the aging token was handed out instead: nothing may have been written.
    expectCacheUnchanged(cache, before, `${c.flow} falling back on its aging token`);
    return;
  }
  if (answer === undefined || answer.status >= 300 || answer.fault !== undefined) {
    throw violation(`${c.flow} gave a token result for an answer with HTTP ${answer?.status ?? "none"}${answer?.fault ? ` (${answer.fault})` : ""}`);
  }
  expectCacheSound(cache, `after ${c.flow}`);
  // The cache now holds what the answer gave: reading it back (cache first) must work as well.
  const again: Flow = c.flow === "client-force" ? "client" : c.flow === "silent" ? "silent-aging" : c.flow;
  judge(await settle(() => call({ ...c, flow: again }, new FakeAuthority(), cache)), `${c.flow} again`);
  expectCacheSound(cache, `after ${c.flow} again`);
}
