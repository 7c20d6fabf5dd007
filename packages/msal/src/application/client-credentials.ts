/**
 * The client credentials grant (RFC 6749 §4.4), cache first.
 *
 * @module
 */
import type { TokenCacheEvent } from "../cache/index.js";
import { mergeClaims } from "../protocol/claims.js";
import { postTokenRequest } from "../protocol/token-request.js";
import type { AuthenticationResult, TokenResult } from "../protocol/wire.js";
import { invalidArgType } from "../errors.js";
import type { AppContext } from "./app-context.js";
import type { AcquireTokenForClientOptions } from "./options.js";
import { flightKey } from "./single-flight.js";
import {
  BEARER,
  checkResponseKind,
  checkTokenKind,
  dataTokenType,
  presentToken,
  requestedFromData,
  resolveRequestedToken,
  type RequestedToken,
} from "./requested-token.js";
import { authorityRefusal, errorResult, resultFromCache, resultFromTokenResponse } from "./results.js";
import { assertScopes } from "./scopes.js";
import { ApiId, CacheRefreshReason, newCorrelationId } from "./telemetry.js";

/** Access tokens with less than this many seconds left are not handed out. */
export const EXPIRY_MARGIN = 300;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

type Lookup =
  | { readonly hit: TokenResult }
  | { readonly reason: CacheRefreshReason; readonly aging?: TokenResult };

const ABSENT: Lookup = Object.freeze({ reason: CacheRefreshReason.AT_ABSENT });
const EXPIRED: Lookup = Object.freeze({ reason: CacheRefreshReason.AT_EXPIRED });

/**
 * Looks the app-only token up; a token past its `refresh_on` is kept as a fallback. Only a token of
 * the type asked for (and bound to the key asked for) answers.
 */
function lookup(
  ctx: AppContext,
  realm: string,
  scopes: readonly string[],
  tokenType: string,
  keyId: string | undefined,
  now: number,
): Lookup {
  // Two literals rather than a spread: this runs on every cache hit.
  const query =
    keyId === undefined
      ? { home_account_id: null, environment: ctx.environment, client_id: ctx.clientId, realm, scopes, token_type: tokenType }
      : { home_account_id: null, environment: ctx.environment, client_id: ctx.clientId, realm, scopes, token_type: tokenType, key_id: keyId };
  const entry = ctx.cache.findAccessTokenWithin(query, now, EXPIRY_MARGIN);
  // A token with less than five minutes left counts as expired for telemetry, as in MSAL Python.
  if (!entry) return entry === null ? EXPIRED : ABSENT;
  const result = resultFromCache(entry, now);
  if (result.refresh_on !== undefined && result.refresh_on <= now) {
    return { reason: CacheRefreshReason.AT_AGING, aging: result };
  }
  return { hit: result };
}

/**
 * Acquires a token for the app itself: from the cache when it holds one with five minutes or more
 * left, else from the authority. A token past its `refresh_on` is refreshed, and handed out still
 * when the refresh fails. With `authScheme`, the token is a PoP token and every result (a cache hit
 * too) carries a request signed for that call.
 */
export function acquireTokenForClient(
  ctx: AppContext,
  scopes: readonly string[],
  opts: AcquireTokenForClientOptions = {},
): Promise<AuthenticationResult> {
  try {
    assertScopes(scopes);
    if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
    if (opts.data !== undefined || opts.authScheme !== undefined) checkTokenKind(opts);
  } catch (e) {
    return Promise.reject(e);
  }
  const useCache = !opts.forceRefresh && !opts.claimsChallenge;
  const meta = ctx.metadata;
  if (useCache && meta && opts.authScheme === undefined) {
    // The hot path: no await, no copy of the cache, nothing logged.
    const data = opts.data;
    const found =
      data === undefined
        ? lookup(ctx, meta.tenant, scopes, BEARER, undefined, nowSeconds())
        : lookup(ctx, meta.tenant, scopes, dataTokenType(data), data.key_id || undefined, nowSeconds());
    if ("hit" in found) {
      ctx.telemetry.hitAnAccessToken();
      return Promise.resolve(found.hit);
    }
    return sharedRequest(ctx, scopes, opts, requestedFromData(data), found);
  }
  if (useCache && opts.authScheme === undefined) return sharedRequest(ctx, scopes, opts, undefined, undefined);
  return requestToken(ctx, scopes, opts, undefined, useCache ? undefined : { reason: CacheRefreshReason.FORCE_REFRESH });
}

/**
 * A cache miss's request, shared by every call of this app that misses the same token at the same
 * time: one request, its outcome for all, and each call's `signal` ends only that call's wait (see
 * `SingleFlight`). Only plain misses share: a `forceRefresh` or `claimsChallenge` call wants
 * a token issued after it was made, and a PoP result carries a request signed for its own call.
 * The app fixes the client, credential and authority; the key adds the scopes and `data` (which
 * carries the token type and key id of an SSH certificate).
 */
