import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import type { JsonWebKey } from "node:crypto";
import sshpk from "sshpk";

// OpenSSH user certificates for `token_type=ssh-cert` token requests (client-behavior §7.3): the
// emulator's own SSH certificate authority signs the public key the request names in `req_cnf`.

/** The extensions ssh-keygen grants a user certificate by default, in the lexical order OpenSSH wants. */
const USER_EXTENSIONS = ["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc"];

/** An emulator's SSH user certificate authority: an Ed25519 key made when the emulator starts. */
export interface SshCertificateAuthority {
  /**
   * The CA's public key as an OpenSSH `authorized_keys` line (`ssh-ed25519 AAAA… comment`): what an
   * SSH server lists in `TrustedUserCAKeys` to accept the certificates.
   */
  readonly publicKey: string;
  /** Signs a user certificate. */
  issue(request: SshCertificateRequest): IssuedSshCertificate;
}

/** What a user certificate certifies. */
export interface SshCertificateRequest {
  /** The user's public key, as a JWK (RSA, EC or OKP/Ed25519). */
  readonly publicKey: JsonWebKey;
  /** The certificate's key id (the request's `key_id`). */
  readonly keyId: string;
  /** The names the certificate lets its holder log in as. */
  readonly principals: readonly string[];
  /** Validity, epoch seconds. */
  readonly validFrom: number;
  readonly validUntil: number;
}

/** A signed certificate, split as Entra hands it out. */
export interface IssuedSshCertificate {
  /** The certificate type, e.g. `ssh-rsa-cert-v01@openssh.com`. */
  readonly type: string;
  /** The base64 certificate blob (starts with `AAAA`): what goes in the token response's `access_token`. */
  readonly blob: string;
}

/** A `req_cnf` JWK that cannot be turned into an SSH key. */
export class UnusableSshKeyError extends Error {
  override readonly name = "UnusableSshKeyError";
}

/** Creates a CA with a fresh Ed25519 key. */
export function createSshCertificateAuthority(): SshCertificateAuthority {
  const { privateKey } = generateKeyPairSync("ed25519");
  const caKey = sshpk.parsePrivateKey(privateKey.export({ type: "pkcs8", format: "pem" }), "pem");
  caKey.comment = "msal-ts emulator user CA";
  const issuer = sshpk.identityForUser("msal-ts-emulator");
  return {
    publicKey: caKey.toPublic().toString("ssh"),
    issue(request) {
      let subjectKey: sshpk.Key;
      try {
        const pem = createPublicKey({ key: request.publicKey, format: "jwk" }).export({ type: "spki", format: "pem" });
        subjectKey = sshpk.parseKey(pem, "pem");
      } catch (cause) {
        throw new UnusableSshKeyError("The key is not a public RSA, EC or Ed25519 JWK.", { cause });
      }
      const cert = sshpk.createCertificate(
        request.principals.map((p) => sshpk.identityForUser(p)),
        subjectKey,
        issuer,
        caKey,
        { validFrom: new Date(request.validFrom * 1000), validUntil: new Date(request.validUntil * 1000), serial: randomBytes(8) },
      );
      // The key id and extensions are part of what is signed: set them, then sign again.
      const openssh = cert.signatures.openssh;
      if (!openssh) throw new Error("sshpk produced no OpenSSH signature.");
      openssh.keyId = request.keyId;
      openssh.exts = USER_EXTENSIONS.map((name) => ({ critical: false, name, data: Buffer.alloc(0) }));
      cert.signWith(caKey);
      const [type = "", blob = ""] = cert.toString("openssh").split(" ");
      return { type, blob };
    },
  };
}
