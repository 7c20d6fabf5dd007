import { createHash, X509Certificate } from "node:crypto";
import { generateRsaKeyPair, issueCertificate } from "../x509.js";
import type { RsaKeyPair } from "../x509.js";

// Service Fabric's token service presents a self-signed certificate of its own, trusted by its SHA-1
// thumbprint (IDENTITY_SERVER_THUMBPRINT) rather than through a CA. The key is generated once per
// process (the slow part); each emulator signs its own certificate with it.

/** The Service Fabric endpoint's TLS material. */
export interface ServiceFabricCertificate {
  readonly certificate: string;
  readonly privateKey: string;
  /** SHA-1 of the certificate's DER encoding, 40 upper-case hex digits. */
  readonly thumbprint: string;
}

let processKey: Promise<RsaKeyPair> | undefined;

function getProcessKey(): Promise<RsaKeyPair> {
  processKey ??= generateRsaKeyPair();
  // A failed generation must not poison every later emulator in the process.
  processKey.catch(() => {
    processKey = undefined;
  });
  return processKey;
}

/** Issues a self-signed server certificate for the loopback Service Fabric endpoint. */
export async function createServiceFabricCertificate(): Promise<ServiceFabricCertificate> {
  const key = await getProcessKey();
  const certificate = issueCertificate({
    subject: "CN=Service Fabric managed identity token service, O=msal-ts emulator",
    publicKey: key.publicKey,
    selfPrivateKey: key.privateKey,
    certificateAuthority: false,
    validDays: 397,
    altNames: ["localhost", "127.0.0.1", "::1"],
    extendedKeyUsage: "serverAuth",
  });
  const thumbprint = createHash("sha1").update(new X509Certificate(certificate).raw).digest("hex").toUpperCase();
  return { certificate, privateKey: key.privateKey, thumbprint };
}
