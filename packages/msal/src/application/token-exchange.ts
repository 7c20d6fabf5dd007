/**
 * What every user flow does around its token request: client authentication, the telemetry and
 * library headers, the request itself, and — on success — the ID token checks, the cache write and
 * the result.
 *
 * @module
 */
import type { AuthorityMetadata } from "../authority/index.js";
import type { TokenCacheEvent } from "../cache/index.js";
import { decodeIdToken, postTokenRequest, validateIdTokenClaims } from "../protocol/index.js";
import type { ErrorResult, TokenEndpointResponse, TokenOutcome, TokenResult } from "../protocol/index.js";
import type { AppContext, AuthorityTarget } from "./app-context.js";
import { checkResponseKind, presentToken, type PopBinding } from "./requested-token.js";
import { authorityRefusal, errorResult, resultFromTokenResponse } from "./results.js";
import type { ApiId, CacheRefreshReason } from "./telemetry.js";

/** The current time, in whole epoch seconds. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** One token request of a call. */
export interface ExchangeRequest {
  readonly apiId: ApiId;
  readonly reason: CacheRefreshReason;
  readonly correlationId: string;
  /** The grant's own fields (`grant_type`, `code`, `scope`, `claims` …); empty values are not sent. */
  readonly body: Readonly<Record<string, string | undefined>>;
  /** Per-request headers, e.g. `X-AnchorMailbox`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The caller's extra body fields (`data`); they win over the grant's. */
  readonly data?: Readonly<Record<string, string>> | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Sends one token request to the authority's token endpoint, authenticated as the app, and records
 * its outcome for telemetry.
 */
export async function exchange(ctx: AppContext, meta: AuthorityMetadata, request: ExchangeRequest): Promise<TokenOutcome> {
  request.signal?.throwIfAborted();
  const auth = await ctx.clientAuth(meta.token_endpoint, nowSeconds());
  // Scopes go out sorted, as MSAL Python sends them: the same request always has the same body.
  const scope = request.body.scope?.split(" ").filter((s) => s !== "").sort().join(" ");
  const body = { client_id: ctx.clientId, ...request.body, scope, client_info: "1", ...auth, ...request.data };
  const headers = Object.assign(
    ctx.telemetry.headers(request.apiId, request.correlationId, request.reason),
    request.headers,
    ctx.headers,
  );
  const outcome = await postTokenRequest(ctx.http, meta.token_endpoint, body, headers, request.signal);
  ctx.telemetry.record(request.apiId, request.correlationId, outcome.ok ? outcome.response : outcome.error);
  return outcome;
}

/** How a successful user-flow response is checked and written to the cache. */
export interface AcceptOptions {
  /** The scopes requested (the cache uses the response's `scope` when there is one). */
  readonly scopes: readonly string[];
  readonly grantType: string;
  /** The cache environment: the host of the authority the request went to. */
  readonly environment: string;
  /** The `nonce` the ID token must carry, as sent on the wire. */
  readonly nonce?: string | undefined;
  /** `max_age` sent on the authorization request: the ID token's `auth_time` must honour it. */
  readonly maxAge?: number | undefined;
  readonly data?: Readonly<Record<string, string>> | undefined;
  /** For the cache's `username` fallback (federated sign-in). */
  readonly username?: string | undefined;
  /** A silent refresh: no Account entry is written. */
  readonly skipAccountCreation?: boolean;
  /** The caller stores the response's refresh token itself (a refresh updates the used one in place). */
  readonly omitRefreshToken?: boolean;
  /** On-behalf-of: the hash of the incoming assertion, written on the tokens. */
  readonly userAssertionHash?: string | undefined;
  /** A PoP call: the response must be a PoP token, and the result carries a signed HTTP request. */
  readonly pop?: PopBinding | undefined;
}

/**
 * Checks a token response's ID token (issuer, audience, lifetime, nonce, `auth_time`), writes the
 * tokens to the cache, and builds the result with `id_token_claims`. A failed check throws
 * `IdTokenError` and writes nothing; so does a PoP call answered with another token type
 * (`MsalError` `ERR_INVALID_RESPONSE`).
 */
export function acceptTokens(
  ctx: AppContext,
  meta: AuthorityMetadata,
  response: TokenEndpointResponse,
  options: AcceptOptions,
): TokenResult {
  const now = nowSeconds();
  checkResponseKind(response, options.pop);
  let claims: Readonly<Record<string, unknown>> | undefined;
  if (typeof response.id_token === "string" && response.id_token) {
    claims = decodeIdToken(response.id_token);
    validateIdTokenClaims(claims, {
      clientId: ctx.clientId,
      // Entra's documents and tokens agree on the issuer; B2C, CIAM, AD FS and other OpenID
      // providers have several legitimate forms, so there `iss` is left unchecked, as MSALs do.
      issuer: ctx.authority.kind === "aad" ? meta.issuer : undefined,
      nonce: options.nonce,
      maxAge: options.maxAge,
      now,
    });
  }
  let cached: TokenEndpointResponse = claims ? { ...response, id_token_claims: claims } : response;
  if (options.omitRefreshToken && cached.refresh_token !== undefined) {
    const { refresh_token: _omitted, ...rest } = cached;
    cached = rest as TokenEndpointResponse;
  }
  const event: TokenCacheEvent = {
    client_id: ctx.clientId,
    scope: options.scopes,
    token_endpoint: meta.token_endpoint,
    grant_type: options.grantType,
    response: cached,
    environment: options.environment,
    ...(options.data ? { data: options.data } : {}),
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.skipAccountCreation ? { skip_account_creation: true } : {}),
    ...(options.userAssertionHash ? { user_assertion_hash: options.userAssertionHash } : {}),
  };
  ctx.cache.add(event, now);
  return presentToken(resultFromTokenResponse(response, now, claims ? { id_token_claims: claims } : undefined), options.pop);
}

/**
 * The `X-AnchorMailbox` routing hint with the given value. The hint is optional, so a value a
 * header cannot carry (a control character or non-ASCII text, from a malformed client_info or
 * a foreign cache entry) leaves it out: fetch would refuse the whole request.
 */
export function anchorMailbox(value: string): Record<string, string> {
  return /^[\x20-\x7e]+$/.test(value) ? { "X-AnchorMailbox": value } : {};
}

/**
 * The `X-AnchorMailbox` routing hint for an account (`Oid:{uid}@{utid}`), from its
 * `home_account_id`; none for an id that is not `uid.utid` shaped.
 */
export function anchorForAccount(homeAccountId: string): Record<string, string> {
  const dot = homeAccountId.indexOf(".");
  return dot > 0 && dot < homeAccountId.length - 1 ? anchorMailbox(`Oid:${homeAccountId.slice(0, dot)}@${homeAccountId.slice(dot + 1)}`) : {};
}

/**
 * The endpoints of a call's authority; when the authority itself refused discovery (an unknown
 * tenant), that refusal as an error result, since it is a service outcome.
 */
export async function metadataOrRefusal(
  ctx: AppContext,
  target: AuthorityTarget,
  correlationId: string,
  signal?: AbortSignal,
): Promise<{ readonly meta: AuthorityMetadata } | { readonly refused: ErrorResult }> {
  try {
    return { meta: await ctx.metadataOf(target, signal) };
  } catch (e) {
    const refused = authorityRefusal(e);
    if (refused) return { refused: errorResult(refused, correlationId) };
    throw e;
  }
}
