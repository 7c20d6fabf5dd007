import { createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { generateRsaKeyPair, issueCertificate, pemToDer, thumbprints } from "./x509.js";

/** A public signing key as published at `/discovery/v2.0/keys`. */
export interface SigningJwk {
  readonly kty: "RSA";
  readonly use: "sig";
  readonly kid: string;
  readonly x5t: string;
  readonly n: string;
  readonly e: string;
  readonly x5c: readonly string[];
}

/** The key an emulator signs its tokens with. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  /** Verifies what the emulator signed (user assertions, tokens presented to its protected API). */
  readonly publicKey: KeyObject;
  /** Key id in token headers; like Entra's, the base64url SHA-1 thumbprint of the key's certificate. */
  readonly kid: string;
  readonly jwk: SigningJwk;
}

/** Generates a fresh RSA 2048 token-signing key with a self-signed certificate, as Entra publishes. */
export async function createSigningKey(): Promise<SigningKey> {
  const keys = await generateRsaKeyPair();
  const certificate = issueCertificate({
    subject: "CN=msal-ts emulator token signing",
    publicKey: keys.publicKey,
    selfPrivateKey: keys.privateKey,
    certificateAuthority: false,
    validDays: 365,
  });
  const der = pemToDer(certificate);
  const kid = thumbprints(der).sha1.toString("base64url");
  const publicJwk = createPublicKey(keys.publicKey).export({ format: "jwk" });
  if (typeof publicJwk.n !== "string" || typeof publicJwk.e !== "string") {
    throw new Error("The generated signing key has no RSA modulus/exponent.");
  }
  return {
    privateKey: createPrivateKey(keys.privateKey),
    publicKey: createPublicKey(keys.publicKey),
    kid,
    jwk: { kty: "RSA", use: "sig", kid, x5t: kid, n: publicJwk.n, e: publicJwk.e, x5c: [der.toString("base64")] },
  };
}
