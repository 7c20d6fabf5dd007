import assert from "node:assert/strict";
import { test } from "node:test";
import { createPkce, pkceChallenge } from "../../src/protocol/pkce.js";

test("pkceChallenge: RFC 7636 Appendix B vector", () => {
  assert.equal(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
});

test("createPkce: a 43-character verifier of unreserved characters, its S256 challenge", () => {
  for (let i = 0; i < 50; i++) {
    const p = createPkce();
    assert.equal(p.code_verifier.length, 43);
    assert.match(p.code_verifier, /^[A-Za-z0-9\-._~]{43}$/);
    assert.equal(p.code_challenge, pkceChallenge(p.code_verifier));
    assert.match(p.code_challenge, /^[A-Za-z0-9_-]{43}$/, "base64url without padding");
    assert.equal(p.code_challenge_method, "S256");
  }
});

test("createPkce: a fresh verifier every time", () => {
  const seen = new Set(Array.from({ length: 100 }, () => createPkce().code_verifier));
  assert.equal(seen.size, 100);
});

test("createPkce: the verifiers draw on the whole unreserved alphabet", () => {
  const used = new Set(Array.from({ length: 200 }, () => createPkce().code_verifier).join(""));
  // 8,600 draws from 66 characters: each one is missed with probability about 1e-57.
  assert.equal(used.size, 66);
});

const badVerifiers: { name: string; verifier: unknown }[] = [
  { name: "42 characters", verifier: "a".repeat(42) },
  { name: "129 characters", verifier: "a".repeat(129) },
  { name: "a reserved character", verifier: `${"a".repeat(42)}+` },
  { name: "a space", verifier: `${"a".repeat(42)} ` },
  { name: "not a string", verifier: 42 },
];
for (const c of badVerifiers) {
  test(`pkceChallenge refuses a verifier with ${c.name}`, () => {
    assert.throws(() => pkceChallenge(c.verifier as string), { name: "TypeError", code: "ERR_INVALID_ARG_VALUE" });
  });
}

test("pkceChallenge accepts 43 and 128 characters", () => {
  assert.doesNotThrow(() => pkceChallenge("~".repeat(43)));
  assert.doesNotThrow(() => pkceChallenge("-".repeat(128)));
});
