/**
 * Client assertions (RFC 7523) signed with the app's certificate.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { NormalizedCredential } from "./client-credential.js";

/** How long a signed assertion lives. */
const ASSERTION_LIFETIME = 600;

/** The client authentication fields a token request carries. */
export type ClientAuthParams =
  | { readonly client_secret: string }
  | { readonly client_assertion_type: string; readonly client_assertion: string }
  | Record<string, never>;

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

type CertificateCredential = Extract<NormalizedCredential, { kind: "certificate" }>;

/**
 * Signs an assertion for `aud` (the token endpoint). PS256 with `x5t#S256` when the SHA-256
 * thumbprint is known and the authority accepts it; RS256 with the SHA-1 `x5t` otherwise
 * (ADFS knows only that one).
 */
export async function signClientAssertion(
  cred: CertificateCredential,
  clientId: string,
  aud: string,
  opts: { now: number; clientClaims?: Readonly<Record<string, unknown>> | undefined; adfs?: boolean },
): Promise<string> {
  const usePs256 = cred.x5tS256 !== undefined && !(opts.adfs && cred.x5t !== undefined);
  const header: Record<string, unknown> & { alg: string } = { alg: usePs256 ? "PS256" : "RS256", typ: "JWT" };
  if (usePs256) header["x5t#S256"] = cred.x5tS256;
  else header.x5t = cred.x5t;
  if (cred.x5c) header.x5c = cred.x5c;
  const payload = {
    aud,
    iss: clientId,
    sub: clientId,
    jti: randomUUID(),
    iat: opts.now,
    exp: opts.now + ASSERTION_LIFETIME,
    ...opts.clientClaims,
  };
  return new SignJWT(payload).setProtectedHeader(header).sign(cred.key);
}

/**
 * Builds the function that yields the client authentication fields for a token request to a
 * given endpoint.
 *
 * Every request gets a freshly signed assertion, with a `jti` of its own. MSAL Python and MSAL Node
 * reuse one signed assertion for up to nine minutes; an authority that holds `jti` to single use
 * (RFC 7523 §3 allows it, and the emulator does) refuses the second request that carries it. A
 * signature costs about a millisecond, next to a network round trip.
 */
export function createClientAuth(
  cred: NormalizedCredential | undefined,
  clientId: string,
  opts: { clientClaims?: Readonly<Record<string, unknown>> | undefined; adfs?: boolean },
): (aud: string, now: number) => ClientAuthParams | Promise<ClientAuthParams> {
  if (!cred) return () => ({});
  switch (cred.kind) {
    case "secret": {
      const params = { client_secret: cred.secret };
      return () => params;
    }
    case "assertion":
      return async () => ({ client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: await cred.get() });
    case "certificate":
      return async (aud, now) => ({
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: await signClientAssertion(cred, clientId, aud, { now, clientClaims: opts.clientClaims, adfs: opts.adfs ?? false }),
      });
  }
}
