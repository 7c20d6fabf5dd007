/**
 * The authorization code flow for web apps (and the loopback flow's second half): building the
 * sign-in URL with PKCE, state and nonce, and redeeming what the authority redirects back with.
 *
 * @module
 */
import { IdTokenError, invalidArgType } from "../errors.js";
import {
  buildAuthorizationRequestUrl,
  createAuthCodeFlow,
  hashNonce,
  mergeClaims,
  parseAuthCodeResponse,
  parseClientInfo,
} from "../protocol/index.js";
import type { AuthCodeFlow, AuthenticationResult, AuthResponse } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { checkTokenKind, resolveRequestedToken } from "./requested-token.js";
import { errorResult } from "./results.js";
import { assertScopes, decorateScopes } from "./scopes.js";
import { ApiId, CacheRefreshReason, newCorrelationId } from "./telemetry.js";
import { acceptTokens, anchorMailbox, exchange, metadataOrRefusal } from "./token-exchange.js";

/** What the sign-in page may be asked to do (OpenID Connect `prompt`). */
export type PromptValue = "none" | "login" | "consent" | "select_account" | "create";

/** Options of `initiateAuthCodeFlow`. */
export interface InitiateAuthCodeFlowOptions {
  /** Where the authority sends the browser back; must be registered for the app. */
  readonly redirectUri?: string;
  /** Your own `state`; by default a random one is made. It is checked on the way back either way. */
  readonly state?: string;
  /**
   * What the sign-in page must do: `login` to ask for credentials again, `select_account` to offer
   * the account picker, `consent` to show the consent page, `none` to fail rather than show any page,
   * `create` to offer sign-up. By default the authority decides (it may sign the user in silently).
   */
  readonly prompt?: PromptValue;
  /** Pre-fills the username on the sign-in page. */
  readonly loginHint?: string;
  /** `consumers` or `organizations`, or a tenant's domain, to skip home-realm discovery. */
  readonly domainHint?: string;
  /** A claims challenge from a resource (a JSON string). */
  readonly claimsChallenge?: string;
  /** Seconds since the user last signed in beyond which the authority must sign them in again. */
  readonly maxAge?: number;
  /** How the authority returns the response: `query` (default for code), `fragment` or `form_post`. */
  readonly responseMode?: "query" | "fragment" | "form_post";
  /** Cancels the authority discovery this may need; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of `acquireTokenByAuthCodeFlow`. */
export interface AcquireTokenByAuthCodeFlowOptions {
  /** A subset of the flow's scopes to redeem the code for. */
  readonly scopes?: readonly string[];
  /** Extra body parameters for the token request. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /** Cancels the code redemption (discovery and token request); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of `getAuthorizationRequestUrl`. */
export interface GetAuthorizationRequestUrlOptions {
  /** Where the authority sends the browser back; must be registered for the app. */
  readonly redirectUri?: string;
  /**
   * Sent as is (none is made up); keep it and compare it with the `state` of the response
   * yourself, to tell a forged response from your own.
   */
  readonly state?: string;
  /** What the sign-in page must do; see {@link InitiateAuthCodeFlowOptions.prompt}. */
  readonly prompt?: PromptValue;
  /** Pre-fills the username on the sign-in page. */
  readonly loginHint?: string;
  /** `consumers` or `organizations`, or a tenant's domain, to skip home-realm discovery. */
  readonly domainHint?: string;
  /** A claims challenge from a resource (a JSON string), merged with the app's client capabilities. */
  readonly claimsChallenge?: string;
  /** Sent as is; pass the same value to `acquireTokenByAuthorizationCode` to have it checked. */
  readonly nonce?: string;
  /** How the authority returns the response: `query` (default for code), `fragment` or `form_post`. */
  readonly responseMode?: "query" | "fragment" | "form_post";
  /** Cancels the authority discovery this may need; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of `acquireTokenByAuthorizationCode`. */
export interface AcquireTokenByAuthorizationCodeOptions {
  /** The `redirectUri` the authorization request was made with; the authority requires the same one. */
  readonly redirectUri?: string;
  /** The nonce sent on the authorization request; the ID token must carry it. */
  readonly nonce?: string;
  /** A claims challenge from a resource (a JSON string), merged with the app's client capabilities. */
  readonly claimsChallenge?: string;
  /** Extra body parameters for the token request. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /** Cancels the code redemption (discovery and token request); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

function checkOptions(opts: unknown): void {
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
}

/** Scopes for a sign-in: the caller's (possibly none) plus the OpenID Connect ones. */
function signInScopes(ctx: AppContext, scopes: readonly string[]): string[] {
  if (scopes.length > 0) assertScopes(scopes);
  return decorateScopes(scopes, ctx.excludeScopes);
}

/** Starts a sign-in: the flow holds the URL to send the browser to and what checks the answer. */
export async function initiateAuthCodeFlow(
  ctx: AppContext,
  scopes: readonly string[],
  opts: InitiateAuthCodeFlowOptions = {},
): Promise<AuthCodeFlow> {
  if (!Array.isArray(scopes)) throw invalidArgType("scopes must be an array of strings (it may be empty)");
  checkOptions(opts);
  const decorated = signInScopes(ctx, scopes);
  const meta = await ctx.resolveMetadata(opts.signal);
  return createAuthCodeFlow({
    authorizationEndpoint: meta.authorization_endpoint,
    clientId: ctx.clientId,
    scopes: decorated,
    redirectUri: opts.redirectUri,
    state: opts.state,
    prompt: opts.prompt,
    loginHint: opts.loginHint,
    domainHint: opts.domainHint,
    claims: mergeClaims(opts.claimsChallenge, ctx.clientCapabilities),
    maxAge: opts.maxAge,
    responseMode: opts.responseMode,
  });
}

/**
 * Completes a sign-in started by {@link initiateAuthCodeFlow}: checks the `state`, redeems the
 * code with the PKCE verifier, and checks the ID token's `nonce` (and `auth_time` for `maxAge`).
 *
 * @param apiId The telemetry API id the redemption reports: the auth code flow's, unless another
 *   public method (the interactive sign-in) completes its flow here.
 * @throws MsalError `ERR_STATE_MISMATCH` when the response does not belong to the flow;
 *   `IdTokenError` when the ID token fails a check.
 */
export async function acquireTokenByAuthCodeFlow(
  ctx: AppContext,
  flow: AuthCodeFlow,
  authResponse: AuthResponse,
  opts: AcquireTokenByAuthCodeFlowOptions = {},
  apiId: ApiId = ApiId.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID,
): Promise<AuthenticationResult> {
  checkOptions(opts);
  checkTokenKind(opts);
  if (opts.scopes !== undefined) assertScopes(opts.scopes);
  const parsed = parseAuthCodeResponse(flow, authResponse, opts.scopes ? { scopes: opts.scopes } : {});
  if ("error" in parsed) return parsed.error;
  const correlationId = newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;
  const { meta } = resolved;
  const scopes = opts.scopes ? decorateScopes(opts.scopes, ctx.excludeScopes) : [...flow.scope];
  const info = parsed.client_info ? parseClientInfo(parsed.client_info) : undefined;
  const requested = await resolveRequestedToken(ctx, opts);
  const outcome = await exchange(ctx, meta, {
    apiId,
    reason: CacheRefreshReason.NON_SILENT_CALL,
    correlationId,
    body: {
      grant_type: "authorization_code",
      code: parsed.code,
      redirect_uri: flow.redirect_uri,
      scope: [...scopes].sort().join(" "),
      code_verifier: flow.code_verifier,
      claims: flow.claims_challenge,
    },
    headers: info ? anchorMailbox(`Oid:${info.uid}@${info.utid}`) : {},
    data: requested.wireData,
    signal: opts.signal,
  });
  if (!outcome.ok) return errorResult(outcome.error, correlationId);
  return acceptTokens(ctx, meta, outcome.response, {
    scopes: opts.scopes ?? scopes,
    grantType: "authorization_code",
    environment: ctx.environment,
    nonce: hashNonce(flow.nonce),
    maxAge: flow.max_age,
    data: requested.cacheData,
    pop: requested.pop,
  });
}

/**
 * The sign-in URL of the older two-step API (no PKCE). Prefer {@link initiateAuthCodeFlow}.
 *
 * @deprecated Use `initiateAuthCodeFlow` and `acquireTokenByAuthCodeFlow`, which add PKCE and check `state` for you.
 */
export async function getAuthorizationRequestUrl(
  ctx: AppContext,
  scopes: readonly string[],
  opts: GetAuthorizationRequestUrlOptions = {},
): Promise<string> {
  if (!Array.isArray(scopes)) throw invalidArgType("scopes must be an array of strings (it may be empty)");
  checkOptions(opts);
  const decorated = signInScopes(ctx, scopes);
  const meta = await ctx.resolveMetadata(opts.signal);
  return buildAuthorizationRequestUrl({
    authorizationEndpoint: meta.authorization_endpoint,
    clientId: ctx.clientId,
    scopes: decorated,
    redirectUri: opts.redirectUri,
    state: opts.state,
    prompt: opts.prompt,
    loginHint: opts.loginHint,
    domainHint: opts.domainHint,
    claims: mergeClaims(opts.claimsChallenge, ctx.clientCapabilities),
    nonce: opts.nonce,
    responseMode: opts.responseMode,
  });
}

/**
 * Redeems an authorization code obtained with {@link getAuthorizationRequestUrl}.
 *
 * @deprecated Use `acquireTokenByAuthCodeFlow`.
 * @throws IdTokenError when `nonce` was given and the ID token does not carry it.
 */
export async function acquireTokenByAuthorizationCode(
  ctx: AppContext,
  code: string,
  scopes: readonly string[],
  opts: AcquireTokenByAuthorizationCodeOptions = {},
): Promise<AuthenticationResult> {
  if (typeof code !== "string" || !code) throw invalidArgType("code must be the non-empty authorization code");
  if (!Array.isArray(scopes)) throw invalidArgType("scopes must be an array of strings");
  checkOptions(opts);
  checkTokenKind(opts);
  const decorated = signInScopes(ctx, scopes);
  const correlationId = newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;
  const { meta } = resolved;
  const requested = await resolveRequestedToken(ctx, opts);
  const outcome = await exchange(ctx, meta, {
    apiId: ApiId.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID,
    reason: CacheRefreshReason.NON_SILENT_CALL,
    correlationId,
    body: {
      grant_type: "authorization_code",
      code,
      redirect_uri: opts.redirectUri,
      scope: decorated.sort().join(" "),
      claims: mergeClaims(opts.claimsChallenge, ctx.clientCapabilities),
    },
    data: requested.wireData,
    signal: opts.signal,
  });
  if (!outcome.ok) return errorResult(outcome.error, correlationId);
  if (opts.nonce !== undefined && outcome.response.id_token === undefined) {
    throw new IdTokenError("nonce", "A nonce was given but the authority returned no ID token to check it against.");
  }
  return acceptTokens(ctx, meta, outcome.response, {
    scopes,
    grantType: "authorization_code",
    environment: ctx.environment,
    nonce: opts.nonce,
    data: requested.cacheData,
    pop: requested.pop,
  });
}
