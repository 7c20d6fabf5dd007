/**
 * The on-behalf-of flow: a web API exchanges the token it was called with for a token to another
 * API, as the same user. Unlike MSAL Python, repeated calls with the same incoming token are
 * answered from the cache.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { invalidArgType } from "../errors.js";
import { mergeClaims } from "../protocol/index.js";
import type { AuthenticationResult, TokenResult } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import { lookUpCachedToken } from "./cached-token.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { checkTokenKind, presentToken, resolveRequestedToken, tokenKindQuery } from "./requested-token.js";
import { errorResult } from "./results.js";
import { assertScopes, decorateScopes } from "./scopes.js";
import { ApiId, CacheRefreshReason, newCorrelationId } from "./telemetry.js";
import { acceptTokens, exchange, metadataOrRefusal, nowSeconds } from "./token-exchange.js";

/** Options of `acquireTokenOnBehalfOf`. */
export interface AcquireTokenOnBehalfOfOptions {
  /** A claims challenge from the downstream API (a JSON string); skips the cache. */
  readonly claimsChallenge?: string;
  /** Skip the cache and ask the authority. */
  readonly forceRefresh?: boolean;
  /** Extra body parameters for the token request. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /** Cancels the call (discovery and token request); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** base64url SHA-256 of the incoming assertion: the `userAssertionHash` MSAL Node also writes. */
export function userAssertionHash(assertion: string): string {
  return createHash("sha256").update(assertion, "utf8").digest("base64url");
}

/**
 * Acquires a token for a downstream API on behalf of the user whose token `userAssertion` is. The
 * tokens are cached under the assertion's hash, so the same assertion is served from the cache
 * until the token nears expiry; a token past `refresh_on` is renewed, and handed out still when the
 * renewal fails.
 */
export async function acquireTokenOnBehalfOf(
  ctx: AppContext,
  userAssertion: string,
  scopes: readonly string[],
  opts: AcquireTokenOnBehalfOfOptions = {},
): Promise<AuthenticationResult> {
  if (typeof userAssertion !== "string" || !userAssertion) {
    throw invalidArgType("userAssertion must be the access token your API was called with");
  }
  assertScopes(scopes);
  // Decorated here, before the cache is consulted, so that reserved scopes are refused whatever the
  // cache holds (a cached token's target includes openid and profile).
  const decorated = decorateScopes(scopes, ctx.excludeScopes);
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  checkTokenKind(opts);
  const correlationId = newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;
  const { meta } = resolved;
  const hash = userAssertionHash(userAssertion);
  const requested = await resolveRequestedToken(ctx, opts);
  let reason: CacheRefreshReason = CacheRefreshReason.FORCE_REFRESH;
  let aging: TokenResult | undefined;
  if (!opts.forceRefresh && !opts.claimsChallenge) {
    const now = nowSeconds();
    const query = {
      user_assertion_hash: hash,
      environment: ctx.environment,
      client_id: ctx.clientId,
      realm: meta.tenant,
      scopes,
      ...tokenKindQuery(requested),
    };
    const found = lookUpCachedToken(
      (minRemainingSeconds) => ctx.cache.findAccessTokenForUserAssertion(query, { now, minRemainingSeconds }),
      now,
      (result) => presentToken(result, requested.pop),
    );
    if ("hit" in found) {
      ctx.telemetry.hitAnAccessToken();
      return found.hit;
    }
    aging = found.aging;
    reason = found.reason;
  }
  try {
    const outcome = await exchange(ctx, meta, {
      apiId: ApiId.ACQUIRE_TOKEN_ON_BEHALF_OF_ID,
      reason,
      correlationId,
      body: {
        grant_type: JWT_BEARER,
        assertion: userAssertion,
        requested_token_use: "on_behalf_of",
        scope: decorated.join(" "),
        claims: mergeClaims(opts.claimsChallenge, ctx.clientCapabilities),
      },
      data: requested.wireData,
      signal: opts.signal,
    });
    if (!outcome.ok) return aging ?? errorResult(outcome.error, correlationId);
    return acceptTokens(ctx, meta, outcome.response, {
      scopes,
      grantType: JWT_BEARER,
      environment: ctx.environment,
      data: requested.cacheData,
      pop: requested.pop,
      userAssertionHash: hash,
    });
  } catch (e) {
    if (aging && !(e instanceof Error && e.name === "AbortError")) return aging;
    throw e;
  }
}
