/**
 * Refresh tokens: the silent flow's redemption of an account's refresh tokens (family tokens
 * first, then the app's own), and the migration of a refresh token obtained elsewhere.
 *
 * @module
 */
import type { AuthorityMetadata } from "../authority/index.js";
import type { RefreshTokenEntry } from "../cache/index.js";
import { invalidArgType, invalidArgValue } from "../errors.js";
import { classifyError, mergeClaims } from "../protocol/index.js";
import type { AuthenticationResult, ErrorResult, TokenResult } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { checkTokenKind, resolveRequestedToken, type PopBinding } from "./requested-token.js";
import { errorResult } from "./results.js";
import { assertScopes, decorateScopes } from "./scopes.js";
import { ApiId, CacheRefreshReason, newCorrelationId } from "./telemetry.js";
import { acceptTokens, anchorForAccount, exchange, metadataOrRefusal, nowSeconds } from "./token-exchange.js";

/** The family every FOCI app belongs to. */
const FAMILY_ID = "1";

/** One silent call's refresh: who, for what, and how it is reported. */
export interface AccountRefresh {
  readonly homeAccountId: string;
  /** The cache environment the refresh tokens live in (the authority's host). */
  readonly environment: string;
  readonly scopes: readonly string[];
  readonly claims: string | undefined;
  readonly reason: CacheRefreshReason;
  readonly correlationId: string;
  /** Extra body parameters of the requests. */
  readonly data?: Readonly<Record<string, string>> | undefined;
  /** The `data` the cache write sees (its `key_id`); `data` when absent. */
  readonly cacheData?: Readonly<Record<string, string>> | undefined;
  /** A PoP call's scheme and key. */
  readonly pop?: PopBinding | undefined;
  readonly signal?: AbortSignal | undefined;
}

function hasClientMismatch(error: ErrorResult): boolean {
  const info = error["error_additional_info"];
  return Array.isArray(info) ? info.some((v) => String(v).includes("client_mismatch")) : String(info ?? "").includes("client_mismatch");
}

/**
 * Redeems the account's refresh tokens until one works, in MSAL's order: when this app has never
 * obtained a token in this environment, any family token (it may turn out to be in the family);
 * when the app is a known family member, its family's tokens; then the app's own tokens. Within a
 * group, newest first. A refresh token is never deleted because of an error (an `invalid_grant`
 * may only mean a second factor is due).
 *
 * @returns The first success; otherwise the last error (with `classification`) of the family's or
 *   the app's own tokens, or `null` when there was none to try. A first-use probe of family tokens
 *   reports nothing when it fails.
 */
export async function refreshAccount(ctx: AppContext, meta: AuthorityMetadata, r: AccountRefresh): Promise<AuthenticationResult | null> {
  // Each token is redeemed once per call; its refusal is remembered for a later group holding it too.
  const tried = new Map<string, ErrorResult>();
  let lastError: ErrorResult | undefined;
  const account = { home_account_id: r.homeAccountId, environment: r.environment };
  const tryAll = async (tokens: readonly RefreshTokenEntry[], probe: boolean): Promise<TokenResult | undefined> => {
    for (const token of tokens) {
      let error = tried.get(token.secret);
      if (error === undefined) {
        const result = await redeemCachedRefreshToken(ctx, meta, token, r);
        if (!("error" in result)) return result;
        tried.set(token.secret, (error = result));
      }
      // A probe's refusal is not reported: those tokens are likely not this app's, so an app
      // outside the family sees "nothing to refresh with" rather than the family's client_mismatch
      // (MSAL Python reports only the errors of its family's and its own tokens).
      if (probe) {
        if (hasClientMismatch(error)) break;
      } else {
        lastError = error;
      }
    }
    return undefined;
  };
  const appMetadata = ctx.cache.getAppMetadata(ctx.clientId, r.environment);
  if (appMetadata === undefined) {
    // Never used here before: any family token may work, if this app turns out to be in the family.
    const success = await tryAll(ctx.cache.findRefreshTokens({ ...account, family_id: FAMILY_ID }), true);
    if (success) return success;
  } else if (typeof appMetadata.family_id === "string" && appMetadata.family_id) {
    const success = await tryAll(ctx.cache.findRefreshTokens({ ...account, family_id: appMetadata.family_id }), false);
    if (success) return success;
  }
  const success = await tryAll(ctx.cache.findRefreshTokens({ ...account, client_id: ctx.clientId }), false);
  if (success) return success;
  return lastError ?? null;
}

