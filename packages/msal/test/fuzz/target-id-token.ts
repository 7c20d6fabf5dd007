// ID tokens: decodeIdToken and validateIdTokenClaims on mutated JWTs (header, payload and
// signature mutations, missing or retyped claims, times on either side of the limits, segments
// that are not base64url JSON), then the same tokens in a token response.
import { Buffer } from "node:buffer";
import fc from "fast-check";
import { IdTokenError, MsalError } from "../../src/index.js";
import { hashNonce } from "../../src/protocol/index.js";
import { decodeIdToken, validateIdTokenClaims, type IdTokenClaims, type IdTokenExpectations } from "../../src/protocol/id-token.js";
import { editText, fromValue, mutate, mutationsArb, textEditArb, toText, type Mutation, type TextEdit } from "./json-mutation.js";
import {
  CLIENT_ID,
  FakeAuthority,
  GIVEN_REFRESH_TOKEN,
  ISSUER,
  TENANT,
  expectCacheSound,
  expectCacheUnchanged,
  expectTypedError,
  fixtureCache,
  judge,
  jsonAnswer,
  nowSeconds,
  publicApp,
  settle,
  settleSync,
  validUserTokenResponse,
  violation,
} from "./harness.js";

/** Seconds from now, kept well away from the validation limits (120 s of skew) so that a clock tick cannot flip a verdict. */
const OFFSETS = [-86_400, -3600, -300, -60, 60, 300, 3600, 86_400];
const offset = fc.constantFrom(...OFFSETS);

const CLAIM_KEYS = ["iss", "aud", "exp", "nbf", "iat", "auth_time", "nonce", "tid", "sub", "oid", "preferred_username", "upn", "name"];
const HEADER_KEYS = ["alg", "typ", "kid", "enc", "crit", "x5t"];

/** A change to the token's segments after the header and payload are built. */
export type SegmentEdit =
  | { readonly kind: "none" }
  | { readonly kind: "drop"; readonly at: number }
  | { readonly kind: "extra"; readonly text: string }
  | { readonly kind: "replace"; readonly at: number; readonly text: string }
  | { readonly kind: "standard-base64" }
  | { readonly kind: "padding" }
  | { readonly kind: "jwe" }
  | { readonly kind: "whole"; readonly edit: TextEdit };

const segmentEditArb: fc.Arbitrary<SegmentEdit> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("drop" as const), at: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("extra" as const), text: fc.constantFrom("", "x", "c2ln") }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      at: fc.nat(2),
      text: fc.oneof(fc.constantFrom("", "!!!", "e30", "W10", "bnVsbA", "MQ", "eyJhIjo", "%%%", "eyJ9", " "), fc.base64String({ maxLength: 12 })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "standard-base64" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "padding" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "jwe" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("whole" as const), edit: textEditArb }) },
);

/** Headers a token may come with: the usual one, unsigned, symmetric, encrypted, or hardly one at all. */
const HEADERS: ReadonlyArray<Record<string, unknown>> = [
  { typ: "JWT", alg: "RS256", kid: "k1" },
  { typ: "JWT", alg: "RS256", kid: "k1" },
  { typ: "JWT", alg: "none" },
  { typ: "JWT", alg: "HS256" },
  { alg: "RSA-OAEP", enc: "A256GCM" },
  { typ: "at+jwt", alg: "ES256", crit: ["exp"] },
  {},
];

/** How to make an ID token from the claims a case expects. */
export interface JwtRecipe {
  /** Which of {@link HEADERS}, before its mutations. */
  readonly headerChoice: number;
  readonly header: readonly Mutation[];
  readonly payload: readonly Mutation[];
  readonly payloadText: TextEdit;
  readonly segments: SegmentEdit;
  readonly times: { readonly exp: number; readonly nbf: number | undefined; readonly iat: number; readonly authTime: number };
}

/** Generates ID token recipes. */
export const jwtRecipeArb: fc.Arbitrary<JwtRecipe> = fc.record({
  headerChoice: fc.nat(HEADERS.length - 1),
  header: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: mutationsArb(HEADER_KEYS, 2) }),
  payload: mutationsArb(CLAIM_KEYS, 3),
  payloadText: fc.oneof({ weight: 10, arbitrary: fc.constant({ kind: "none" as const }) }, { weight: 1, arbitrary: textEditArb }),
  segments: segmentEditArb,
  times: fc.record({
    exp: fc.oneof({ weight: 3, arbitrary: fc.constant(3600) }, { weight: 2, arbitrary: offset }),
    nbf: fc.oneof({ weight: 3, arbitrary: fc.constant(-10) }, { weight: 1, arbitrary: offset }, { weight: 1, arbitrary: fc.constant(undefined) }),
    iat: fc.constant(-10),
    authTime: fc.oneof({ weight: 3, arbitrary: fc.constant(-10) }, { weight: 1, arbitrary: offset }),
  }),
});

