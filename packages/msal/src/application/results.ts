/**
 * Token and error results, shaped as the seeds document them.
 *
 * @module
 */
import { accessTokenLifetime, parseSeconds } from "../cache/index.js";
import { MsalError } from "../errors.js";
import type { ErrorResponse, ErrorResult, TokenEndpointResponse, TokenResult } from "../protocol/wire.js";

const toInt = parseSeconds;

/**
 * The result of a token response from the authority: every field it sent, `expires_in` as a
 * number (the lifetime the cache records, also when the response gave none), `refresh_in` turned
 * into an absolute `refresh_on`, `_`-prefixed keys and any `error` dropped, and
 * `token_source: "identity_provider"`.
 */
export function resultFromTokenResponse(
  response: TokenEndpointResponse,
  now: number,
  extra?: Readonly<Record<string, unknown>>,
): TokenResult {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(response)) {
    // An `error` member (empty, or not a string, or the success would not be one) would make the
    // result read as an error result: callers tell them apart by `"error" in result`.
    if (k.startsWith("_") || k === "refresh_in" || k === "error") continue;
    out[k] = response[k];
  }
  out.token_type = typeof response.token_type === "string" && response.token_type ? response.token_type : "Bearer";
  out.expires_in = accessTokenLifetime(response, now);
  const refreshIn = toInt(response.refresh_in);
  if (refreshIn !== undefined) out.refresh_on = now + refreshIn;
  if (extra) Object.assign(out, extra);
  out.token_source = "identity_provider";
  return out as unknown as TokenResult;
}

/** The result of a cache hit: the token, its type, the seconds it has left, and `refresh_on`. */
export function resultFromCache(
  entry: { readonly secret: string; readonly token_type?: string; readonly expires_on: string; readonly refresh_on?: string },
  now: number,
): TokenResult {
  const result: { -readonly [K in keyof TokenResult]: TokenResult[K] } = {
    access_token: entry.secret,
    // Another MSAL's entry may hold anything here; the result's token_type is a string.
    token_type: typeof entry.token_type === "string" && entry.token_type ? entry.token_type : "Bearer",
    expires_in: (toInt(entry.expires_on) ?? now) - now,
    token_source: "cache",
  };
  // Assigned rather than spread in: this runs on every cache hit.
  const refreshOn = entry.refresh_on === undefined ? undefined : toInt(entry.refresh_on);
  if (refreshOn !== undefined) result.refresh_on = refreshOn;
  return result;
}

/** Members an error result never carries, whatever the authority sent alongside its `error`. */
const TOKEN_MEMBERS = ["access_token", "refresh_token", "id_token"];

/**
 * An error result: the authority's error response as sent, with a `correlation_id` — the
 * server's, or the request's own when the server sent none, so every failure can be traced. Any
 * `access_token`, `refresh_token` or `id_token` the answer also held is dropped: callers tell
 * results apart by `"access_token" in result`, and log error results.
 */
export function errorResult(response: ErrorResponse, correlationId: string): ErrorResult {
  const tokenless = TOKEN_MEMBERS.some((k) => Object.hasOwn(response, k))
    ? (Object.fromEntries(Object.entries(response).filter(([k]) => !TOKEN_MEMBERS.includes(k))) as ErrorResponse)
    : response;
  return tokenless.correlation_id ? tokenless : { ...tokenless, correlation_id: correlationId };
}

/**
 * The authority's own refusal behind a failed discovery (an unknown tenant answers
 * `invalid_tenant`): a service outcome, so acquire methods return it as an error result.
 */
export function authorityRefusal(e: unknown): ErrorResponse | undefined {
  if (!(e instanceof MsalError) || e.code !== "ERR_DISCOVERY") return undefined;
  const cause = e.cause as { error?: unknown } | undefined;
  return typeof cause === "object" && cause !== null && typeof cause.error === "string"
    ? (cause as ErrorResponse)
    : undefined;
}