function sharedRequest(
  ctx: AppContext,
  scopes: readonly string[],
  opts: AcquireTokenForClientOptions,
  requested: RequestedToken | undefined,
  found: Exclude<Lookup, { hit: TokenResult }> | undefined,
): Promise<AuthenticationResult> {
  // Without `data` (the common case) a plain join will do: cheaper than flightKey's sorted JSON.
  const key =
    opts.data === undefined
      ? `client_credentials ${scopes.length === 1 ? scopes[0] : [...scopes].sort().join(" ")}`
      : flightKey("client_credentials", [...scopes].sort(), opts.data);
  return ctx.flights.join(key, opts.signal, (signal) =>
    // The request runs under the flight's signal; there is none when the first caller had none.
    requestToken(ctx, scopes, signal === undefined ? withoutSignal(opts) : { ...opts, signal }, requested, found),
  );
}

function withoutSignal(opts: AcquireTokenForClientOptions): AcquireTokenForClientOptions {
  if (opts.signal === undefined) return opts;
  const { signal: _own, ...rest } = opts;
  return rest;
}

async function requestToken(
  ctx: AppContext,
  scopes: readonly string[],
  opts: AcquireTokenForClientOptions,
  requested: RequestedToken | undefined,
  found: Exclude<Lookup, { hit: TokenResult }> | undefined,
): Promise<AuthenticationResult> {
  opts.signal?.throwIfAborted();
  let meta = ctx.metadata;
  try {
    meta ??= await ctx.resolveMetadata(opts.signal);
  } catch (e) {
    const refused = authorityRefusal(e);
    if (refused) return errorResult(refused, newCorrelationId());
    throw e;
  }
  requested ??= await resolveRequestedToken(ctx, opts);
  const pop = requested.pop;
  if (!found) {
    const again = lookup(ctx, meta.tenant, scopes, requested.tokenType, requested.keyId, nowSeconds());
    if ("hit" in again) {
      ctx.telemetry.hitAnAccessToken();
      return presentToken(again.hit, pop);
    }
    found = again;
  }
  const claims = mergeClaims(opts.claimsChallenge, ctx.clientCapabilities);
  const correlationId = newCorrelationId();
  const aging = found.aging && presentToken(found.aging, pop);
  try {
    // A regional endpoint (ESTS-R) when the app has a region; the assertion's audience stays central.
    const endpoint = ctx.region ? await ctx.region.tokenEndpoint(ctx.http, meta.token_endpoint, opts.signal) : meta.token_endpoint;
    // A secret's parameters come synchronously: awaiting them would only cost a turn.
    const pending = ctx.clientAuth(meta.token_endpoint, nowSeconds());
    const auth = pending instanceof Promise ? await pending : pending;
    const body = {
      client_id: ctx.clientId,
      grant_type: "client_credentials",
      scope: scopes.length === 1 ? scopes[0] : [...scopes].sort().join(" "),
      client_info: "1",
      claims,
      ...auth,
      ...requested.wireData,
    };
    const headers = Object.assign(ctx.telemetry.headers(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, correlationId, found.reason), ctx.headers);
    const outcome = await postTokenRequest(ctx.http, endpoint, body, headers, opts.signal);
    const now = nowSeconds();
    if (!outcome.ok) {
      ctx.telemetry.record(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, correlationId, outcome.error);
      return aging ?? errorResult(outcome.error, correlationId);
    }
    ctx.telemetry.record(ApiId.ACQUIRE_TOKEN_FOR_CLIENT_ID, correlationId, outcome.response);
    checkResponseKind(outcome.response, pop);
    const event: TokenCacheEvent = {
      client_id: ctx.clientId,
      scope: scopes,
      token_endpoint: meta.token_endpoint,
      grant_type: "client_credentials",
      response: outcome.response,
      environment: ctx.environment,
    };
    ctx.cache.add(requested.cacheData ? { ...event, data: requested.cacheData } : event, now);
    return presentToken(resultFromTokenResponse(outcome.response, now), pop);
  } catch (e) {
    // An aging token is still good: the refresh was a courtesy (MSAL Python does the same).
    if (aging && !(e instanceof Error && e.name === "AbortError")) return aging;
    throw e;
  }
}

/** Removes this app's own tokens (not its users') from the cache, in every alias of its authority. */
export async function removeTokensForClient(ctx: AppContext): Promise<void> {
  const environments = await ctx.aliases();
  ctx.cache.removeAccessTokensForClient(ctx.clientId, environments.length ? environments : [ctx.environment]);
}
