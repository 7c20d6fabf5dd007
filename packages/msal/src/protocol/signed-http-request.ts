/**
 * Proof-of-possession wire work: the key a PoP token is bound to, the `req_cnf` that asks the
 * authority to bind it, and the Signed HTTP Request (SHR) that presents the token to a resource.
 *
 * The formats are those the Microsoft identity platform and its MSALs use:
 * - `req_cnf` is base64url of the JSON `{"kid": "<thumbprint>"}`, the thumbprint being the RFC 7638
 *   SHA-256 JWK thumbprint of the public key, base64url. MSAL.NET sends exactly this ("the only one
 *   of the JWK forms the service supports"); MSAL JS adds `"xms_ksl": "sw"` to the same object.
 *   The authority copies the `kid` into the access token's `cnf` claim.
 * - The SHR is a JWS (draft-ietf-oauth-signed-http-request) with the header `{"typ": "pop",
 *   "alg", "kid": <thumbprint>}` and the claims `at` (the access token), `ts` (epoch seconds), `m`
 *   (HTTP method), `u` (host, with a port when not the default), `p` (path), `nonce` and
 *   `cnf: {"jwk": <public key>}`. The resource checks the signature with `cnf.jwk`, that the
 *   thumbprint of `cnf.jwk` is the `kid` in the access token's `cnf`, and `m`, `u`, `p`, `nonce`
 *   and `ts` against the request it received. No `q` or `h` (query and header hashes) is sent,
 *   as neither MSAL.NET nor MSAL Python's broker send them.
 *
 * @module
 */
import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject, sign } from "node:crypto";
import type { JsonWebKey } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { invalidArgType, invalidArgValue } from "../errors.js";

/** The JWS algorithms a PoP key signs with: RS256 for RSA keys (what MSALs use), ES256 for P-256. */
export type PopSigningAlgorithm = "RS256" | "ES256";

/** A private key to bind PoP tokens to: a `KeyObject`, or a private JWK (with `d`). */
export type PopKeyInput = KeyObject | JsonWebKey;

/** A PoP key ready to use: the private key, its public JWK, its thumbprint and `req_cnf`. */
export interface PopSigningKey {
  readonly privateKey: KeyObject;
  readonly alg: PopSigningAlgorithm;
  /** The public key's required JWK members only (RFC 7638 §3.2), as `cnf.jwk` carries it. */
  readonly publicJwk: Readonly<Record<string, string>>;
  /** The base64url SHA-256 JWK thumbprint: the `kid` of `req_cnf`, of the SHR header, and the cache's `key_id`. */
  readonly kid: string;
  /** The `req_cnf` body parameter of the token request. */
  readonly reqCnf: string;
}

/** What one Signed HTTP Request is for. */
export interface SignedHttpRequestParams {
  /** The PoP access token the authority issued (bound to `key`). */
  readonly accessToken: string;
  /** The HTTP method of the resource request, upper case. */
  readonly method: string;
  /** The resource request's URL (its host and path are signed). */
  readonly url: string | URL;
  /** The resource's nonce. */
  readonly nonce: string;
  readonly key: PopSigningKey;
  /** The `ts` claim, epoch seconds; the system clock by default. */
  readonly now?: number;
}

/** The members RFC 7638 hashes, per key type, in the lexicographic order it prescribes. */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ["e", "kty", "n"],
  EC: ["crv", "kty", "x", "y"],
};

function algorithmOf(key: KeyObject): PopSigningAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === "rsa") {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw invalidArgValue(`a PoP RSA key needs 2048 bits or more, got ${bits}`);
    return "RS256";
  }
  if (type === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  throw invalidArgValue(`a PoP key must be an RSA key (RS256) or an EC P-256 key (ES256), got ${type ?? "an unknown"} key`);
}

function toPrivateKey(input: PopKeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== "private") throw invalidArgValue("a PoP key must be a private key (the public one is derived from it)");
    return input;
  }
  if (typeof input !== "object" || input === null) throw invalidArgType("a PoP key must be a KeyObject or a private JWK");
  if (typeof input.d !== "string") throw invalidArgValue("a PoP key given as a JWK must be a private JWK (with \"d\")");
  try {
    return createPrivateKey({ key: input, format: "jwk" });
  } catch (cause) {
    throw Object.assign(invalidArgValue("the PoP key JWK cannot be read as a private key"), { cause });
  }
}

/**
 * Checks a PoP key and computes what binding tokens to it needs: its algorithm, public JWK,
 * thumbprint and `req_cnf`.
 *
 * @param input A private `KeyObject` or private JWK: RSA of 2048 bits or more, or EC P-256.
 * @returns The key ready to sign SHRs.
 * @throws TypeError for a public, symmetric, too small or otherwise unusable key.
 */
export async function preparePopKey(input: PopKeyInput): Promise<PopSigningKey> {
  const privateKey = toPrivateKey(input);
  const alg = algorithmOf(privateKey);
  const exported = createPublicKey(privateKey).export({ format: "jwk" }) as Record<string, unknown>;
  const kty = String(exported.kty);
  const publicJwk: Record<string, string> = {};
  for (const member of REQUIRED_MEMBERS[kty] ?? []) publicJwk[member] = String(exported[member]);
  const kid = await calculateJwkThumbprint(publicJwk, "sha256");
  return { privateKey, alg, publicJwk, kid, reqCnf: requestConfirmation(kid) };
}

/**
 * Generates a fresh PoP key: RSA 2048 (RS256), as MSALs use.
 *
 * @returns The private key.
 */
export function generatePopKey(): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", { modulusLength: 2048 }, (err, _publicKey, privateKey) => (err ? reject(err) : resolve(privateKey)));
  });
}

/**
 * The `req_cnf` token request parameter for a key thumbprint: base64url of `{"kid": thumbprint}`.
 *
 * @param kid The key's base64url JWK thumbprint.
 * @returns The parameter value.
 */
export function requestConfirmation(kid: string): string {
  return Buffer.from(JSON.stringify({ kid }), "utf8").toString("base64url");
}

const b64json = (value: unknown): string => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

/**
 * Signs an HTTP request with a PoP key: the token to send as `Authorization: PoP <shr>`.
 *
 * @param params The access token, the request's method, URL and nonce, the key, and the clock.
 * @returns The SHR, a compact JWS.
 * @throws TypeError for a URL that cannot be parsed.
 */
export function signHttpRequest(params: SignedHttpRequestParams): string {
  let url: URL;
  try {
    url = typeof params.url === "string" ? new URL(params.url) : params.url;
  } catch (cause) {
    throw Object.assign(invalidArgValue("the PoP request URL must be an absolute URL"), { cause });
  }
  const { key } = params;
  const header = { typ: "pop", alg: key.alg, kid: key.kid };
  const payload = {
    at: params.accessToken,
    ts: Math.floor(params.now ?? Date.now() / 1000),
    m: params.method,
    u: url.host,
    p: url.pathname,
    nonce: params.nonce,
    cnf: { jwk: key.publicJwk },
  };
  const signingInput = `${b64json(header)}.${b64json(payload)}`;
  const signature =
    key.alg === "ES256"
      ? sign("sha256", Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: "ieee-p1363" })
      : sign("sha256", Buffer.from(signingInput), key.privateKey);
  return `${signingInput}.${signature.toString("base64url")}`;
}
