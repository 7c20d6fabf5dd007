import { X509Certificate } from "node:crypto";
import { compactVerify, decodeProtectedHeader } from "jose";
import type { ProtectedHeaderParameters } from "jose";
import type { App, TrustedIssuer } from "./directory.js";
import {
  EntraError,
  assertionClientMismatch,
  assertionInvalid,
  assertionNotInTimeRange,
  assertionReplayed,
  assertionSignatureInvalid,
} from "./errors.js";
import type { ReplayCache } from "./replay-cache.js";
import { canonicalDistinguishedName } from "./x509.js";

// Certificate client assertions (private_key_jwt), as Entra validates them (authority-wire-format §1.4):
// RS256/PS256, the key named by x5t / x5t#S256 among the app's certificates or carried in x5c and
// chained to a trusted issuer (subject name + issuer), aud = the token endpoint, iss = sub = client id.

/** The `client_assertion_type` for JWT client assertions (RFC 7523). */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Clock skew tolerated on `exp` and `nbf`, seconds. */
const CLOCK_SKEW = 300;

const ALGORITHMS = ["RS256", "PS256"];

/** How the signing certificate was established. */
export type AssertionCertificateMatch = "thumbprint" | "subject-name-issuer";

/** Inputs for {@link verifyClientAssertion}. */
export interface AssertionCheck {
  readonly app: App;
  /** Accepted `aud` values, lower-case. */
  readonly audiences: readonly string[];
  readonly now: number;
  readonly replay: ReplayCache;
}

function base64urlOf(thumbprint: string): string {
  return thumbprint.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
}

function findRegistered(app: App, header: ProtectedHeaderParameters): X509Certificate | undefined {
  const s256 = header["x5t#S256"];
  if (typeof s256 === "string") {
    const match = app.certificates.find((c) => c.x5tS256 === base64urlOf(s256));
    if (match) return match.certificate;
  }
  if (typeof header.x5t === "string") {
    const x5t = header.x5t;
    const match = app.certificates.find((c) => c.x5t === base64urlOf(x5t));
    if (match) return match.certificate;
  }
  return undefined;
}

function parseX5c(x5c: unknown): X509Certificate[] {
  if (!Array.isArray(x5c) || x5c.length === 0) throw assertionInvalid("The 'x5c' header must be a non-empty array.");
  return x5c.map((item: unknown) => {
    if (typeof item !== "string") throw assertionInvalid("Each 'x5c' entry must be a base64 DER certificate.");
    // MSAL Python copies the PEM body, line breaks included, into x5c; tolerate PEM armour too.
    const base64 = item.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
    try {
      return new X509Certificate(Buffer.from(base64, "base64"));
    } catch {
      throw assertionInvalid("An 'x5c' entry is not a certificate.");
    }
  });
}

function withinValidity(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) / 1000 <= now + CLOCK_SKEW && now - CLOCK_SKEW <= Date.parse(cert.validTo) / 1000;
}

function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}

/** Walks x5c from the leaf to a trusted issuer; returns the leaf when the chain and subject check out. */
function findBySubjectAndIssuer(app: App, x5c: unknown, now: number): X509Certificate {
  const chain = parseX5c(x5c);
  const leaf = chain[0];
  if (!leaf) throw assertionInvalid("The 'x5c' header is empty.");
  const subject = canonicalDistinguishedName(leaf.subject);
  const trusts = app.trustedIssuers.filter((t) => t.subject === subject);
  if (trusts.length === 0) {
    throw assertionSignatureInvalid(
      `The certificate subject '${leaf.subject.replaceAll("\n", ", ")}' is not authorized for application '${app.clientId}'.`,
    );
  }
  let current = leaf;
  const remaining = chain.slice(1);
  for (let depth = 0; depth <= chain.length; depth++) {
    if (!withinValidity(current, now)) {
      throw assertionSignatureInvalid("A certificate in the 'x5c' chain is expired or not yet valid.");
    }
    const trusted = trusts.find((t: TrustedIssuer) => issuedBy(current, t.issuer));
    if (trusted) return leaf;
    const next = remaining.findIndex((c) => issuedBy(current, c));
    const parent = remaining[next];
    if (next < 0 || !parent) break;
    remaining.splice(next, 1);
    current = parent;
  }
  throw assertionSignatureInvalid(
    `The certificate chain in 'x5c' does not lead to an issuer trusted by application '${app.clientId}'.`,
  );
}

