import assert from "node:assert/strict";
import { test } from "node:test";
import { hashNonce, randomNonce, randomState, randomString } from "../../src/protocol/random.js";

for (const [name, make] of [
  ["randomState", randomState],
  ["randomNonce", randomNonce],
] as const) {
  test(`${name}: 16 ASCII letters, fresh each time`, () => {
    const values = Array.from({ length: 100 }, make);
    for (const v of values) assert.match(v, /^[A-Za-z]{16}$/);
    assert.equal(new Set(values).size, 100);
  });
}

test("hashNonce: lowercase hex SHA-256 (FIPS 180-2 vectors)", () => {
  assert.equal(hashNonce("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(hashNonce(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("randomString: the requested length, only the alphabet, every character reachable", () => {
  const s = randomString(2000, "xyz");
  assert.equal(s.length, 2000);
  assert.match(s, /^[xyz]+$/);
  for (const ch of "xyz") assert.ok(s.includes(ch), `never drew ${ch}`);
});

test("randomString: an alphabet that does not divide 256 still draws evenly enough", () => {
  // 200 characters: bytes 200..255 must be thrown away, or the first 56 would come up twice as often.
  const alphabet = Array.from({ length: 200 }, (_, i) => String.fromCharCode(0x100 + i)).join("");
  const s = randomString(200_000, alphabet);
  let low = 0;
  for (const ch of s) if (ch.charCodeAt(0) - 0x100 < 56) low++;
  // Unbiased: 56/200 = 28 % (σ ≈ 0.1 %). Folding with % would give 112/256 ≈ 43.75 %.
  assert.ok(low / s.length > 0.26 && low / s.length < 0.3, `share of the first 56 characters: ${low / s.length}`);
});

test("randomString: refuses a bad length or alphabet", () => {
  assert.throws(() => randomString(0, "ab"), RangeError);
  assert.throws(() => randomString(1.5, "ab"), RangeError);
  assert.throws(() => randomString(4, "a"), RangeError);
});
