/**
 * The confidential client's credential, in the three forms MSAL accepts, normalized into one
 * discriminated union the token requests can use.
 *
 * @module
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type Forge from "node-forge";
import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";

/** A certificate credential: a private key and how the authority recognizes its certificate. */
export interface CertificateCredential {
  /** The private key: a PEM string (PKCS#1, PKCS#8, or encrypted PKCS#8 with `passphrase`) or a `KeyObject`. */
  readonly privateKey: string | KeyObject;
  /** SHA-1 thumbprint of the certificate, hex. Sent as `x5t`, the assertion signed RS256. */
  readonly thumbprint?: string;
  /** SHA-256 thumbprint of the certificate, hex. Sent as `x5t#S256`, the assertion signed PS256. */
  readonly thumbprintSha256?: string;
  /**
   * The certificate (chain) as PEM. Sent as `x5c` for subject-name/issuer ("SNI") authentication;
   * when no thumbprint is given, the SHA-256 thumbprint is computed from it.
   */
  readonly publicCertificate?: string;
  /** Passphrase of an encrypted PEM private key. */
  readonly passphrase?: string;
}

/** A certificate credential from a PKCS#12 (.pfx) file or its bytes. */
export interface Pkcs12Credential {
  /** Path of a .pfx / .p12 file. */
  readonly privateKeyPfxPath?: string;
  /** Bytes of a .pfx / .p12 file. */
  readonly privateKeyPfx?: Uint8Array;
  /** The password the PKCS#12 file is protected with, if any (MSAL Python's `passphrase`). */
  readonly passphrase?: string;
  /** `true` sends the certificate from the PKCS#12 as `x5c` (subject-name/issuer authentication). */
  readonly publicCertificate?: boolean;
}

/** A client assertion the app obtains itself (a federated credential, say). */
export interface AssertionCredential {
  /** A signed JWT, or a function that returns one (it is called for every token request). */
  readonly clientAssertion: string | (() => string | Promise<string>);
}

/** What `clientCredential` accepts: a secret, a certificate, a PKCS#12, or an assertion. */
export type ClientCredential = string | CertificateCredential | Pkcs12Credential | AssertionCredential;

/** A credential after validation: what the token request needs to authenticate the client. */
export type NormalizedCredential =
  | { readonly kind: "secret"; readonly secret: string }
  | {
      readonly kind: "certificate";
      readonly key: KeyObject;
      /** base64url SHA-1 thumbprint (for `x5t`), when known. */
      readonly x5t?: string;
      /** base64url SHA-256 thumbprint (for `x5t#S256`), when known. */
      readonly x5tS256?: string;
      /** base64 DER certificates, leaf first, when subject-name/issuer auth is wanted. */
      readonly x5c?: readonly string[];
    }
  | { readonly kind: "assertion"; readonly get: () => string | Promise<string> };

const PEM_CERT = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g;

function hexToBase64Url(hex: string, what: string): string {
  const clean = hex.replace(/[\s:]/g, "");
  if (!/^[0-9a-fA-F]+$/.test(clean) || clean.length % 2 !== 0) {
    throw invalidArgValue(`clientCredential.${what} must be a hex string, got ${JSON.stringify(hex)}`);
  }
  return Buffer.from(clean, "hex").toString("base64url");
}

/** Splits a PEM bundle into the base64 DER bodies `x5c` wants, leaf first. */
export function pemCertificatesToX5c(pem: string): string[] {
  if (pem.includes("PRIVATE KEY")) {
    throw invalidArgValue(
      "clientCredential.publicCertificate holds a private key; pass the certificate (BEGIN CERTIFICATE) instead",
    );
  }
  const out: string[] = [];
  for (const m of pem.matchAll(PEM_CERT)) out.push((m[1] ?? "").replace(/\s+/g, ""));
  if (out.length === 0) {
    throw invalidArgValue("clientCredential.publicCertificate contains no PEM certificate (BEGIN CERTIFICATE)");
  }
  return out;
}

function loadPrivateKey(key: string | KeyObject, passphrase: string | undefined): KeyObject {
  if (typeof key !== "string") {
    if (key.type !== "private") throw invalidArgValue("clientCredential.privateKey must be a private key");
    return key;
  }
  try {
    return createPrivateKey(passphrase ? { key, format: "pem", passphrase } : { key, format: "pem" });
  } catch (cause) {
    const encrypted = key.includes("ENCRYPTED");
    throw new MsalError(
      "ERR_CLIENT_CREDENTIAL",
      encrypted && !passphrase
        ? "clientCredential.privateKey is encrypted; give its passphrase as clientCredential.passphrase"
        : encrypted
          ? "clientCredential.privateKey could not be decrypted: is the passphrase right?"
          : "clientCredential.privateKey is not a PEM private key",
      { cause },
    );
  }
}

