/**
 * Proof Key for Code Exchange (RFC 7636), always with the `S256` method.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { invalidArgValue } from "../errors.js";
import { randomString } from "./random.js";

/** The unreserved characters a code verifier is made of (RFC 7636 §4.1, RFC 3986 §2.3). */
const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/** The shortest verifier RFC 7636 allows; 43 characters of a 66-letter alphabet carry about 260 bits. */
const VERIFIER_LENGTH = 43;

const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** A PKCE pair: the verifier stays with the client; the challenge goes on the authorize URL. */
export interface Pkce {
  /** Sent only with the token request, which proves the same client started the flow. */
  readonly code_verifier: string;
  /** base64url (unpadded) SHA-256 of the verifier, sent on the authorize URL. */
  readonly code_challenge: string;
  readonly code_challenge_method: "S256";
}

/**
 * The `S256` code challenge of a verifier: base64url, without padding, of its SHA-256
 * (RFC 7636 §4.2).
 *
 * @param verifier A code verifier: 43 to 128 characters from `A-Z a-z 0-9 - . _ ~`.
 * @returns The 43-character challenge.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) for a verifier RFC 7636 §4.1 does not allow.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function pkceChallenge(verifier: string): string {
  if (typeof verifier !== "string" || !VERIFIER_SHAPE.test(verifier)) {
    throw invalidArgValue("a PKCE code verifier must be 43 to 128 characters from A-Z, a-z, 0-9, '-', '.', '_' and '~'");
  }
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/**
 * A fresh PKCE pair: a 43-character verifier from a cryptographic random source and its `S256`
 * challenge.
 *
 * @returns The verifier, its challenge and the method name.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function createPkce(): Pkce {
  const code_verifier = randomString(VERIFIER_LENGTH, UNRESERVED);
  return { code_verifier, code_challenge: pkceChallenge(code_verifier), code_challenge_method: "S256" };
}
