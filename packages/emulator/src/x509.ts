import { createHash, generateKeyPair, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { promisify } from "node:util";
import forge from "node-forge";

// X.509 issuance: node-forge builds the certificate structure (node:crypto cannot issue X.509);
// node:crypto generates the keys and computes the signature in native code, an order of magnitude
// faster than forge's JavaScript RSA.

/** forge's pki, with `getTBSCertificate` (part of its API, missing from its typings). */
const pki = forge.pki as typeof forge.pki & { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

const generateKeyPairAsync = promisify(generateKeyPair);

const RSA_OPTIONS = {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
} as const;

/** An RSA key pair as PEM: PKCS#8 private key and SPKI public key. */
export interface RsaKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** Generates an RSA 2048 key pair in native code, off the event loop. */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const { privateKey, publicKey } = await generateKeyPairAsync("rsa", RSA_OPTIONS);
  return { privateKey, publicKey };
}

/** Generates an RSA 2048 key pair synchronously (for the synchronous test-certificate helpers). */
export function generateRsaKeyPairSync(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", RSA_OPTIONS);
  return { privateKey, publicKey };
}

/** What {@link issueCertificate} needs. */
export interface CertificateRequest {
  /** Distinguished name, `CN=…, O=…` (CN, C, ST, L, O, OU, E). */
  readonly subject: string;
  /** SPKI PEM of the key the certificate is for. */
  readonly publicKey: string;
  /** Who signs: a CA's certificate and PKCS#8 key; absent means self-signed with `selfPrivateKey`. */
  readonly issuer?: { readonly certificate: string; readonly privateKey: string };
  /** The subject's own PKCS#8 key, required when self-signed. */
  readonly selfPrivateKey?: string;
  readonly certificateAuthority: boolean;
  readonly validDays: number;
  /** DNS names and IP addresses for subjectAltName. */
  readonly altNames?: readonly string[];
  readonly extendedKeyUsage?: "serverAuth" | "clientAuth";
  /** Start of validity, epoch milliseconds (default now). */
  readonly notBefore?: number;
}

const SHORT_NAMES = new Set(["CN", "C", "ST", "L", "O", "OU", "E"]);

/** Parses `CN=a, O=b` into forge attributes; commas inside values may be escaped as `\,`. */
export function parseDistinguishedName(dn: string): forge.pki.CertificateField[] {
  const parts = dn
    .split(/(?<!\\),/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) {
    throw new TypeError(`The distinguished name "${dn}" is empty; use a form like "CN=my app".`);
  }
  return parts.map((part) => {
    const eq = part.indexOf("=");
    const key = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim().replaceAll("\\,", ",");
    if (eq <= 0 || !SHORT_NAMES.has(key) || value.length === 0) {
      throw new TypeError(
        `The distinguished name "${dn}" has an unsupported part "${part}"; use CN, C, ST, L, O, OU or E attributes.`,
      );
    }
    return { shortName: key, value };
  });
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  // A positive, minimally encoded DER INTEGER: top bit clear, first byte non-zero.
  bytes[0] = ((bytes[0] ?? 1) & 0x7f) | 0x01;
  return bytes.toString("hex");
}

function subjectKeyIdentifierOf(cert: forge.pki.Certificate): string {
  const ext = cert.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | undefined;
  if (ext?.subjectKeyIdentifier) return forge.util.hexToBytes(ext.subjectKeyIdentifier);
  return cert.generateSubjectKeyIdentifier().getBytes();
}

/** Issues an X.509 v3 certificate (SHA-256 with RSA) and returns it as PEM. */
export function issueCertificate(request: CertificateRequest): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKey);
  cert.serialNumber = serialNumber();
  const start = request.notBefore ?? Date.now();
  // Back-date a little so a client whose clock runs slightly behind still accepts it.
  cert.validity.notBefore = new Date(start - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(start + request.validDays * 24 * 60 * 60 * 1000);
  const subject = parseDistinguishedName(request.subject);
  cert.setSubject(subject);

  let signingKey: string;
  let authorityKeyId: string;
  if (request.issuer) {
    const issuerCert = forge.pki.certificateFromPem(request.issuer.certificate);
    cert.setIssuer(issuerCert.subject.attributes);
    signingKey = request.issuer.privateKey;
    authorityKeyId = subjectKeyIdentifierOf(issuerCert);
  } else {
    if (!request.selfPrivateKey) throw new TypeError("A self-signed certificate needs its own private key.");
    cert.setIssuer(subject);
    signingKey = request.selfPrivateKey;
    authorityKeyId = cert.generateSubjectKeyIdentifier().getBytes();
  }

  // Extensions that strict verifiers (OpenSSL's X509_V_FLAG_X509_STRICT, Python ≥ 3.13) insist on:
  // a critical basicConstraints and keyUsage on the CA, SKI/AKI on every certificate.
  const extensions: object[] = [
    { name: "basicConstraints", cA: request.certificateAuthority, critical: true },
    request.certificateAuthority
      ? { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: authorityKeyId },
  ];
  if (request.extendedKeyUsage === "serverAuth") extensions.push({ name: "extKeyUsage", serverAuth: true });
  if (request.extendedKeyUsage === "clientAuth") extensions.push({ name: "extKeyUsage", clientAuth: true });
  if (request.altNames && request.altNames.length > 0) {
    extensions.push({
      name: "subjectAltName",
      altNames: request.altNames.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  cert.setExtensions(extensions);
  // What forge's cert.sign() does, with the RSA signature from node:crypto.
  const sha256WithRsa = forge.pki.oids.sha256WithRSAEncryption ?? "1.2.840.113549.1.1.11";
  cert.signatureOid = sha256WithRsa;
  cert.siginfo.algorithmOid = sha256WithRsa;
  cert.tbsCertificate = pki.getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), "binary");
  cert.signature = sign("sha256", tbs, signingKey).toString("binary");
  return forge.pki.certificateToPem(cert).replaceAll("\r\n", "\n");
}

/** DER bytes of the first certificate in a PEM string. */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/** SHA-1 and SHA-256 thumbprints of a certificate's DER encoding. */
export function thumbprints(der: Buffer): { readonly sha1: Buffer; readonly sha256: Buffer } {
  return {
    sha1: createHash("sha1").update(der).digest(),
    sha256: createHash("sha256").update(der).digest(),
  };
}

/**
 * Canonical form of a distinguished name for comparison: attributes as `TYPE=value`, types upper-case,
 * values lower-case, order ignored. Accepts Node's newline-separated form and the comma form; a bare
 * value means `CN=value`.
 */
export function canonicalDistinguishedName(dn: string): string {
  return dn
    .split(/\n|(?<!\\),/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf("=");
      if (eq <= 0) return `CN=${p.toLowerCase()}`;
      return `${p.slice(0, eq).trim().toUpperCase()}=${p.slice(eq + 1).trim().toLowerCase()}`;
    })
    .sort()
    .join(",");
}