function loadPkcs12(c: Pkcs12Credential): NormalizedCredential {
  let bytes: Uint8Array;
  if (c.privateKeyPfx) bytes = c.privateKeyPfx;
  else if (c.privateKeyPfxPath) {
    try {
      bytes = readFileSync(c.privateKeyPfxPath);
    } catch (cause) {
      throw new MsalError("ERR_CLIENT_CREDENTIAL", `cannot read the PKCS#12 file ${c.privateKeyPfxPath}`, { cause });
    }
  } else throw invalidArgValue("clientCredential needs privateKeyPfx or privateKeyPfxPath");
  // node:crypto reads no PKCS#12; node-forge does, and is only loaded when a .pfx is used.
  const forge = createRequire(import.meta.url)("node-forge") as typeof Forge;
  let key: KeyObject | undefined;
  const certs: X509Certificate[] = [];
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(bytes).toString("binary")));
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, c.passphrase ?? "");
    for (const bagType of [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]) {
      if (key || !bagType) continue;
      const bags = p12.getBags({ bagType })[bagType] ?? [];
      const k = bags[0]?.key;
      if (k) key = createPrivateKey(forge.pki.privateKeyToPem(k));
    }
    const certType = forge.pki.oids.certBag;
    for (const bag of certType ? (p12.getBags({ bagType: certType })[certType] ?? []) : []) {
      if (!bag.cert) continue;
      const der = forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes();
      certs.push(new X509Certificate(Buffer.from(der, "binary")));
    }
  } catch (cause) {
    throw new MsalError(
      "ERR_CLIENT_CREDENTIAL",
      "the PKCS#12 could not be read: is it a .pfx file, and is the passphrase right?",
      { cause },
    );
  }
  if (!key) throw new MsalError("ERR_CLIENT_CREDENTIAL", "the PKCS#12 holds no private key");
  // The leaf is the certificate whose public key matches the private key.
  const pub = createPublicKeyDer(key);
  const leaf = certs.find((x) => x.publicKey.export({ type: "spki", format: "der" }).equals(pub));
  if (!leaf) throw new MsalError("ERR_CLIENT_CREDENTIAL", "the PKCS#12 holds no certificate for its private key");
  const chain = [leaf, ...certs.filter((x) => x !== leaf)];
  return {
    kind: "certificate",
    key,
    x5t: createHash("sha1").update(leaf.raw).digest("base64url"),
    x5tS256: createHash("sha256").update(leaf.raw).digest("base64url"),
    ...(c.publicCertificate ? { x5c: chain.map((x) => x.raw.toString("base64")) } : {}),
  };
}

/** The SPKI DER of a private key's public half, to match a key with its certificate. */
function createPublicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: "spki", format: "der" });
}

/**
 * Validates a `clientCredential` and turns it into what token requests use.
 *
 * @throws TypeError for a credential of the wrong shape; {@link MsalError} `ERR_CLIENT_CREDENTIAL`
 *   for a key or PKCS#12 that cannot be read.
 */
export function normalizeClientCredential(credential: ClientCredential): NormalizedCredential {
  if (typeof credential === "string") {
    if (!credential) throw invalidArgValue("clientCredential is an empty string");
    return { kind: "secret", secret: credential };
  }
  if (typeof credential !== "object" || credential === null) {
    throw invalidArgType(
      "clientCredential must be a secret string, { privateKey, thumbprint | thumbprintSha256 | publicCertificate }, " +
        "{ privateKeyPfxPath | privateKeyPfx }, or { clientAssertion }",
    );
  }
  if ("clientAssertion" in credential && credential.clientAssertion) {
    const a = credential.clientAssertion;
    if (typeof a === "string") return { kind: "assertion", get: () => a };
    if (typeof a === "function") return { kind: "assertion", get: a };
    throw invalidArgType("clientCredential.clientAssertion must be a string or a function returning one");
  }
  if (("privateKeyPfxPath" in credential && credential.privateKeyPfxPath) || ("privateKeyPfx" in credential && credential.privateKeyPfx)) {
    return loadPkcs12(credential as Pkcs12Credential);
  }
  if ("privateKey" in credential && credential.privateKey) {
    const c = credential;
    const key = loadPrivateKey(c.privateKey, c.passphrase);
    const x5t = c.thumbprint ? hexToBase64Url(c.thumbprint, "thumbprint") : undefined;
    let x5tS256 = c.thumbprintSha256 ? hexToBase64Url(c.thumbprintSha256, "thumbprintSha256") : undefined;
    let x5c: string[] | undefined;
    if (c.publicCertificate) {
      x5c = pemCertificatesToX5c(c.publicCertificate);
      const leafDer = Buffer.from(x5c[0] ?? "", "base64");
      let leaf: X509Certificate;
      try {
        leaf = new X509Certificate(leafDer);
      } catch (cause) {
        throw new MsalError("ERR_CLIENT_CREDENTIAL", "clientCredential.publicCertificate is not a valid certificate", { cause });
      }
      if (!leaf.publicKey.export({ type: "spki", format: "der" }).equals(createPublicKeyDer(key))) {
        throw invalidArgValue("clientCredential.publicCertificate does not belong to clientCredential.privateKey");
      }
      if (!x5t && !x5tS256) x5tS256 = createHash("sha256").update(leafDer).digest("base64url");
    }
    if (!x5t && !x5tS256) {
      throw invalidArgValue(
        "a certificate credential needs thumbprint (SHA-1 hex), thumbprintSha256 (SHA-256 hex) or publicCertificate",
      );
    }
    return { kind: "certificate", key, ...(x5t ? { x5t } : {}), ...(x5tS256 ? { x5tS256 } : {}), ...(x5c ? { x5c } : {}) };
  }
  throw invalidArgValue(
    "clientCredential must have one of: clientAssertion, privateKey, privateKeyPfxPath, privateKeyPfx (none was given a value)",
  );
}
