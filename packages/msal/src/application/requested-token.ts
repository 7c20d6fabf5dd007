/**
 * The kind of token an acquire call asks for — Bearer, proof-of-possession (PoP) or an SSH
 * certificate — worked out from its `authScheme` and `data`: what goes on the wire, which cached
 * tokens can answer it, what the cache records, and how the result is presented.
 *
 * PoP and SSH-certificate tokens are cached as MSAL Python caches them (`credential_type`
 * `AccessToken`, with `token_type` and `key_id`), and a lookup only ever returns a token of the
 * type and key the call asks for: a Bearer call never gets a PoP token or a certificate, nor the
 * other way round.
 *
 * @module
 */
import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";
import { generatePopKey, preparePopKey, signHttpRequest } from "../protocol/index.js";
import type { PopSigningKey, TokenEndpointResponse, TokenResult } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import { PopAuthScheme } from "./pop-auth-scheme.js";

/** The options every acquire method shares for choosing its token's kind. */
export interface TokenKindOptions {
  /** Extra body parameters; `token_type`, `req_cnf` and `key_id` choose an SSH certificate. */
  readonly data?: Readonly<Record<string, string>> | undefined;
  /** A proof-of-possession token for one HTTP request instead of a bearer token. */
  readonly authScheme?: PopAuthScheme | undefined;
}

/** A PoP request's scheme with its key: what signs the HTTP request a result carries. */
export interface PopBinding {
  readonly scheme: PopAuthScheme;
  readonly key: PopSigningKey;
}

/** What an acquire call asks for, resolved. */
export interface RequestedToken {
  /** The `token_type` a cached token must have (`Bearer` when the call names none). */
  readonly tokenType: string;
  /** The `key_id` a cached token must have, when the token is bound to a key. */
  readonly keyId: string | undefined;
  /** The body parameters the call adds to its grant's: the caller's `data`, and PoP's `token_type` and `req_cnf`. */
  readonly wireData: Readonly<Record<string, string>> | undefined;
  /** The `data` the cache write sees (it records `key_id` from it). */
  readonly cacheData: Readonly<Record<string, string>> | undefined;
  /** Set for an `authScheme` call. */
  readonly pop: PopBinding | undefined;
}

/** The token types msal-ts treats specially; any other comes from `data` and is only relayed. */
const SSH_CERT = "ssh-cert";
const POP = "pop";
/** The token type of a call that names none. */
export const BEARER = "Bearer";

/**
 * Checks `data` and `authScheme` before anything is sent: `data` must be an object of strings; an
 * SSH certificate (`token_type: "ssh-cert"`) needs `req_cnf` (the public key as a JWK) and
 * `key_id`; an `authScheme` must be a {@link PopAuthScheme} and leaves `token_type`, `req_cnf`
 * and `key_id` to itself.
 *
 * @throws TypeError naming what is missing or wrong.
 */
export function checkTokenKind(opts: TokenKindOptions): void {
  const { data, authScheme } = opts;
  if (data !== undefined) {
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw invalidArgType("data must be an object of strings");
    for (const [name, value] of Object.entries(data)) {
      if (typeof value !== "string") throw invalidArgType(`data.${name} must be a string`);
    }
    if (data.token_type === SSH_CERT) {
      if (!data.req_cnf) {
        throw invalidArgValue("data.req_cnf is required for an SSH certificate (token_type \"ssh-cert\"): the public key as a JWK (RFC 7517) JSON string");
      }
      if (!data.key_id) {
        throw invalidArgValue("data.key_id is required for an SSH certificate (token_type \"ssh-cert\"): an identifier of the key in req_cnf");
      }
    }
  }
  if (authScheme !== undefined) {
    if (!(authScheme instanceof PopAuthScheme)) throw invalidArgType("authScheme must be a PopAuthScheme");
    for (const name of ["token_type", "req_cnf", "key_id"]) {
      if (data !== undefined && Object.hasOwn(data, name)) {
        throw invalidArgValue(`data.${name} cannot be combined with authScheme, which sets it`);
      }
    }
  }
}

/**
 * The token type a call without `authScheme` asks for: `data.token_type`, else `Bearer`. Cheap
 * enough for the cache-hit path.
 */
export function dataTokenType(data: Readonly<Record<string, string>> | undefined): string {
  return data?.token_type || BEARER;
}

