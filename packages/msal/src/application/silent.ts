/**
 * Silent acquisition for a signed-in account: the cache first, then the account's refresh tokens,
 * then the same again in the authority's alias environments.
 *
 * @module
 */
import type { AuthorityMetadata } from "../authority/index.js";
import { invalidArgType } from "../errors.js";
import { mergeClaims } from "../protocol/index.js";
import type { AuthenticationResult, TokenResult } from "../protocol/index.js";
import type { Account } from "./accounts.js";
import type { AppContext, AuthorityTarget } from "./app-context.js";
import { lookUpCachedToken } from "./cached-token.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { refreshAccount } from "./refresh.js";
import { checkTokenKind, presentToken, resolveRequestedToken, tokenKindQuery, type RequestedToken } from "./requested-token.js";
import { authorityRefusal, errorResult } from "./results.js";
import { assertScopes, decorateScopes } from "./scopes.js";
import { flightKey } from "./single-flight.js";
import { CacheRefreshReason, newCorrelationId } from "./telemetry.js";
import { nowSeconds } from "./token-exchange.js";

/** Options of `acquireTokenSilent` and `acquireTokenSilentWithError`. */
export interface AcquireTokenSilentOptions {
  /** Another authority of the same cloud (e.g. another tenant) to get the token from. */
  readonly authority?: string;
  /** Skip cached access tokens and redeem a refresh token. */
  readonly forceRefresh?: boolean;
  /** A claims challenge from a resource (a JSON string); skips cached access tokens. */
  readonly claimsChallenge?: string;
  /**
   * Extra body parameters; `key_id` also selects the cached token bound to that key, and
   * `token_type: "ssh-cert"` (with `req_cnf` and `key_id`) asks for an SSH certificate.
   */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /**
   * Cancels this call: it rejects with the signal's `reason` (by default a `DOMException` named
   * `AbortError`). A token request other calls share goes on for them; it is cancelled only when
   * every call waiting for it is.
   */
  readonly signal?: AbortSignal;
}

function checkAccount(account: unknown): asserts account is Account {
  if (typeof account !== "object" || account === null || typeof (account as Account).home_account_id !== "string") {
    throw invalidArgType("account must be one of the objects getAccounts() returned");
  }
}

/**
 * Acquires a token for an account without user interaction.
 *
 * @returns A token result; an error result when a refresh was attempted and failed (with
 *   `classification`); `null` when there is nothing to refresh with, or when `account` is null.
 */
export async function acquireTokenSilentWithError(
  ctx: AppContext,
  scopes: readonly string[],
  account: Account | null | undefined,
  opts: AcquireTokenSilentOptions = {},
): Promise<AuthenticationResult | null> {
  if (account === null || account === undefined) return null;
  assertScopes(scopes);
  // Reserved scopes are refused up front, not only when a refresh decorates them: MSAL Python
  // rejects them on the network path alone, so a cache hit would hand out some other resource's
  // token for ["openid"]; the answer should not depend on what the cache holds.
  decorateScopes(scopes, ctx.excludeScopes);
  checkAccount(account);
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  checkTokenKind(opts);
  const correlationId = newCorrelationId();
  const target = ctx.target(opts.authority);
  const requested = await resolveRequestedToken(ctx, opts);
  const first = await silentAt(ctx, target, scopes, account, opts, requested, correlationId);
  if (first !== null && !("error" in first)) return first;
  if (opts.authority !== undefined) return first;
  // Tokens another MSAL wrote under an alias host (login.windows.net for login.microsoftonline.com).
  for (const alias of await ctx.aliases(opts.signal)) {
    if (alias === ctx.environment) continue;
    if (ctx.cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: alias }).length === 0) continue;
    const port = target.descriptor.instance.slice(target.descriptor.host.length);
    const aliasTarget = ctx.target(`https://${alias}${port}${target.descriptor.path}`);
    const result = await silentAt(ctx, aliasTarget, scopes, account, opts, requested, correlationId);
    if (result !== null && !("error" in result)) return result;
  }
  return first;
}

/**
 * Acquires a token for an account without user interaction.
 *
 * @returns A token result, or `null` when none can be had silently (whatever the reason).
 */
export async function acquireTokenSilent(
  ctx: AppContext,
  scopes: readonly string[],
  account: Account | null | undefined,
  opts: AcquireTokenSilentOptions = {},
): Promise<TokenResult | null> {
  const result = await acquireTokenSilentWithError(ctx, scopes, account, opts);
  return result === null || "error" in result ? null : result;
}

/** One authority's attempt: a cached access token, else a refresh (falling back to an aging token). */
async function silentAt(
  ctx: AppContext,
  target: AuthorityTarget,
  scopes: readonly string[],
  account: Account,
  opts: AcquireTokenSilentOptions,
  requested: RequestedToken,
  correlationId: string,
): Promise<AuthenticationResult | null> {
  opts.signal?.throwIfAborted();
  let reason: CacheRefreshReason = CacheRefreshReason.FORCE_REFRESH;
  let aging: TokenResult | undefined;
  let meta: AuthorityMetadata | undefined;
  try {
    if (!opts.forceRefresh && !opts.claimsChallenge) {
      const realm = ctx.knownRealm(target) ?? (meta = await ctx.metadataOf(target, opts.signal)).tenant;
      const now = nowSeconds();
      const query = {
        home_account_id: account.home_account_id,
        environment: target.environment,
        client_id: ctx.clientId,
        realm,
        scopes,
        ...tokenKindQuery(requested),
      };
      const found = lookUpCachedToken(
        (minRemainingSeconds) => ctx.cache.findAccessToken(query, { now, minRemainingSeconds }),
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
    meta ??= await ctx.metadataOf(target, opts.signal);
  } catch (e) {
    const refused = authorityRefusal(e);
    if (refused) return errorResult(refused, correlationId);
    throw e;
  }
  const refresh = (signal: AbortSignal | undefined): Promise<AuthenticationResult | null> =>
    refreshAccount(ctx, meta, {
      homeAccountId: account.home_account_id,
      environment: target.environment,
      scopes,
      claims: mergeClaims(opts.claimsChallenge, ctx.clientCapabilities),
      reason,
      correlationId,
      data: requested.wireData,
      cacheData: requested.cacheData,
      pop: requested.pop,
      signal,
    });
  try {
    // Concurrent misses of one account's token share one refresh (see `SingleFlight`), keyed by
    // what shapes its requests (`data` also carries an SSH certificate's token type and key id).
    // A forceRefresh or claims challenge wants a token issued after the call, and a PoP result
    // carries a request signed for its own call, so those refresh on their own.
    const result =
      opts.forceRefresh || opts.claimsChallenge || requested.pop
        ? await refresh(opts.signal)
        : await ctx.flights.join(
            flightKey("refresh", meta.token_endpoint, target.environment, account.home_account_id, [...scopes].sort(), requested.wireData),
            opts.signal,
            refresh,
          );
    if (result !== null && !("error" in result)) return result;
    return aging ?? result;
  } catch (e) {
    // An aging token is still good: the refresh was a courtesy; not when this call was cancelled.
    if (aging && !opts.signal?.aborted && !(e instanceof Error && e.name === "AbortError")) return aging;
    throw e;
  }
}
