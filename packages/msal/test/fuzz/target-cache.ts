// SerializableTokenCache.deserialize on cache files: valid ones with fields removed or retyped,
// sections of the wrong shape, prototype keys, odd numbers, truncated or random text.
import fc from "fast-check";
import { cacheKeyFor } from "../../src/cache/index.js";
import { MsalError } from "../../src/index.js";
import { applyRecipe, documentRecipeArb, type DocumentRecipe } from "./json-mutation.js";
import {
  ACCESS_TOKEN,
  CLIENT_ID,
  FakeAuthority,
  HOME_ACCOUNT_ID,
  HOST,
  REFRESH_TOKEN,
  TENANT,
  confidentialApp,
  expectCacheSound,
  expectCacheUnchanged,
  expectTypedError,
  fixtureCache,
  judge,
  nowSeconds,
  publicApp,
  settle,
  settleSync,
  violation,
} from "./harness.js";

/** Mostly the value the applications look for, so that lookups find entries; now and then another. */
function mostly<T>(usual: T, ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...others) });
}

const environment = mostly(HOST, "login.microsoftonline.com", "LOGIN.FUZZ.TEST", "");
const clientId = mostly(CLIENT_ID, "other-client");
const realm = mostly(TENANT, "common", "organizations");
const home = mostly<string | null>(HOME_ACCOUNT_ID, "uid-2.utid-2", null, "");
const target = fc.constantFrom("s1", "s1 s2", "S1 other", "", "s2");

const seconds = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 600, max: 100_000 }).map((d) => String(nowSeconds() + d)) },
  { weight: 1, arbitrary: fc.integer({ min: -100_000, max: 600 }).map((d) => String(nowSeconds() + d)) },
  { weight: 1, arbitrary: fc.constantFrom("9999999999", "0", "1700000000", " 1700000000 ", "-1", "abc", "") },
);

const accessToken = fc.record(
  {
    credential_type: fc.constant("AccessToken"),
    secret: fc.constantFrom(ACCESS_TOKEN, "at-2"),
    home_account_id: fc.oneof(home, fc.constant(null)),
    environment,
    client_id: clientId,
    realm,
    target,
    token_type: mostly("Bearer", "bearer", "pop", "ssh-cert"),
    cached_at: seconds,
    expires_on: seconds,
    extended_expires_on: seconds,
    refresh_on: seconds,
    key_id: fc.constantFrom("k1", "k2"),
    userAssertionHash: fc.constantFrom("h1", "h2"),
  },
  { requiredKeys: ["credential_type", "secret", "home_account_id", "environment", "client_id", "realm", "target", "expires_on"] },
);

const refreshToken = fc.record(
  {
    credential_type: fc.constant("RefreshToken"),
    secret: fc.constantFrom(REFRESH_TOKEN, "rt-2"),
    home_account_id: home,
    environment,
    client_id: clientId,
    target,
    last_modification_time: seconds,
    family_id: fc.constantFrom("1", "", "2"),
  },
  { requiredKeys: ["credential_type", "secret", "home_account_id", "environment", "client_id"] },
);