/** What a call without `data` or `authScheme` asks for. */
const PLAIN_BEARER: RequestedToken = Object.freeze({ tokenType: BEARER, keyId: undefined, wireData: undefined, cacheData: undefined, pop: undefined });

/** A call without `authScheme`: everything comes from `data`. */
export function requestedFromData(data: Readonly<Record<string, string>> | undefined): RequestedToken {
  if (data === undefined) return PLAIN_BEARER;
  return { tokenType: dataTokenType(data), keyId: data?.key_id || undefined, wireData: data, cacheData: data, pop: undefined };
}

const appKeys = new WeakMap<AppContext, Promise<PopSigningKey>>();
const givenKeys = new WeakMap<object, Promise<PopSigningKey>>();

/** Prepares a key once per key object (or per app for the generated key); a failure is not kept. */
function once<K extends object>(map: WeakMap<K, Promise<PopSigningKey>>, owner: K, make: () => Promise<PopSigningKey>): Promise<PopSigningKey> {
  let key = map.get(owner);
  if (key === undefined) {
    key = make();
    map.set(owner, key);
    key.catch(() => map.delete(owner));
  }
  return key;
}

/** The key a PoP call binds its token to: the scheme's own, else the application instance's. */
function popKeyFor(ctx: AppContext, scheme: PopAuthScheme): Promise<PopSigningKey> {
  const given = scheme.key;
  if (given !== undefined) return once(givenKeys, given, () => preparePopKey(given));
  return once(appKeys, ctx, async () => preparePopKey(await generatePopKey()));
}

/**
 * Resolves what a call asks for. A PoP call sends `token_type=pop` and `req_cnf`, and its token is
 * cached with `key_id` = the key's thumbprint (not sent: the authority learns the key from `req_cnf`).
 *
 * @param ctx The application.
 * @param opts The call's `data` and `authScheme`, checked by {@link checkTokenKind}.
 */
export async function resolveRequestedToken(ctx: AppContext, opts: TokenKindOptions): Promise<RequestedToken> {
  const scheme = opts.authScheme;
  if (scheme === undefined) return requestedFromData(opts.data);
  const key = await popKeyFor(ctx, scheme);
  return {
    tokenType: POP,
    keyId: key.kid,
    wireData: { ...opts.data, token_type: POP, req_cnf: key.reqCnf },
    cacheData: { ...opts.data, key_id: key.kid },
    pop: { scheme, key },
  };
}

/**
 * The cache query fields that keep token kinds apart.
 *
 * @returns `token_type`, and `key_id` when the token is bound to a key.
 */
export function tokenKindQuery(requested: RequestedToken): { readonly token_type: string; readonly key_id?: string } {
  return requested.keyId === undefined ? { token_type: requested.tokenType } : { token_type: requested.tokenType, key_id: requested.keyId };
}

/**
 * Refuses a response that is not the PoP token asked for: signing a request over a bearer token
 * would hand the resource a token anyone holding it could replay.
 *
 * @throws MsalError `ERR_INVALID_RESPONSE` when a PoP call got another `token_type` back.
 */
export function checkResponseKind(response: TokenEndpointResponse, pop: PopBinding | undefined): void {
  if (pop === undefined) return;
  const type = typeof response.token_type === "string" ? response.token_type : "";
  if (type.toLowerCase() !== POP) {
    throw new MsalError(
      "ERR_INVALID_RESPONSE",
      `A proof-of-possession token was asked for, but the authority answered with token_type ${JSON.stringify(type || BEARER)}; nothing was cached.`,
    );
  }
}

/**
 * What the caller receives: for a PoP call, the result with `access_token` replaced by a freshly
 * signed HTTP request for the scheme's method, URL and nonce, and `token_type: "pop"`; otherwise
 * the result as it is.
 *
 * @param result A token result (from the authority or the cache).
 * @param pop The call's PoP binding, if any.
 * @param now The SHR's `ts`, epoch seconds; the system clock by default.
 */
export function presentToken<R extends TokenResult>(result: R, pop: PopBinding | undefined, now?: number): R {
  if (pop === undefined) return result;
  const { scheme, key } = pop;
  const shr = signHttpRequest({
    accessToken: result.access_token,
    method: scheme.httpMethod,
    url: scheme.url,
    nonce: scheme.nonce,
    key,
    ...(now !== undefined ? { now } : {}),
  });
  return { ...result, access_token: shr, token_type: POP };
}
