import { randomUUID } from "node:crypto";
import { SignJWT, importPKCS8 } from "jose";
import type { JWTPayload } from "jose";
import type { TestCertificate } from "../../src/index.js";

export const TENANT = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
export const DOMAIN = "contoso.onmicrosoft.com";
export const ORDERS_APP_ID = "2f0e1c6a-8a8e-4b7e-9d1f-5f4d3c2b1a09";
export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Options for {@link signAssertion}. */
export interface AssertionOptions {
  readonly alg?: "RS256" | "PS256";
  readonly header?: Record<string, unknown>;
  readonly claims?: JWTPayload;
  readonly clientId: string;
  readonly audience: string | string[];
  /** Expiry, epoch seconds (default now + 10 minutes). */
  readonly exp?: number;
}

/** Signs a client assertion with jose, as an app would. */
export async function signAssertion(cert: Pick<TestCertificate, "privateKey">, options: AssertionOptions): Promise<string> {
  const alg = options.alg ?? "RS256";
  const key = await importPKCS8(cert.privateKey, alg);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti: randomUUID(), nbf: now, ...options.claims })
    .setProtectedHeader({ alg, typ: "JWT", ...options.header })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + 600)
    .sign(key);
}

/** The x5t header value (base64url SHA-1) for a certificate's hex thumbprint. */
export function x5t(hexThumbprint: string): string {
  return Buffer.from(hexThumbprint, "hex").toString("base64url");
}
