/**
 * Unguessable values for the authorization request: `state` (RFC 6749 §10.12), `nonce`
 * (OpenID Connect Core §3.1.2.1), and the alphabet-constrained strings PKCE builds on.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** How many letters `state` and `nonce` get: 16 letters carry about 91 bits. */
const STATE_LENGTH = 16;

/**
 * A string of `length` characters drawn uniformly from `alphabet` with a cryptographic random
 * source. Bytes that would bias the draw (those at or above the largest multiple of the alphabet's
 * size) are thrown away rather than folded in with `%`.
 *
 * @param length How many characters, at least 1.
 * @param alphabet The characters to draw from: 2 to 256 of them, each distinct.
 * @returns The random string.
 */
export function randomString(length: number, alphabet: string): string {
  if (!Number.isInteger(length) || length < 1) throw new RangeError("length must be a positive integer");
  const size = alphabet.length;
  if (size < 2 || size > 256) throw new RangeError("alphabet must hold 2 to 256 characters");
  const limit = 256 - (256 % size);
  let out = "";
  while (out.length < length) {
    // Ask for a little more than needed so one batch nearly always suffices.
    for (const byte of randomBytes(length - out.length + 8)) {
      if (byte >= limit) continue;
      out += alphabet[byte % size];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A fresh `state` for an authorization request: 16 random ASCII letters. The flow keeps it, and
 * the response must bring it back unchanged, which ties the response to this browser session.
 */
export function randomState(): string {
  return randomString(STATE_LENGTH, LETTERS);
}

/**
 * A fresh OpenID Connect nonce: 16 random ASCII letters. The flow keeps this raw value; the
 * authorize URL carries {@link hashNonce} of it, and the ID token must echo that hash.
 */
export function randomNonce(): string {
  return randomString(STATE_LENGTH, LETTERS);
}

/**
 * The value sent as `nonce` on the authorize URL for a flow's raw nonce: the lowercase hex SHA-256
 * of it, as MSAL Python sends. The raw value stays in the flow (on the server side), so a nonce
 * seen in the browser's address bar cannot be replayed as the secret itself.
 *
 * @param nonce The raw nonce kept in the flow.
 * @returns 64 lowercase hex digits; the ID token's `nonce` claim must equal them.
 */
export function hashNonce(nonce: string): string {
  return createHash("sha256").update(nonce, "utf8").digest("hex");
}
