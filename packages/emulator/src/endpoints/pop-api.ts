import { calculateJwkThumbprint, compactVerify, decodeJwt, decodeProtectedHeader, importJWK } from "jose";
import type { JWK } from "jose";
import { TokenRejectedError, verifyIssuedAccessToken } from "../access-token-verification.js";
import type { VerifiedAccessToken } from "../access-token-verification.js";
import type { EmulatorContext } from "../context.js";
import type { EmulatorRequest, Handler, JsonResult } from "../http.js";
import { json } from "../http.js";

/** The path prefix of the emulator's PoP-protected demo API: `{POP_API_PATH}/{anything}`. */
export const POP_API_PATH = "/api/pop";

/** `GET {POP_API_PATH}/nonce`: a fresh nonce for signed requests. */
export const POP_NONCE_PATH = `${POP_API_PATH}/nonce`;

/** How far a signed request's `ts` may be from the emulator's clock, seconds. */
export const POP_MAX_SKEW = 300;

const ALGORITHMS = new Set(["RS256", "ES256"]);

/** Why a signed request is refused (no token text in it). */
class RequestRefused extends Error {}

function challenge(ctx: EmulatorContext, request: EmulatorRequest, error?: { code: string; description: string }): string {
  const parts = [`nonce="${ctx.popNonces.issue(request.now)}"`];
  if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, "")}"`);
  return `PoP ${parts.join(", ")}`;
}

function unauthorized(ctx: EmulatorContext, request: EmulatorRequest, description: string, code?: string): JsonResult {
  return json(
    401,
    { error: code ?? "unauthorized", error_description: description },
    {
      "www-authenticate": challenge(ctx, request, code ? { code, description } : undefined),
      "cache-control": "no-store",
    },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `GET /api/pop/nonce`: `{ "nonce": … }`, valid five minutes. */
export function createPopNonceEndpoint(ctx: EmulatorContext): Handler {
  return (request) => json(200, { nonce: ctx.popNonces.issue(request.now) }, { "cache-control": "no-store" });
}

/**
 * Checks a Signed HTTP Request against the request that carried it: its signature by the key in
 * `cnf.jwk`, that the access token in `at` is this emulator's and bound (`cnf.kid`) to that key,
 * the method, host and path it was signed for, its nonce, and its `ts` (±5 minutes).
 */
async function verifySignedRequest(ctx: EmulatorContext, shr: string, request: EmulatorRequest): Promise<VerifiedAccessToken> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    header = decodeProtectedHeader(shr);
    claims = decodeJwt(shr);
  } catch {
    throw new RequestRefused("The PoP token is not a JWS.");
  }
  if (typeof header.typ !== "string" || header.typ.toLowerCase() !== "pop") throw new RequestRefused("The signed request's header must say typ \"pop\".");
  const alg = typeof header.alg === "string" ? header.alg : "";
  if (!ALGORITHMS.has(alg)) throw new RequestRefused("The signed request must be signed with RS256 or ES256.");
  const cnf = claims.cnf;
  if (!isRecord(cnf) || !isRecord(cnf.jwk)) throw new RequestRefused("The signed request carries no cnf.jwk.");
  const jwk = cnf.jwk as JWK;
  if ("d" in jwk) throw new RequestRefused("The signed request's cnf.jwk holds a private key.");
  try {
    await compactVerify(shr, await importJWK(jwk, alg), { algorithms: [alg] });
  } catch {
    throw new RequestRefused("The signed request's signature does not verify with its cnf.jwk.");
  }
  if (typeof claims.at !== "string") throw new RequestRefused("The signed request carries no access token (at).");
  let verified: VerifiedAccessToken;
  try {
    verified = await verifyIssuedAccessToken(ctx, claims.at, request);
  } catch (err) {
    if (err instanceof TokenRejectedError) throw new RequestRefused(`The access token is refused: ${err.message}`);
    throw err;
  }
  const bound = verified.claims.cnf;
  if (!isRecord(bound) || typeof bound.kid !== "string") throw new RequestRefused("The access token is not a PoP token (it has no cnf).");
  if (bound.kid !== (await calculateJwkThumbprint(jwk, "sha256").catch(() => undefined))) {
    throw new RequestRefused("The access token is bound to another key than the one that signed the request.");
  }
  if (claims.m !== request.method) throw new RequestRefused(`The request was signed for method ${String(claims.m)}, not ${request.method}.`);
  if (typeof claims.u !== "string" || claims.u.toLowerCase() !== request.host.toLowerCase()) {
    throw new RequestRefused(`The request was signed for host ${String(claims.u)}, not ${request.host}.`);
  }
  if (claims.p !== request.path) throw new RequestRefused(`The request was signed for path ${String(claims.p)}, not ${request.path}.`);
  if (typeof claims.nonce !== "string" || !ctx.popNonces.isValid(claims.nonce, request.now)) {
    throw new RequestRefused("The signed request's nonce was not issued by this resource, or has expired.");
  }
  if (typeof claims.ts !== "number" || Math.abs(request.now - claims.ts) > POP_MAX_SKEW) {
    throw new RequestRefused("The signed request's ts is more than five minutes away from the resource's clock.");
  }
  return verified;
}

/**
 * `GET|POST|PUT|DELETE|PATCH /api/pop/{resource}`: a resource server that accepts proof-of-possession
 * tokens only, as `Authorization: PoP <signed HTTP request>`. A request without one gets 401 with a
 * `WWW-Authenticate: PoP nonce="…"` challenge (the nonce to sign with); a bearer token, a signed
 * request for another method, host or path, with a stale `ts` or an unknown nonce, or over a token
 * not bound to the signing key, gets 401 `invalid_token`. On success it answers with who called.
 */
export function createPopApiEndpoint(ctx: EmulatorContext): Handler {
  return async (request) => {
    const authorization = request.headers.authorization ?? "";
    const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization);
    if (!match) return unauthorized(ctx, request, "Send a proof-of-possession token: Authorization: PoP <signed HTTP request>.");
    if (match[1]?.toLowerCase() !== "pop") {
      return unauthorized(ctx, request, `This API accepts PoP tokens only, not ${match[1] ?? "other"} tokens.`, "invalid_token");
    }
    let verified: VerifiedAccessToken;
    try {
      verified = await verifySignedRequest(ctx, match[2] ?? "", request);
    } catch (err) {
      if (err instanceof RequestRefused) return unauthorized(ctx, request, err.message, "invalid_token");
      throw err;
    }
    const { claims } = verified;
    return json(
      200,
      {
        method: request.method,
        path: request.path,
        resource: request.params.resource,
        aud: claims.aud,
        azp: claims.azp,
        tid: claims.tid,
        oid: claims.oid,
        ...(typeof claims.preferred_username === "string" ? { preferred_username: claims.preferred_username } : {}),
        ...(typeof claims.scp === "string" ? { scp: claims.scp } : {}),
        ...(Array.isArray(claims.roles) ? { roles: claims.roles } : {}),
      },
      { "cache-control": "no-store" },
    );
  };
}
