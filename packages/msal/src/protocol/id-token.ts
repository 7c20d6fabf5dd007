/**
 * ID tokens (OpenID Connect Core §2, §3.1.3.7): reading their claims and checking the ones that
 * tie a token to this client, this authority and this sign-in.
 *
 * @module
 */
import { decodeJwt } from "jose";
import { IdTokenError, invalidArgType, invalidArgValue } from "../errors.js";

/** The claims of an ID token, as decoded. Entra's common claims are named; others are kept as sent. */
export interface IdTokenClaims {
  /** Issuer: the authority that issued the token, e.g. `https://login.microsoftonline.com/{tid}/v2.0`. */
  readonly iss?: string;
  /** Subject: the user's id at the issuer; Entra's is pairwise (each app sees its own value). */
  readonly sub?: string;
  /** Audience: the client id the token was issued to (OpenID Connect allows an array). */
  readonly aud?: string | readonly string[];
  /** Expiry, in epoch seconds. */
  readonly exp?: number;
  /** Not valid before, in epoch seconds. */
  readonly nbf?: number;
  /** Issued at, in epoch seconds. */
  readonly iat?: number;
  /** When the user last actively authenticated, in epoch seconds; checked against `max_age`. */
  readonly auth_time?: number;
  /** The nonce of the authorize request, echoed back to bind the token to that sign-in. */
  readonly nonce?: string;
  /** The tenant the user signed in to (for a guest, the resource tenant). */
  readonly tid?: string;
  /** The user's object id in that tenant. */
  readonly oid?: string;
  /** The user's sign-in name (usually an email address or UPN); what an account's `username` is taken from. */
  readonly preferred_username?: string;
  /** AD FS and v1 tokens name the user here. */
  readonly upn?: string;
  /** The user's display name. */
  readonly name?: string;
  readonly [claim: string]: unknown;
}

/** What {@link validateIdTokenClaims} checks the claims against. */
export interface IdTokenExpectations {
  /** The app's client id; `aud` must be it or, as an array, contain it (case-sensitive). */
  readonly clientId: string;
  /**
   * The `issuer` of the authority's metadata, when known. A multi-tenant document's
   * `{tenantid}` placeholder is replaced by the token's `tid`. Leave it out where the issuer may
   * legitimately differ from the metadata (some B2C, AD FS or generic OIDC setups); then `iss` is
   * not checked, as MSAL Python never checks it.
   */
  readonly issuer?: string | undefined;
  /**
   * The `nonce` value exactly as it went out on the authorize URL: the hex SHA-256 of the flow's
   * raw nonce for the auth code flow, the caller's own value for the older authorization URL.
   */
  readonly nonce?: string | undefined;
  /** The `max_age` the authorize request carried, in seconds; requires a fresh enough `auth_time`. */
  readonly maxAge?: number | undefined;
  /** The current time, in epoch seconds. */
  readonly now: number;
  /** How far clocks may disagree, in seconds. Default 120. */
  readonly skew?: number | undefined;
}

const DEFAULT_SKEW = 120;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A claim value fit for a message: claim values such as `iss` and `aud` are public identifiers, never secrets. */
function show(value: unknown): string {
  if (value === undefined) return "none";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function isoTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString();
}

/**
 * Reads the claims of an ID token. The signature is not verified: the token is taken only from the
 * token endpoint's response, which came straight from the authority over TLS, the case OpenID
 * Connect Core §3.1.3.7 lets a client rely on instead of the signature. An ID token from anywhere
 * else (a browser, a header) must not be trusted through this function.
 *
 * @param jwt The `id_token` of a token response.
 * @returns The payload's claims.
 * @throws {@link IdTokenError} (claim `id_token`) when the value is not a JWS-compact JWT whose
 *   payload is a JSON object. The message does not quote the token.
 */
export function decodeIdToken(jwt: string): IdTokenClaims {
  if (typeof jwt !== "string" || jwt === "") {
    throw new IdTokenError("id_token", "The id_token is missing or not a string; expected a JWT in compact serialization.");
  }
  try {
    return decodeJwt(jwt) as IdTokenClaims;
  } catch (cause) {
    throw new IdTokenError("id_token", "The id_token is not a decodable JWT; expected three base64url parts with a JSON object as payload.", {
      cause,
    });
  }
}

function expectedIssuer(template: string, claims: IdTokenClaims): string {
  if (!template.includes("{tenantid}")) return template;
  const tid = claims.tid;
  if (typeof tid !== "string" || tid === "") {
    throw new IdTokenError(
      "iss",
      `The authority's issuer is the multi-tenant template ${template}, but the id token has no tid claim to fill it with.`,
    );
  }
  return template.replaceAll("{tenantid}", tid);
}

