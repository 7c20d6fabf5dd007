import { createPublicKey } from "node:crypto";
import type { JsonWebKey } from "node:crypto";
import { calculateJwkThumbprint, decodeJwt } from "jose";
import type { JWK } from "jose";
import type { EmulatorContext } from "./context.js";
import { EntraError, missingParameter } from "./errors.js";
import type { EmulatorRequest, HandlerResult } from "./http.js";
import { UnusableSshKeyError } from "./ssh-certificates.js";
import { signToken } from "./tokens.js";

// Token types other than Bearer, on every grant of the token endpoint (authority-wire-format §1.4,
// client-behavior §7.2, §7.3): `token_type=pop` binds the access token to the client's key with a
// `cnf` claim; `token_type=ssh-cert` answers with an OpenSSH user certificate for the key instead.
//
// `req_cnf` is accepted in the forms clients send: base64url JSON `{"kid": <JWK thumbprint>}` (MSAL
// .NET, MSAL JS, msal-ts), a JWK (MSAL Python and the Azure CLI send the SSH key as JWK JSON), or
// `{"jwk": <JWK>}`, as JSON text or base64url JSON. A PoP token's `cnf` is always `{"kid": …}`: the
// resource finds the key itself in the signed request and checks its thumbprint against the kid.

/** What a token request asks for beyond a bearer token. */
export type TokenBinding =
  | { readonly kind: "pop"; readonly kid: string }
  | { readonly kind: "ssh-cert"; readonly publicKey: JsonWebKey; readonly keyId: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalidConfirmation(detail: string): EntraError {
  return new EntraError(400, "invalid_request", 9002313, `Invalid request. The req_cnf parameter is not valid: ${detail}`);
}

/** `req_cnf` as JSON text, else as base64url JSON. */
function decodeConfirmation(raw: string): Record<string, unknown> {
  for (const text of [raw, Buffer.from(raw, "base64url").toString("utf8")]) {
    try {
      const value: unknown = JSON.parse(text);
      if (isRecord(value)) return value;
    } catch {
      // try the next form
    }
  }
  throw invalidConfirmation("it is neither a JSON object nor base64url-encoded JSON.");
}

/** A public JWK that node:crypto can read; private members are refused. */
function publicJwkOf(value: unknown): JsonWebKey {
  if (!isRecord(value) || typeof value.kty !== "string") throw invalidConfirmation("it names no key (no kid, and no JWK with kty).");
  if ("d" in value) throw invalidConfirmation("it contains a private key; send the public key only.");
  try {
    createPublicKey({ key: value as JsonWebKey, format: "jwk" });
  } catch {
    throw invalidConfirmation(`its ${value.kty} JWK cannot be read as a public key.`);
  }
  return value as JsonWebKey;
}

async function thumbprintOf(jwk: JsonWebKey): Promise<string> {
  try {
    return await calculateJwkThumbprint(jwk as JWK, "sha256");
  } catch {
    throw invalidConfirmation("the JWK lacks members its thumbprint needs.");
  }
}

/**
 * Reads `token_type`, `req_cnf` and `key_id` from a token request, before the grant runs (so a bad
 * request spends no authorization code).
 *
 * @returns `undefined` for a bearer token (no `token_type`, or `Bearer` in any case).
 * @throws EntraError invalid_request for an unknown token type, or a missing or unusable `req_cnf`
 *   or `key_id`.
 */
export async function requestedTokenBinding(form: URLSearchParams): Promise<TokenBinding | undefined> {
  const tokenType = form.get("token_type");
  if (!tokenType || tokenType.toLowerCase() === "bearer") return undefined;
  if (tokenType !== "pop" && tokenType !== "ssh-cert") {
    throw new EntraError(400, "invalid_request", 9002313, `Invalid request. The token_type '${tokenType}' is not supported; use Bearer, pop or ssh-cert.`);
  }
  const raw = form.get("req_cnf");
  if (!raw) throw missingParameter("req_cnf");
  const cnf = decodeConfirmation(raw);
  if (tokenType === "ssh-cert") {
    const keyId = form.get("key_id");
    if (!keyId) throw missingParameter("key_id");
    return { kind: "ssh-cert", publicKey: publicJwkOf(cnf), keyId };
  }
  if (typeof cnf.kid === "string" && cnf.kty === undefined) {
    if (cnf.kid === "" || cnf.kid.length > 512) throw invalidConfirmation("its kid is empty or too long.");
    return { kind: "pop", kid: cnf.kid };
  }
  const jwk = publicJwkOf(isRecord(cnf.jwk) ? cnf.jwk : cnf);
  return { kind: "pop", kid: await thumbprintOf(jwk) };
}

/**
 * Turns a grant's successful token response into the token type asked for: the access token
 * re-issued with `cnf: {kid}` and `token_type: "pop"`, or an SSH user certificate for the key
 * (key id = `key_id`, principal = the user's username, or the app's client id for an app-only
 * token, valid as long as the access token) with `token_type: "ssh-cert"`. The certificate is
 * the base64 blob alone, as Entra sends it; prefix its type to get an OpenSSH `-cert.pub` line.
 * Other results pass through.
 */
export async function applyTokenBinding(
  ctx: EmulatorContext,
  request: Pick<EmulatorRequest, "now">,
  binding: TokenBinding,
  result: HandlerResult,
): Promise<HandlerResult> {
  if (result.type !== "json" || result.status !== 200 || !isRecord(result.body)) return result;
  const body = result.body;
  if (typeof body.access_token !== "string") return result;
  // The emulator's own token, signed a moment ago: read back, not verified.
  const claims = decodeJwt(body.access_token);
  if (binding.kind === "pop") {
    const bound = await signToken(ctx, { ...claims, cnf: { kid: binding.kid } });
    return { ...result, body: { ...body, token_type: "pop", access_token: bound } };
  }
  const principal =
    typeof claims.preferred_username === "string" ? claims.preferred_username : typeof claims.azp === "string" ? claims.azp : "";
  const validFrom = claims.iat ?? Math.floor(request.now);
  let certificate;
  try {
    certificate = ctx.sshCertificateAuthority.issue({
      publicKey: binding.publicKey,
      keyId: binding.keyId,
      principals: [principal],
      validFrom,
      validUntil: claims.exp ?? validFrom + ctx.tokenLifetime,
    });
  } catch (err) {
    if (err instanceof UnusableSshKeyError) throw invalidConfirmation(err.message);
    throw err;
  }
  return { ...result, body: { ...body, token_type: "ssh-cert", access_token: certificate.blob } };
}