function stringClaim(payload: Record<string, unknown>, name: string): string {
  const value = payload[name];
  if (typeof value !== "string" || value === "") throw assertionInvalid(`The '${name}' claim is required.`);
  return value;
}

function numericClaim(payload: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw assertionInvalid(`The '${name}' claim must be a NumericDate.`);
  return value;
}

/**
 * Verifies a client assertion for an app and consumes its `jti`.
 *
 * @returns how the signing certificate was matched (both mean `appidacr` 2).
 * @throws EntraError invalid_client with the AADSTS code Entra uses for the failing check.
 */
export async function verifyClientAssertion(assertion: string, check: AssertionCheck): Promise<AssertionCertificateMatch> {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    throw assertionInvalid("The client assertion is not a JWS in compact serialization.");
  }
  if (typeof header.alg !== "string" || !ALGORITHMS.includes(header.alg)) {
    throw assertionInvalid(`'${String(header.alg)}' is not a supported signature algorithm; use RS256 or PS256.`);
  }

  let certificate = findRegistered(check.app, header);
  let match: AssertionCertificateMatch = "thumbprint";
  if (!certificate && header.x5c !== undefined && check.app.trustedIssuers.length > 0) {
    certificate = findBySubjectAndIssuer(check.app, header.x5c, check.now);
    match = "subject-name-issuer";
  }
  if (!certificate) {
    throw assertionSignatureInvalid(
      `The certificate with identifier used to sign the client assertion is not registered on application '${check.app.clientId}'.`,
    );
  }
  if (!withinValidity(certificate, check.now)) {
    throw assertionSignatureInvalid("The certificate used to sign the client assertion is expired or not yet valid.");
  }

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(assertion, certificate.publicKey, { algorithms: ALGORITHMS }));
  } catch {
    throw assertionSignatureInvalid("The signature does not verify with the certificate's public key.");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    throw assertionInvalid("The client assertion's payload is not JSON.");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw assertionInvalid("The client assertion's payload is not a JSON object.");
  }
  const claims = payload as Record<string, unknown>;

  const iss = stringClaim(claims, "iss");
  const sub = stringClaim(claims, "sub");
  if (iss !== sub) {
    throw new EntraError(401, "invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion.");
  }
  if (iss.toLowerCase() !== check.app.clientId.toLowerCase()) throw assertionClientMismatch();

  const aud = claims.aud;
  const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === "string") : [];
  if (!audiences.some((a) => check.audiences.includes(a.toLowerCase()))) {
    throw assertionInvalid(
      `Invalid audience '${audiences.join(" ")}' in the client assertion; expected this tenant's token endpoint, e.g. '${check.audiences[0] ?? ""}'.`,
    );
  }

  const exp = numericClaim(claims, "exp", true);
  const nbf = numericClaim(claims, "nbf", false);
  if ((exp !== undefined && exp + CLOCK_SKEW < check.now) || (nbf !== undefined && nbf - CLOCK_SKEW > check.now)) {
    throw assertionNotInTimeRange(check.now, exp, nbf);
  }

  // Consumed last, so a forged or otherwise invalid assertion cannot burn a legitimate jti.
  const jti = stringClaim(claims, "jti");
  if (!check.replay.use(`${check.app.clientId.toLowerCase()}:${jti}`, (exp ?? check.now) + CLOCK_SKEW, check.now)) {
    throw assertionReplayed();
  }
  return match;
}