const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64url");

/** The claims a correct token of this case would carry. */
function baseClaims(now: number, times: JwtRecipe["times"], nonce: string | undefined): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: CLIENT_ID,
    exp: now + times.exp,
    iat: now + times.iat,
    ...(times.nbf !== undefined ? { nbf: now + times.nbf } : {}),
    auth_time: now + times.authTime,
    tid: TENANT,
    sub: "subject-1",
    oid: "9a8b7c6d-0000-4000-8000-00000000a11c",
    preferred_username: "user@fuzz.test",
    ...(nonce !== undefined ? { nonce } : {}),
  };
}

/** Builds the token a recipe describes. */
export function buildJwt(recipe: JwtRecipe, now: number, nonce: string | undefined): string {
  const header = toText(mutate(fromValue(HEADERS[recipe.headerChoice] ?? {}), recipe.header));
  const payload = editText(toText(mutate(fromValue(baseClaims(now, recipe.times, nonce)), recipe.payload)), recipe.payloadText);
  const parts = [b64(header), b64(payload), "c2lnbmF0dXJl"];
  const s = recipe.segments;
  switch (s.kind) {
    case "none":
      return parts.join(".");
    case "drop":
      parts.splice(s.at, 1);
      return parts.join(".");
    case "extra":
      return [...parts, s.text].join(".");
    case "replace":
      parts[s.at] = s.text;
      return parts.join(".");
    case "standard-base64":
      return [header, payload].map((t) => Buffer.from(t).toString("base64")).concat("c2lnbmF0dXJl").join(".");
    case "padding":
      return parts.map((p) => p + "=".repeat((4 - (p.length % 4)) % 4)).join(".");
    case "jwe":
      return [parts[0], "", "aXY", parts[1], "dGFn"].join(".");
    case "whole":
      return editText(parts.join("."), s.edit);
  }
}

/**
 * The verdict the OpenID Connect rules give on decoded claims, written independently of the
 * library: `undefined` for a token to accept, else the claim that fails.
 */
export function oracleVerdict(claims: IdTokenClaims, expected: IdTokenExpectations): string | undefined {
  const { now } = expected;
  const skew = expected.skew ?? 120;
  const num = (name: string): number | undefined | "bad" => {
    if (!Object.hasOwn(claims, name) || claims[name] === undefined) return undefined;
    const v = claims[name];
    return typeof v === "number" && Number.isFinite(v) ? v : "bad";
  };
  if (expected.issuer) {
    let want = expected.issuer;
    if (want.includes("{tenantid}")) {
      if (typeof claims.tid !== "string" || claims.tid === "") return "iss";
      want = want.split("{tenantid}").join(claims.tid);
    }
    const strip = (s: string): string => s.replace(/\/$/, "");
    if (typeof claims.iss !== "string" || strip(claims.iss) !== strip(want)) return "iss";
  }
  const aud: unknown = claims.aud;
  if (!(aud === expected.clientId || (Array.isArray(aud) && aud.includes(expected.clientId)))) return "aud";
  const exp = num("exp");
  if (exp === undefined || exp === "bad" || !(exp > now - skew)) return "exp";
  const nbf = num("nbf");
  if (nbf === "bad" || (nbf !== undefined && nbf > now + skew)) return "nbf";
  if (expected.nonce !== undefined && claims.nonce !== expected.nonce) return "nonce";
  if (expected.maxAge !== undefined) {
    const authTime = num("auth_time");
    if (authTime === undefined || authTime === "bad" || now - skew > authTime + expected.maxAge) return "auth_time";
  }
  return undefined;
}

/** One case: an ID token recipe, and what it is checked against. */
export interface IdTokenCase {
  readonly jwt: JwtRecipe;
  readonly issuer: "exact" | "template" | "none" | "other";
  readonly nonce: boolean;
  readonly maxAge: number | undefined;
  readonly skew: number | undefined;
  /** The flow the token comes back through. */
  readonly via: "refresh" | "auth-code";
}

/** Generates cases. */
export const idTokenCaseArb: fc.Arbitrary<IdTokenCase> = fc.record({
  jwt: jwtRecipeArb,
  issuer: fc.constantFrom("exact", "exact", "template", "none", "other"),
  nonce: fc.boolean(),
  maxAge: fc.constantFrom(undefined, undefined, 0, 600, 86_400 * 2),
  skew: fc.constantFrom(undefined, undefined, 0, 600),
  via: fc.constantFrom("refresh", "auth-code"),
});

