import type { FaultRegistry } from "./registry.js";

// ID-token faults act where ID tokens are minted: the claims of an expired token, or a signature
// that does not verify (the token is otherwise exactly what the emulator would issue).

/** Seconds an `expired-id-token` is past its `exp`: far beyond any clock-skew allowance. */
const EXPIRED_FOR = 3600;

/** Who the ID token is for. */
export interface IdTokenTarget {
  readonly tenantId: string;
  readonly clientId: string;
}

/** A compact JWS whose signature no longer matches: its last signature bytes flipped. */
function corruptSignature(jwt: string): string {
  const [header, payload, signature = ""] = jwt.split(".");
  const bytes = Buffer.from(signature, "base64url");
  for (let i = Math.max(0, bytes.length - 8); i < bytes.length; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
  return `${header ?? ""}.${payload ?? ""}.${bytes.toString("base64url")}`;
}

/**
 * Signs an ID token's claims, changed by the `expired-id-token` or `bad-id-token-signature` fault
 * that applies to it, if any.
 *
 * @param faults - The emulator's faults.
 * @param target - The tenant and app the token is issued for.
 * @param claims - The claims the token would carry (`iat`, `nbf`, `exp` in epoch seconds).
 * @param sign - Signs claims into a JWT.
 */
export async function mintIdToken(
  faults: FaultRegistry,
  target: IdTokenTarget,
  claims: Readonly<Record<string, unknown>>,
  sign: (claims: Record<string, unknown>) => Promise<string>,
): Promise<string> {
  const fault = faults.take("id-token", { endpoint: "token", tenants: [target.tenantId], clientId: target.clientId });
  if (fault?.kind === "expired-id-token") {
    const exp = Number(claims.exp);
    const shift = exp - Number(claims.iat) + EXPIRED_FOR;
    const back = (name: string): Record<string, number> => (typeof claims[name] === "number" ? { [name]: (claims[name] as number) - shift } : {});
    return sign({ ...claims, ...back("iat"), ...back("nbf"), ...back("exp"), ...back("auth_time") });
  }
  const jwt = await sign({ ...claims });
  return fault?.kind === "bad-id-token-signature" ? corruptSignature(jwt) : jwt;
}
