/**
 * How a user flow reads its cached access token: a hit, a token past `refresh_on` to refresh but
 * keep as a fallback, or a miss with the telemetry reason.
 *
 * @module
 */
import type { AccessTokenEntry } from "../cache/index.js";
import type { TokenResult } from "../protocol/index.js";
import { EXPIRY_MARGIN } from "./client-credentials.js";
import { resultFromCache } from "./results.js";
import { CacheRefreshReason } from "./telemetry.js";

/** What the cache said: a token to hand out, or why the authority must be asked (with an aging fallback). */
export type CachedTokenLookup =
  | { readonly hit: TokenResult }
  | { readonly reason: CacheRefreshReason; readonly aging?: TokenResult };

/**
 * Judges a cache lookup. `find` runs with the five-minute margin; on a miss it runs once more
 * without it, so a token with less than five minutes left is reported as expired rather than
 * absent, as MSAL Python reports it.
 *
 * @param find The lookup, given the minimum seconds a token must have left.
 * @param now Epoch seconds.
 * @param present Turns a cached result into what the caller hands out (e.g. signs a PoP request).
 */
export function lookUpCachedToken(
  find: (minRemainingSeconds: number) => AccessTokenEntry | undefined,
  now: number,
  present: (result: TokenResult) => TokenResult,
): CachedTokenLookup {
  const entry = find(EXPIRY_MARGIN);
  if (!entry) return { reason: find(0) ? CacheRefreshReason.AT_EXPIRED : CacheRefreshReason.AT_ABSENT };
  const cached = present(resultFromCache(entry, now));
  return cached.refresh_on === undefined || cached.refresh_on > now
    ? { hit: cached }
    : { reason: CacheRefreshReason.AT_AGING, aging: cached };
}
