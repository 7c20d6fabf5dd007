import { errors, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import type { EmulatorContext } from "./context.js";
import type { Tenant } from "./directory.js";
import type { EmulatorRequest } from "./http.js";
import { issuerFor } from "./urls.js";

// Verifying access tokens this emulator issued, for the grants and endpoints that accept them (OBO's
// user assertion, the protected demo API).

/** Why a token was refused. */
export type TokenRejection = "expired" | "invalid";

/** A token the emulator refuses, with the reason in words (never the token). */
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
  readonly reason: TokenRejection;
  /** The (unverified) expiry of an expired token, epoch seconds. */
  readonly exp: number | undefined;

  constructor(reason: TokenRejection, message: string, exp?: number) {
    super(message);
    this.reason = reason;
    this.exp = exp;
  }
}

/** A verified access token. */
export interface VerifiedAccessToken {
  readonly claims: JWTPayload & Readonly<Record<string, unknown>>;
  /** The tenant that issued it (`tid`). */
  readonly tenant: Tenant;
  /** Its expiry, epoch seconds. */
  readonly exp: number | undefined;
}

/**
 * Verifies a JWT as an access token of this emulator: RS256 signature by its key, time validity on
 * the emulator's clock, a `tid` of a known tenant and that tenant's issuer on one of the emulator's hosts.
 *
 * @throws TokenRejectedError when any check fails.
 */
export async function verifyIssuedAccessToken(
  ctx: EmulatorContext,
  token: string,
  request: Pick<EmulatorRequest, "host" | "now">,
): Promise<VerifiedAccessToken> {
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, ctx.signingKey.publicKey, {
      algorithms: ["RS256"],
      currentDate: new Date(request.now * 1000),
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new TokenRejectedError("expired", "The token has expired.", err.payload.exp);
    if (err instanceof errors.JOSEError) throw new TokenRejectedError("invalid", `The token is not valid: ${err.message}`);
    throw err;
  }
  const tid = typeof claims.tid === "string" ? claims.tid : "";
  const tenant = ctx.directory.findTenant(tid);
  if (!tenant || tenant.id !== tid.toLowerCase()) throw new TokenRejectedError("invalid", "The token names no tenant of this emulator.");
  const hosts = new Set([...ctx.knownHosts, request.host.toLowerCase()]);
  if (![...hosts].some((h) => claims.iss === issuerFor(h, tenant.id))) {
    throw new TokenRejectedError("invalid", "The token's issuer is not this emulator.");
  }
  return { claims, tenant, exp: claims.exp };
}
