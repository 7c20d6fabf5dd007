import { createPrivateKey } from "node:crypto";
import forge from "node-forge";
import { generateRsaKeyPairSync, issueCertificate, pemToDer, thumbprints } from "./x509.js";

/** Options for {@link createTestCertificate}. */
export interface TestCertificateOptions {
  /** Subject distinguished name (default `CN=msal-ts test`). */
  readonly subject?: string;
  /** A CA to sign with (from {@link createCertificateAuthority}); absent means self-signed. */
  readonly issuer?: CertificateAuthority;
  /** Validity in days from now (default 365). */
  readonly validDays?: number;
}

/** A client certificate with its key, in the forms apps and MSALs load. */
export interface TestCertificate {
  /** The certificate, PEM. */
  readonly certificate: string;
  /** The private key, unencrypted PKCS#8 PEM. */
  readonly privateKey: string;
  /** SHA-1 of the DER certificate, upper-case hex (what the Azure portal shows as the thumbprint). */
  readonly thumbprint: string;
  /** SHA-256 of the DER certificate, upper-case hex. */
  readonly thumbprintSha256: string;
  /**
   * The private key as encrypted PKCS#8 PEM (`ENCRYPTED PRIVATE KEY`, PBES2 with AES-256-CBC and
   * PBKDF2-HMAC-SHA256).
   */
  encryptedPrivateKey(passphrase: string): string;
  /**
   * A PKCS#12 (.pfx) holding the key and the certificate: key bag PBES2 AES-256-CBC with
   * PBKDF2-HMAC-SHA256, certificate bag unencrypted, HMAC-SHA1 MAC (the only MAC node-forge writes).
   * Without a passphrase the key bag is unencrypted and the MAC uses the empty password.
   */
  pkcs12(passphrase?: string): Buffer;
}

/** A certificate authority for subject-name-and-issuer (SNI) tests. */
export interface CertificateAuthority {
  /** The CA certificate, PEM. Register it as an app's `trustedIssuers[].issuerCertificate`. */
  readonly certificate: string;
  /** The CA's private key, PKCS#8 PEM; pass both to {@link createTestCertificate}'s `issuer`. */
  readonly privateKey: string;
}

/**
 * Creates an RSA 2048 client certificate for certificate credentials (self-signed, or issued by a CA).
 * Synchronous (key generation blocks for roughly 50–200 ms), so it can run at module top level in tests.
 *
 * @param options - subject, issuer and validity.
 * @returns the certificate, its key and thumbprints; register `certificate` on an emulator app's
 *   `certificates` (thumbprint auth), or issue it from a CA registered in `trustedIssuers` (SNI auth).
 * @example
 * ```ts
 * const cert = createTestCertificate({ subject: "CN=daemon" });
 * const emulator = await createEmulator({ tenants: [{ id, apps: [{ clientId, certificates: [cert.certificate] }] }] });
 * ```
 */
export function createTestCertificate(options: TestCertificateOptions = {}): TestCertificate {
  const keys = generateRsaKeyPairSync();
  const certificate = issueCertificate({
    subject: options.subject ?? "CN=msal-ts test",
    publicKey: keys.publicKey,
    ...(options.issuer ? { issuer: options.issuer } : { selfPrivateKey: keys.privateKey }),
    certificateAuthority: false,
    validDays: options.validDays ?? 365,
    extendedKeyUsage: "clientAuth",
  });
  const prints = thumbprints(pemToDer(certificate));
  const privateKey = keys.privateKey;
  return {
    certificate,
    privateKey,
    thumbprint: prints.sha1.toString("hex").toUpperCase(),
    thumbprintSha256: prints.sha256.toString("hex").toUpperCase(),
    encryptedPrivateKey(passphrase: string): string {
      return createPrivateKey(privateKey)
        .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase })
        .toString();
    },
    pkcs12(passphrase?: string): Buffer {
      return toPkcs12(privateKey, certificate, passphrase);
    },
  };
}

/**
 * Creates a self-signed RSA 2048 certificate authority.
 *
 * @param subject - its distinguished name (default `CN=msal-ts test CA`).
 * @returns the CA certificate and key, to register in `trustedIssuers` and to pass to
 *   {@link createTestCertificate} as `issuer`.
 */
export function createCertificateAuthority(subject = "CN=msal-ts test CA"): CertificateAuthority {
  const keys = generateRsaKeyPairSync();
  const certificate = issueCertificate({
    subject,
    publicKey: keys.publicKey,
    selfPrivateKey: keys.privateKey,
    certificateAuthority: true,
    validDays: 3650,
  });
  return { certificate, privateKey: keys.privateKey };
}

function toPkcs12(privateKeyPem: string, certificatePem: string, passphrase: string | undefined): Buffer {
  const key = forge.pki.privateKeyFromPem(privateKeyPem);
  const cert = forge.pki.certificateFromPem(certificatePem);
  // `prfAlgorithm` reaches forge's PBES2 encoder through the same options object; its typings omit it.
  const options = { algorithm: "aes256" as const, count: 2048, prfAlgorithm: "sha256", friendlyName: "msal-ts test" };
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase ?? null, options);
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}