function withoutTrailingSlash(s: string): string {
  return s.endsWith("/") ? s.slice(0, -1) : s;
}

function numericClaim(claims: IdTokenClaims, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new IdTokenError(name, `The id token's ${name} claim is not a number of epoch seconds (it is a ${v === null ? "null" : typeof v}).`);
  }
  return v;
}

/**
 * Checks an ID token's claims, in this order:
 * - `iss`, only when `issuer` is given: equal to it (with `{tenantid}` replaced by the token's
 *   `tid`), a trailing slash on either side ignored;
 * - `aud`: the client id, or an array holding it;
 * - `exp`: present, and later than `now − skew`;
 * - `nbf`, when present: no later than `now + skew`;
 * - `nonce`, when a nonce is expected: equal to it;
 * - `auth_time`, when `maxAge` is given: present, and `now − skew ≤ auth_time + maxAge`.
 *
 * @param claims Claims from {@link decodeIdToken}.
 * @param expected What they must match; see {@link IdTokenExpectations}.
 * @throws {@link IdTokenError} naming the first claim that fails, saying what was expected. Nonce
 *   values never appear in messages.
 * @throws TypeError for malformed `expected` values.
 */
export function validateIdTokenClaims(claims: IdTokenClaims, expected: IdTokenExpectations): void {
  if (!isRecord(claims)) throw invalidArgType("claims must be the object decodeIdToken returned");
  if (typeof expected.clientId !== "string" || expected.clientId === "") throw invalidArgValue("clientId must be a non-empty string");
  const { now } = expected;
  if (typeof now !== "number" || !Number.isFinite(now)) throw invalidArgType("now must be a number of epoch seconds");
  const skew = expected.skew ?? DEFAULT_SKEW;
  if (typeof skew !== "number" || !(skew >= 0)) throw invalidArgValue("skew must be a non-negative number of seconds");

  if (expected.issuer !== undefined && expected.issuer !== "") {
    const want = expectedIssuer(expected.issuer, claims);
    const iss = claims.iss;
    if (typeof iss !== "string" || withoutTrailingSlash(iss) !== withoutTrailingSlash(want)) {
      throw new IdTokenError("iss", `The id token's issuer ${show(iss)} is not the authority's issuer ${want}.`);
    }
  }

  const aud = claims.aud;
  const audOk = typeof aud === "string" ? aud === expected.clientId : Array.isArray(aud) && aud.includes(expected.clientId);
  if (!audOk) {
    throw new IdTokenError(
      "aud",
      `The id token's audience ${show(aud)} is not this app: expected the client id ${expected.clientId}. ` +
        "Was the token issued to another application?",
    );
  }

  const exp = numericClaim(claims, "exp");
  if (exp === undefined) throw new IdTokenError("exp", "The id token has no exp claim; every ID token must say when it expires.");
  if (!(exp > now - skew)) {
    throw new IdTokenError(
      "exp",
      `The id token expired at ${isoTime(exp)}, more than ${skew} s before now (${isoTime(now)}). ` +
        "If the token is fresh, check this machine's clock.",
    );
  }

  const nbf = numericClaim(claims, "nbf");
  if (nbf !== undefined && nbf > now + skew) {
    throw new IdTokenError(
      "nbf",
      `The id token is not valid before ${isoTime(nbf)}, more than ${skew} s after now (${isoTime(now)}). ` +
        "If the token is fresh, check this machine's clock.",
    );
  }

  if (expected.nonce !== undefined) {
    if (claims.nonce !== expected.nonce) {
      throw new IdTokenError(
        "nonce",
        claims.nonce === undefined
          ? "The id token has no nonce claim, but the authorization request sent one; the token does not belong to this sign-in."
          : "The id token's nonce is not the one the authorization request sent; the token does not belong to this sign-in (a replay?).",
      );
    }
  }

  if (expected.maxAge !== undefined) {
    const maxAge = expected.maxAge;
    if (typeof maxAge !== "number" || !(maxAge >= 0)) throw invalidArgValue("maxAge must be a non-negative number of seconds");
    const authTime = numericClaim(claims, "auth_time");
    if (authTime === undefined) {
      throw new IdTokenError("auth_time", "The id token has no auth_time claim, which max_age requires; the authority did not say when the user signed in.");
    }
    if (now - skew > authTime + maxAge) {
      throw new IdTokenError(
        "auth_time",
        `The user last signed in at ${isoTime(authTime)}, longer ago than max_age ${maxAge} s ` +
          `(plus ${skew} s of clock skew) before now (${isoTime(now)}); a fresh sign-in was expected.`,
      );
    }
  }
}