/** Redeems one cached refresh token; on success the used entry gets the new secret in place. */
async function redeemCachedRefreshToken(
  ctx: AppContext,
  meta: AuthorityMetadata,
  token: RefreshTokenEntry,
  r: AccountRefresh,
): Promise<AuthenticationResult> {
  const scopes = decorateScopes(r.scopes, ctx.excludeScopes);
  const outcome = await exchange(ctx, meta, {
    apiId: ApiId.ACQUIRE_TOKEN_SILENT_ID,
    reason: r.reason,
    correlationId: r.correlationId,
    body: { grant_type: "refresh_token", refresh_token: token.secret, scope: scopes.join(" "), claims: r.claims },
    headers: anchorForAccount(r.homeAccountId),
    data: r.data,
    signal: r.signal,
  });
  if (!outcome.ok) return classifyError(errorResult(outcome.error, r.correlationId));
  const result = acceptTokens(ctx, meta, outcome.response, {
    scopes: r.scopes,
    grantType: "refresh_token",
    environment: r.environment,
    data: r.cacheData ?? r.data,
    pop: r.pop,
    skipAccountCreation: true,
    omitRefreshToken: true,
  });
  if (typeof outcome.response.refresh_token === "string" && outcome.response.refresh_token) {
    ctx.cache.updateRefreshToken(token, outcome.response.refresh_token, nowSeconds());
  }
  return result;
}

/** Options of `acquireTokenByRefreshToken`. */
export interface AcquireTokenByRefreshTokenOptions {
  /** Extra body parameters for the token request. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /** Cancels the call (discovery and token request); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Migrates a refresh token obtained elsewhere (another library, an older app) into this app's
 * cache: redeems it, and stores what comes back — the account, its tokens, and the new refresh
 * token (or, when the authority sent none, the one given).
 */
export async function acquireTokenByRefreshToken(
  ctx: AppContext,
  refreshToken: string,
  scopes: readonly string[],
  opts: AcquireTokenByRefreshTokenOptions = {},
): Promise<AuthenticationResult> {
  if (typeof refreshToken !== "string" || !refreshToken) throw invalidArgType("refreshToken must be a non-empty string");
  assertScopes(scopes);
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  if (opts.data !== undefined && (typeof opts.data !== "object" || opts.data === null)) throw invalidArgValue("data must be an object of strings");
  checkTokenKind(opts);
  const correlationId = newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;
  const { meta } = resolved;
  const requested = await resolveRequestedToken(ctx, opts);
  const outcome = await exchange(ctx, meta, {
    apiId: ApiId.ACQUIRE_TOKEN_BY_REFRESH_TOKEN,
    reason: CacheRefreshReason.FORCE_REFRESH,
    correlationId,
    body: {
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      scope: decorateScopes(scopes, ctx.excludeScopes).join(" "),
      claims: mergeClaims(undefined, ctx.clientCapabilities),
    },
    data: requested.wireData,
    signal: opts.signal,
  });
  if (!outcome.ok) return errorResult(outcome.error, correlationId);
  const response = outcome.response.refresh_token ? outcome.response : { ...outcome.response, refresh_token: refreshToken };
  const result = acceptTokens(ctx, meta, response, {
    scopes,
    grantType: "refresh_token",
    environment: ctx.environment,
    data: requested.cacheData,
    pop: requested.pop,
  });
  return result;
}
