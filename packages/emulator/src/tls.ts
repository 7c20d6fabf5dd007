import { generateRsaKeyPair, issueCertificate } from "./x509.js";
import type { RsaKeyPair } from "./x509.js";

// The emulator's HTTPS identity: a CA generated once per process (key generation is the slow part)
// and, per emulator, a server certificate for its own host names, signed by that CA.

/** The HTTPS material one emulator serves with. */
export interface TlsIdentity {
  /** The CA certificate (PEM) clients must trust. */
  readonly caCertificate: string;
  /** The server certificate (PEM). */
  readonly certificate: string;
  /** The server's PKCS#8 private key (PEM). */
  readonly privateKey: string;
}

interface ProcessCa {
  readonly certificate: string;
  readonly privateKey: string;
  readonly serverKey: RsaKeyPair;
}

let processCa: Promise<ProcessCa> | undefined;

function getProcessCa(): Promise<ProcessCa> {
  processCa ??= (async () => {
    const [caKey, serverKey] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
    const certificate = issueCertificate({
      subject: "CN=msal-ts emulator CA, O=msal-ts",
      publicKey: caKey.publicKey,
      selfPrivateKey: caKey.privateKey,
      certificateAuthority: true,
      validDays: 825,
    });
    return { certificate, privateKey: caKey.privateKey, serverKey };
  })();
  // A failed generation must not poison every later emulator in the process.
  processCa.catch(() => {
    processCa = undefined;
  });
  return processCa;
}

/**
 * Issues the server certificate for an emulator.
 *
 * @param hostnames - DNS names and IP addresses the certificate must cover.
 */
export async function createTlsIdentity(hostnames: readonly string[]): Promise<TlsIdentity> {
  const ca = await getProcessCa();
  const certificate = issueCertificate({
    subject: `CN=${hostnames[0] ?? "localhost"}, O=msal-ts emulator`,
    publicKey: ca.serverKey.publicKey,
    issuer: { certificate: ca.certificate, privateKey: ca.privateKey },
    certificateAuthority: false,
    validDays: 397,
    altNames: hostnames,
    extendedKeyUsage: "serverAuth",
  });
  return { caCertificate: ca.certificate, certificate, privateKey: ca.serverKey.privateKey };
}