const idTokenEntry = fc.record({
  credential_type: fc.constant("IdToken"),
  secret: fc.constantFrom("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "not-a-jwt"),
  home_account_id: home,
  environment,
  realm,
  client_id: clientId,
});

const account = fc.record(
  {
    home_account_id: home,
    environment,
    realm,
    local_account_id: fc.constantFrom("uid-1", null),
    username: fc.constantFrom("user@fuzz.test", "USER@fuzz.test", ""),
    authority_type: fc.constantFrom("MSSTS", "ADFS", "MSA", "Generic"),
    account_source: fc.constantFrom("authorization_code", "broker"),
  },
  { requiredKeys: ["home_account_id", "environment", "realm", "username", "authority_type"] },
);

const appMetadata = fc.record(
  { client_id: clientId, environment, family_id: fc.constantFrom("1", "", "2") },
  { requiredKeys: ["client_id", "environment"] },
);

/** Entries of a section under MSAL Python's keys, or now and then under another key. */
function section(section: Parameters<typeof cacheKeyFor>[0], entry: fc.Arbitrary<Record<string, unknown>>) {
  return fc.array(fc.tuple(entry, fc.option(fc.constantFrom("other-key", "1", "__proto__", "constructor", ""), { freq: 6 })), { maxLength: 3 }).map(
    (pairs) => {
      const out: Record<string, unknown> = {};
      for (const [e, key] of pairs) Object.defineProperty(out, key ?? cacheKeyFor(section, e), { value: e, enumerable: true, writable: true, configurable: true });
      return out;
    },
  );
}

const validCache = fc.record(
  {
    AccessToken: section("AccessToken", accessToken),
    RefreshToken: section("RefreshToken", refreshToken),
    IdToken: section("IdToken", idTokenEntry),
    Account: section("Account", account),
    AppMetadata: section("AppMetadata", appMetadata),
    MsalExtension: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

const CACHE_KEYS = [
  "AccessToken",
  "RefreshToken",
  "IdToken",
  "Account",
  "AppMetadata",
  "credential_type",
  "secret",
  "home_account_id",
  "environment",
  "client_id",
  "realm",
  "target",
  "token_type",
  "expires_on",
  "cached_at",
  "extended_expires_on",
  "refresh_on",
  "key_id",
  "family_id",
  "last_modification_time",
  "username",
  "authority_type",
  "local_account_id",
  "userAssertionHash",
];

/** What a case tries on the cache once it loaded. */
interface Probe {
  readonly scopes: readonly string[];
  readonly forceRefresh: boolean;
}

/** One case: a cache file made from a valid one, and what is looked up in it. */
export interface CacheCase {
  readonly valid: Record<string, unknown>;
  readonly recipe: DocumentRecipe;
  readonly probe: Probe;
}

/** Generates cases. */
export const cacheCaseArb: fc.Arbitrary<CacheCase> = fc.record({
  valid: validCache,
  recipe: documentRecipeArb(CACHE_KEYS),
  probe: fc.record({ scopes: fc.constantFrom(["s1"], ["s1", "s2"], ["S1"], ["other"]), forceRefresh: fc.boolean() }),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A load either replaces the cache with exactly the document it was given (unknown parts kept
 * verbatim), or throws `ERR_CACHE_FORMAT` and leaves the cache as it was. A loaded cache saves and
 * loads back unchanged, and its lookups through the applications answer without untyped errors.
 */
export async function checkCacheCase(c: CacheCase): Promise<void> {
  const blob = applyRecipe(c.valid, c.recipe);
  const cache = fixtureCache();
  const before = cache.serialize();
  const loaded = settleSync(() => cache.deserialize(blob));
  if (!loaded.ok) {
    expectTypedError(loaded.error, "deserialize");
    if (!(loaded.error instanceof MsalError) || loaded.error.code !== "ERR_CACHE_FORMAT") {
      throw violation("deserialize refused a string with an error other than ERR_CACHE_FORMAT", loaded.error);
    }
    if (cache.hasStateChanged) throw violation("a refused deserialize marked the cache as changed");
    expectCacheUnchanged(cache, before, "a refused deserialize");
    return;
  }
  const parsed = settleSync((): unknown => (blob === "" ? {} : JSON.parse(blob)));
  if (!parsed.ok || !isRecord(parsed.value)) throw violation("deserialize accepted a document that is not a JSON object");
  if (cache.serialize() !== JSON.stringify(parsed.value)) throw violation("deserialize did not keep the document verbatim");
  expectCacheSound(cache, "after deserialize");

  const authority = new FakeAuthority();
  const pca = publicApp(authority, cache);
  const listed = await settle(() => pca.getAccounts());
  if (!listed.ok) {
    expectTypedError(listed.error, "getAccounts");
  } else {
    for (const a of listed.value.slice(0, 2)) {
      judge(await settle(() => pca.acquireTokenSilentWithError(c.probe.scopes, a, { forceRefresh: c.probe.forceRefresh })), "acquireTokenSilentWithError");
    }
    const first = listed.value[0];
    if (first !== undefined) {
      const removed = await settle(() => pca.removeAccount(first));
      if (!removed.ok) expectTypedError(removed.error, "removeAccount");
    }
  }
  judge(await settle(() => confidentialApp(authority, cache).acquireTokenForClient(c.probe.scopes)), "acquireTokenForClient");
  const direct = settleSync(() => {
    cache.findAccessToken({ home_account_id: HOME_ACCOUNT_ID, environment: HOST, client_id: CLIENT_ID, realm: TENANT, scopes: c.probe.scopes });
    cache.findRefreshTokens({ home_account_id: HOME_ACCOUNT_ID, environment: HOST, client_id: CLIENT_ID });
    cache.findIdToken({ home_account_id: HOME_ACCOUNT_ID, environment: HOST, realm: TENANT, client_id: CLIENT_ID });
    cache.getAppMetadata(CLIENT_ID, HOST);
    cache.getAccounts();
    cache.count();
  });
  if (!direct.ok) expectTypedError(direct.error, "a TokenCache lookup");
  if (authority.invalidRequests > 0) throw violation("a lookup sent a request with header values fetch refuses");
  expectCacheSound(cache, "after lookups");
}
