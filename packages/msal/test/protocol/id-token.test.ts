import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { IdTokenError } from "../../src/errors.js";
import { decodeIdToken, validateIdTokenClaims } from "../../src/protocol/id-token.js";
import type { IdTokenClaims, IdTokenExpectations } from "../../src/protocol/id-token.js";

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const jwt = (payload: unknown): string => `${b64url({ alg: "RS256", typ: "JWT", kid: "k" })}.${b64url(payload)}.c2lnbmF0dXJl`;

const NOW = 1_700_000_000;
const CLIENT = "5e0f3c1a-b2d4-4e6f-8a9b-0c1d2e3f4a5b";
const TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ISSUER = `https://login.microsoftonline.com/${TID}/v2.0`;
const NONCE = "a".repeat(64);

const CLAIMS: IdTokenClaims = {
  iss: ISSUER,
  aud: CLIENT,
  exp: NOW + 3600,
  nbf: NOW - 60,
  iat: NOW - 60,
  tid: TID,
  sub: "subject",
  nonce: NONCE,
  auth_time: NOW - 100,
};
const EXPECTED: IdTokenExpectations = { clientId: CLIENT, issuer: ISSUER, nonce: NONCE, now: NOW };

type Case = {
  name: string;
  claims?: Record<string, unknown>;
  /** Claims to remove from the defaults. */
  drop?: string[];
  expected?: Partial<IdTokenExpectations>;
  /** The claim the IdTokenError names, or null for a token that passes. */
  fails: string | null;
};

