import { createHash } from "node:crypto";
import type { CodeChallenge } from "./authorization-codes.js";
import { invalidParameter } from "./errors.js";
import { sameSecret } from "./secrets.js";
import { pkceMismatch } from "./user-errors.js";

// Proof Key for Code Exchange (RFC 7636): the authorize request commits to a verifier, the code
// redemption reveals it.

/** RFC 7636 §4.1/§4.2: 43 to 128 characters of the unreserved set. */
const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * Reads an authorize request's `code_challenge` and `code_challenge_method` (absent method = `plain`).
 *
 * @returns undefined when the request does not use PKCE.
 * @throws EntraError invalid_request for a malformed challenge or an unknown method.
 */
export function readCodeChallenge(challenge: string | null, method: string | null): CodeChallenge | undefined {
  if (!challenge) {
    if (method) throw invalidParameter("code_challenge");
    return undefined;
  }
  const m = method || "plain";
  if (m !== "S256" && m !== "plain") throw invalidParameter("code_challenge_method");
  if (!PKCE_VALUE.test(challenge)) throw invalidParameter("code_challenge");
  return { value: challenge, method: m };
}

/**
 * Checks a redemption's `code_verifier` against the authorize request's challenge; without a
 * challenge any verifier is ignored.
 *
 * @throws EntraError invalid_grant AADSTS501481 when the verifier is missing, malformed or wrong.
 */
export function verifyCodeVerifier(challenge: CodeChallenge | undefined, verifier: string | null): void {
  if (!challenge) return;
  if (!verifier) throw pkceMismatch("The request has no code_verifier, but the authorization request sent a code_challenge.");
  if (!PKCE_VALUE.test(verifier)) throw pkceMismatch("The code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'.");
  const derived = challenge.method === "S256" ? createHash("sha256").update(verifier, "ascii").digest("base64url") : verifier;
  if (!sameSecret(derived, challenge.value)) throw pkceMismatch("The code_verifier does not derive the code_challenge.");
}