const NONCE = "n-0123456789abcdef";
const ISSUERS = {
  exact: ISSUER,
  template: ISSUER.replace(TENANT, "{tenantid}"),
  none: undefined,
  other: "https://login.fuzz.test/another-tenant/v2.0",
} as const;

/** The claims a decoded token must be: a plain object, with own members only. */
function expectPlainClaims(claims: unknown, what: string): asserts claims is IdTokenClaims {
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) throw violation(`${what} decoded to ${typeof claims}, not an object`);
}

/**
 * A token is decoded or refused with `IdTokenError`; its claims pass validation exactly when the
 * rules say they should; and in a token response, a token that fails leaves the cache untouched
 * while one that passes comes back as `id_token_claims`.
 */
export async function checkIdTokenCase(c: IdTokenCase): Promise<void> {
  // The pure functions, on a fixed clock.
  const NOW = 1_700_000_000;
  const jwt = buildJwt(c.jwt, NOW, c.nonce ? NONCE : undefined);
  const decoded = settleSync(() => decodeIdToken(jwt));
  if (!decoded.ok) {
    expectTypedError(decoded.error, "decodeIdToken");
    if (!(decoded.error instanceof IdTokenError)) throw violation("decodeIdToken refused a token with something other than IdTokenError", decoded.error);
  } else {
    expectPlainClaims(decoded.value, "decodeIdToken");
    const expected: IdTokenExpectations = {
      clientId: CLIENT_ID,
      issuer: ISSUERS[c.issuer],
      nonce: c.nonce ? NONCE : undefined,
      maxAge: c.maxAge,
      now: NOW,
      skew: c.skew,
    };
    const validated = settleSync(() => validateIdTokenClaims(decoded.value, expected));
    const verdict = oracleVerdict(decoded.value, expected);
    if (validated.ok) {
      if (verdict !== undefined) throw violation(`validateIdTokenClaims accepted a token whose ${verdict} is wrong`);
    } else {
      expectTypedError(validated.error, "validateIdTokenClaims");
      if (!(validated.error instanceof IdTokenError)) throw violation("validateIdTokenClaims refused claims with something other than IdTokenError", validated.error);
      if (verdict === undefined) throw violation(`validateIdTokenClaims refused a good token (claim ${validated.error.claim})`, validated.error);
    }
  }

  // The same recipe in a token response, on the real clock: the refresh token migration checks
  // issuer, audience and lifetime; the auth code flow also the nonce, and auth_time for max_age.
  const cache = fixtureCache();
  const authority = new FakeAuthority();
  const app = publicApp(authority, cache);
  const flow = c.via === "auth-code" ? await app.initiateAuthCodeFlow(["s1"], { state: "st-1", ...(c.maxAge !== undefined ? { maxAge: c.maxAge } : {}) }) : undefined;
  const nonce = flow === undefined ? undefined : hashNonce(flow.nonce);
  const now = nowSeconds();
  const token = buildJwt(c.jwt, now, c.nonce ? nonce : undefined);
  const before = cache.serialize();
  const answering = new FakeAuthority([jsonAnswer(200, { ...validUserTokenResponse(now), id_token: token })]);
  const redeemer = publicApp(answering, cache);
  const outcome = await settle(() =>
    flow === undefined
      ? redeemer.acquireTokenByRefreshToken(GIVEN_REFRESH_TOKEN, ["s1"])
      : redeemer.acquireTokenByAuthCodeFlow(flow, { state: "st-1", code: "code-1" }),
  );
  const what = flow === undefined ? "acquireTokenByRefreshToken" : "acquireTokenByAuthCodeFlow";
  const kind = judge(outcome, what);
  if (kind === "thrown" && !outcome.ok) {
    const e = outcome.error;
    const expectedKind = e instanceof IdTokenError || (e instanceof MsalError && e.code === "ERR_INVALID_RESPONSE");
    if (!expectedKind) throw violation(`${what} refused a bad ID token with an unexpected error`, e);
  }
  if (kind !== "token") {
    expectCacheUnchanged(cache, before, `${what} with a refused ID token`);
    return;
  }
  const result = (outcome as { value: Record<string, unknown> }).value;
  const claims = result["id_token_claims"];
  if (token !== "" && claims === undefined) throw violation(`${what} gave a token result with an ID token but no id_token_claims`);
  if (claims !== undefined) {
    expectPlainClaims(claims, "id_token_claims");
    const verdict = oracleVerdict(claims, { clientId: CLIENT_ID, issuer: ISSUER, nonce, maxAge: flow?.max_age, now: nowSeconds() });
    if (verdict !== undefined) throw violation(`${what} accepted a token response whose ID token's ${verdict} is wrong`);
  }
  expectCacheSound(cache, `after ${what}`);
}