const cases: Case[] = [
  { name: "a good token", fails: null },

  // iss
  { name: "iss from another tenant", claims: { iss: "https://login.microsoftonline.com/other/v2.0" }, fails: "iss" },
  { name: "iss from another host", claims: { iss: `https://evil.example/${TID}/v2.0` }, fails: "iss" },
  { name: "iss missing while an issuer is known", drop: ["iss"], fails: "iss" },
  { name: "iss with a trailing slash the metadata lacks", claims: { iss: `${ISSUER}/` }, fails: null },
  { name: "metadata issuer with a trailing slash the token lacks", expected: { issuer: `${ISSUER}/` }, fails: null },
  { name: "iss differing only in case", claims: { iss: ISSUER.toUpperCase() }, fails: "iss" },
  { name: "no issuer known: iss not checked", claims: { iss: "https://anything.example/" }, expected: { issuer: undefined }, fails: null },
  { name: "{tenantid} replaced by the token's tid", expected: { issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" }, fails: null },
  {
    name: "{tenantid} replaced by tid, which does not match iss",
    claims: { tid: "another-tenant" },
    expected: { issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" },
    fails: "iss",
  },
  { name: "{tenantid} with no tid in the token", drop: ["tid"], expected: { issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" }, fails: "iss" },

  // aud
  { name: "aud of another app", claims: { aud: "another-client" }, fails: "aud" },
  { name: "aud differing only in case", claims: { aud: CLIENT.toUpperCase() }, fails: "aud" },
  { name: "aud missing", drop: ["aud"], fails: "aud" },
  { name: "aud an array holding the client id", claims: { aud: ["api://other", CLIENT] }, fails: null },
  { name: "aud an array without the client id", claims: { aud: ["api://other", "another-client"] }, fails: "aud" },
  { name: "aud an empty array", claims: { aud: [] }, fails: "aud" },

  // exp, with the default skew of 120 s
  { name: "exp missing", drop: ["exp"], fails: "exp" },
  { name: "exp not a number", claims: { exp: String(NOW + 3600) }, fails: "exp" },
  { name: "exp 119 s ago: within the skew", claims: { exp: NOW - 119 }, fails: null },
  { name: "exp exactly 120 s ago: expired", claims: { exp: NOW - 120 }, fails: "exp" },
  { name: "exp an hour ago", claims: { exp: NOW - 3600 }, fails: "exp" },
  { name: "exp now, skew 0: expired", claims: { exp: NOW }, expected: { skew: 0 }, fails: "exp" },
  { name: "exp in 1 s, skew 0", claims: { exp: NOW + 1 }, expected: { skew: 0 }, fails: null },

  // nbf
  { name: "nbf absent", drop: ["nbf"], fails: null },
  { name: "nbf exactly 120 s ahead: within the skew", claims: { nbf: NOW + 120 }, fails: null },
  { name: "nbf 121 s ahead", claims: { nbf: NOW + 121 }, fails: "nbf" },
  { name: "nbf 1 s ahead, skew 0", claims: { nbf: NOW + 1 }, expected: { skew: 0 }, fails: "nbf" },
  { name: "nbf not a number", claims: { nbf: "soon" }, fails: "nbf" },

  // nonce
  { name: "nonce different", claims: { nonce: "b".repeat(64) }, fails: "nonce" },
  { name: "nonce missing while expected", drop: ["nonce"], fails: "nonce" },
  { name: "the raw nonce where its hash was sent", claims: { nonce: "rawnonce" }, expected: { nonce: "hash-of-rawnonce" }, fails: "nonce" },
  { name: "no nonce expected: the claim is not checked", claims: { nonce: "whatever" }, expected: { nonce: undefined }, fails: null },

  // max_age / auth_time
  { name: "max_age: auth_time missing", drop: ["auth_time"], expected: { maxAge: 3600 }, fails: "auth_time" },
  { name: "max_age: auth_time not a number", claims: { auth_time: "recently" }, expected: { maxAge: 3600 }, fails: "auth_time" },
  { name: "max_age: recent sign-in", claims: { auth_time: NOW - 100 }, expected: { maxAge: 3600 }, fails: null },
  { name: "max_age: exactly at the edge (now − skew = auth_time + max_age)", claims: { auth_time: NOW - 120 - 600 }, expected: { maxAge: 600 }, fails: null },
  { name: "max_age: 1 s past the edge", claims: { auth_time: NOW - 121 - 600 }, expected: { maxAge: 600 }, fails: "auth_time" },
  { name: "max_age 0 with a sign-in just now", claims: { auth_time: NOW }, expected: { maxAge: 0 }, fails: null },
  { name: "no max_age: auth_time not needed", drop: ["auth_time"], fails: null },
];

for (const c of cases) {
  test(`validateIdTokenClaims: ${c.name}`, () => {
    const claims: Record<string, unknown> = { ...CLAIMS, ...c.claims };
    for (const name of c.drop ?? []) delete claims[name];
    const expected = { ...EXPECTED, ...c.expected } as IdTokenExpectations;
    if (c.fails === null) {
      assert.doesNotThrow(() => validateIdTokenClaims(claims, expected));
      return;
    }
    assert.throws(
      () => validateIdTokenClaims(claims, expected),
      (e: unknown) => {
        assert.ok(e instanceof IdTokenError, `an IdTokenError, got ${String(e)}`);
        assert.equal(e.claim, c.fails);
        assert.equal(e.code, "ERR_ID_TOKEN");
        assert.ok(e.message.length > 20);
        // Nonce values are secrets of the sign-in; messages never carry them.
        for (const n of [NONCE, "b".repeat(64), "rawnonce", "hash-of-rawnonce"]) assert.ok(!e.message.includes(n));
        return true;
      },
    );
  });
}

test("validateIdTokenClaims: messages say what was expected", () => {
  assert.throws(() => validateIdTokenClaims({ ...CLAIMS, aud: "x" }, EXPECTED), (e: Error) => e.message.includes(CLIENT));
  assert.throws(() => validateIdTokenClaims({ ...CLAIMS, iss: "x" }, EXPECTED), (e: Error) => e.message.includes(ISSUER));
  assert.throws(
    () => validateIdTokenClaims({ ...CLAIMS, tid: "t2" }, { ...EXPECTED, issuer: "https://login.microsoftonline.com/{tenantid}/v2.0" }),
    (e: Error) => e.message.includes("https://login.microsoftonline.com/t2/v2.0"),
  );
});

test("validateIdTokenClaims: bad expectations are TypeErrors", () => {
  assert.throws(() => validateIdTokenClaims(CLAIMS, { ...EXPECTED, now: Number.NaN }), { name: "TypeError" });
  assert.throws(() => validateIdTokenClaims(CLAIMS, { ...EXPECTED, clientId: "" }), { name: "TypeError" });
  assert.throws(() => validateIdTokenClaims(CLAIMS, { ...EXPECTED, skew: -1 }), { name: "TypeError" });
  assert.throws(() => validateIdTokenClaims(CLAIMS, { ...EXPECTED, maxAge: -1 }), { name: "TypeError" });
  assert.throws(() => validateIdTokenClaims(null as unknown as IdTokenClaims, EXPECTED), { name: "TypeError" });
});

test("decodeIdToken: the payload's claims, signature not looked at", () => {
  assert.deepEqual(decodeIdToken(jwt(CLAIMS)), CLAIMS);
  assert.deepEqual(decodeIdToken(`${jwt({ sub: "s" }).split(".").slice(0, 2).join(".")}.`), { sub: "s" });
});

const malformed: { name: string; token: unknown }[] = [
  { name: "not a JWT", token: "not-a-jwt" },
  { name: "two parts", token: `${b64url({ alg: "none" })}.${b64url({ sub: "s" })}` },
  { name: "five parts (JWE)", token: "a.b.c.d.e" },
  { name: "payload not JSON", token: `${b64url({ alg: "none" })}.${Buffer.from("sub=s").toString("base64url")}.sig` },
  { name: "payload a JSON array", token: `${b64url({ alg: "none" })}.${b64url(["sub"])}.sig` },
  { name: "empty", token: "" },
  { name: "not a string", token: 42 },
];
for (const c of malformed) {
  test(`decodeIdToken refuses ${c.name} without quoting it`, () => {
    assert.throws(
      () => decodeIdToken(c.token as string),
      (e: unknown) => {
        assert.ok(e instanceof IdTokenError);
        assert.equal(e.claim, "id_token");
        if (typeof c.token === "string" && c.token) assert.ok(!e.message.includes(c.token));
        return true;
      },
    );
  });
}
