/**
 * Azure Cloud Shell for public clients. A Cloud Shell session is already signed in, and a local
 * endpoint inside it hands out that user's tokens: there is no browser to open and no refresh token
 * to redeem. When the process runs in Cloud Shell (`AZUREPS_HOST_ENVIRONMENT` starts with
 * `cloud-shell`), `acquireTokenInteractive(scopes, { prompt: "none" })` and silent calls for the
 * accounts this path created (`authority_type` `CLOUDSHELL`) get their tokens from that endpoint.
 *
 * The endpoint is `http://localhost:50342/oauth2/token` unless `MSI_ENDPOINT` names another one, as
 * Cloud Shell itself sets it and msal-node reads it; it must be on this machine (loopback), the only
 * place a plain-http token request is allowed to go. The request is a form POST with `Metadata:
 * true` and `resource`: the scopes turned into the resources Cloud Shell knows (see
 * {@link scopeToCloudShellResource}), plus the call's `data`.
 *
 * Cloud Shell answers with an access token alone. As MSAL Python does, an account is made up for
 * it: `client_info` from the access token's `oid` and `tid` (`user` and `cloudshell` when it is not
 * a JWT, e.g. an SSH certificate), and ID-token-like claims whose username is the token's
 * `preferred_username` or `unique_name` (else `currentuser@cloudshell`). The tokens are cached
 * with that account, `authority_type` `CLOUDSHELL`, so `getAccounts()` inside Cloud Shell lists
 * it and silent calls find its tokens.
 *
 * Differences from MSAL Python, on purpose: a refresh token Cloud Shell may send is neither cached
 * nor returned (it was issued to Cloud Shell's own client, not to this app); outside Cloud Shell a
 * `CLOUDSHELL` account is served from the cache alone (MSAL Python would try the endpoint, which is
 * not there); a call with `authScheme` is refused (Cloud Shell issues no proof-of-possession
 * tokens); token types are compared case-insensitively (RFC 6749 §5.1); resources are sent once each.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { AuthorityMetadata } from "../authority/index.js";
import { AuthorityType, parseSeconds } from "../cache/index.js";
import { ManagedIdentityError, MsalError, NetworkError, invalidArgType, invalidArgValue } from "../errors.js";
import { formEncode, readBodyText, toTransportError } from "../http/index.js";
import { TokenSource } from "../protocol/index.js";
import type { AuthenticationResult, ErrorResponse, TokenResult } from "../protocol/index.js";
import type { Account } from "./accounts.js";
import type { AppContext, AuthorityTarget } from "./app-context.js";
import { lookUpCachedToken } from "./cached-token.js";
import type { AcquireTokenInteractiveOptions } from "./interactive.js";
import { checkTokenKind, dataTokenType, requestedFromData, tokenKindQuery } from "./requested-token.js";
import { assertScopes, decorateScopes } from "./scopes.js";
import type { AcquireTokenSilentOptions } from "./silent.js";
import { newCorrelationId } from "./telemetry.js";
import { metadataOrRefusal, nowSeconds } from "./token-exchange.js";

/** Where Cloud Shell's token endpoint listens, unless `MSI_ENDPOINT` says otherwise. */
export const CLOUD_SHELL_TOKEN_ENDPOINT = "http://localhost:50342/oauth2/token";

/**
 * Audiences Cloud Shell takes as they are, rather than as `scheme://host`: Power BI's, and the one
 * for SSH certificates to Linux machines. A scope starting with one of them asks for it.
 */
const AUDIENCES_AS_IS = ["https://analysis.windows.net/powerbi/api", "https://pas.windows.net/CheckMyAccess/Linux/.default"];

/** What an account made up for a Cloud Shell token carries when the token says nothing. */
const DEFAULT_UID = "user";
const DEFAULT_UTID = "cloudshell";
const DEFAULT_USERNAME = "currentuser@cloudshell";
/** Lifetime of the made-up ID token claims when the access token gives none (MSAL Python's hour). */
const DEFAULT_CLAIMS_LIFETIME = 3600;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether this process runs in Azure Cloud Shell: `AZUREPS_HOST_ENVIRONMENT` starts with
 * `cloud-shell` (e.g. `cloud-shell/1.0`).
 *
 * @param env The environment variables; `process.env` by default.
 */
export function isRunningInCloudShell(env: Env = process.env): boolean {
  return (env["AZUREPS_HOST_ENVIRONMENT"] ?? "").toLowerCase().startsWith("cloud-shell");
}

/** Whether a silent call for `account` goes to Cloud Shell: a `CLOUDSHELL` account, inside Cloud Shell. */
export function goesToCloudShell(account: unknown): account is Account {
  return (
    typeof account === "object" &&
    account !== null &&
    (account as Account).authority_type === AuthorityType.CLOUDSHELL &&
    typeof (account as Account).home_account_id === "string" &&
    isRunningInCloudShell()
  );
}

/**
 * The resource Cloud Shell issues a token for, for one scope: the audiences Cloud Shell knows by
 * name as they are (a scope starting with one asks for it), any other URI-shaped scope as its
 * `scheme://authority` (`https://graph.microsoft.com/User.Read` → `https://graph.microsoft.com`,
 * `api://orders/Orders.Read` → `api://orders`), and a scope without a scheme unchanged.
 *
 * @param scope One scope.
 */
export function scopeToCloudShellResource(scope: string): string {
  for (const audience of AUDIENCES_AS_IS) if (scope.startsWith(audience)) return audience;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(scope);
  if (!scheme) return scope;
  const rest = scope.slice(scheme[0].length);
  const authority = rest.startsWith("//") ? (/^\/\/([^/?#]*)/.exec(rest)?.[1] ?? "") : "";
  return `${scheme[0].toLowerCase()}//${authority}`;
}

/** The form's `resource`: each scope's resource, once, space-separated. */
export function cloudShellResource(scopes: readonly string[]): string {
  return [...new Set(scopes.map(scopeToCloudShellResource))].join(" ");
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Cloud Shell's token endpoint: `MSI_ENDPOINT` when set, else {@link CLOUD_SHELL_TOKEN_ENDPOINT}.
 *
 * @throws {@link ManagedIdentityError} when `MSI_ENDPOINT` is not an http(s) URL on this machine.
 */
export function cloudShellEndpoint(env: Env = process.env): string {
  const given = env["MSI_ENDPOINT"]?.trim();
  if (!given) return CLOUD_SHELL_TOKEN_ENDPOINT;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new ManagedIdentityError("MSI_ENDPOINT is not an absolute URL, so Cloud Shell's token endpoint cannot be reached.");
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !(LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname))) {
    throw new ManagedIdentityError(
      `MSI_ENDPOINT must be an http:// or https:// URL on this machine (localhost, 127.0.0.1 or [::1]) in Cloud Shell; got ${url.protocol}//${url.host}.`,
    );
  }
  return url.href;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The payload of a JWT, read without checking anything; `undefined` for a token that is not one. */
function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
    return isRecord(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The account facts MSAL makes up for a Cloud Shell token: `client_info` (base64url JSON `uid`,
 * `utid`) and ID-token-like claims (`iss`, `sub`, `aud`, `exp`, `iat`, `preferred_username`, `tid`).
 *
 * @param accessToken What Cloud Shell answered: a JWT, or something else (an SSH certificate).
 * @param clientId The app's client id, the claims' `aud`.
 * @param now Epoch seconds.
 */
export function synthesizeCloudShellAccount(
  accessToken: string,
  clientId: string,
  now: number,
): { readonly client_info: string; readonly id_token_claims: Readonly<Record<string, unknown>> } {
  const jwt = jwtPayload(accessToken) ?? {};
  const uid = nonEmpty(jwt["oid"]) ?? DEFAULT_UID;
  const utid = nonEmpty(jwt["tid"]) ?? DEFAULT_UTID;
  const claims = {
    iss: nonEmpty(jwt["iss"]) ?? DEFAULT_UTID,
    sub: nonEmpty(jwt["sub"]) ?? DEFAULT_UID,
    aud: clientId,
    exp: typeof jwt["exp"] === "number" ? jwt["exp"] : now + DEFAULT_CLAIMS_LIFETIME,
    iat: typeof jwt["iat"] === "number" ? jwt["iat"] : now,
    // v2 tokens name the user in preferred_username, v1 tokens in unique_name.
    preferred_username: nonEmpty(jwt["preferred_username"]) ?? nonEmpty(jwt["unique_name"]) ?? DEFAULT_USERNAME,
    tid: utid,
  };
  return { client_info: Buffer.from(JSON.stringify({ uid, utid })).toString("base64url"), id_token_claims: claims };
}

/** A short, single-line excerpt of an error body (error bodies hold no tokens). */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

/** Cloud Shell's error body `{"error": {"code", "message"}}` as an OAuth error response. */
function cloudShellError(status: number, payload: Record<string, unknown>, text: string): ErrorResponse {
  const inner = payload["error"];
  if (typeof inner === "string" && inner) return payload as ErrorResponse;
  const details = isRecord(inner) ? inner : {};
  const code = nonEmpty(details["code"]);
  const message = nonEmpty(details["message"]);
  const correlationId = nonEmpty(details["correlationId"]);
  return {
    error: code ?? (status >= 500 ? "server_error" : "invalid_request"),
    error_description: message ?? `Cloud Shell's token endpoint answered HTTP ${status}: ${excerpt(text)}`,
    ...(correlationId ? { correlation_id: correlationId } : {}),
  };
}

/** The token Cloud Shell answered, normalized. */
interface CloudShellToken {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
}

/** POSTs the form to Cloud Shell's endpoint and reads the answer. The body is never quoted when it may hold a token. */
async function postToCloudShell(
  ctx: AppContext,
  scopes: readonly string[],
  data: Readonly<Record<string, string>> | undefined,
  signal: AbortSignal | undefined,
): Promise<{ readonly ok: true; readonly token: CloudShellToken } | { readonly ok: false; readonly error: ErrorResponse }> {
  const endpoint = cloudShellEndpoint();
  const resource = cloudShellResource(scopes);
  ctx.log?.("info", `Asking Cloud Shell's token endpoint ${new URL(endpoint).origin} for a token for ${resource}`);
  let res: Response;
  try {
    res = await ctx.http(endpoint, {
      method: "POST",
      headers: { Metadata: "true", "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: formEncode({ ...data, resource }),
      ...(signal ? { signal } : {}),
    });
  } catch (cause) {
    throw toTransportError(cause, endpoint, signal);
  }
  const text = await readBodyText(res, endpoint, signal);
  const success = res.status >= 200 && res.status < 300;
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (cause) {
    payload = cause;
  }
  if (!isRecord(payload)) {
    throw new NetworkError(
      success ? "ERR_INVALID_RESPONSE" : "ERR_HTTP_STATUS",
      `Cloud Shell's token endpoint ${new URL(endpoint).origin} answered HTTP ${res.status} with a body that is not a JSON object.`,
      { status: res.status, ...(payload instanceof Error ? { cause: payload } : {}) },
    );
  }
  const accessToken = nonEmpty(payload["access_token"]);
  if (!success || !accessToken) {
    if (accessToken || (success && !payload["error"])) {
      // A token with a failure status, or a success without one: nothing to act on.
      throw new NetworkError("ERR_INVALID_RESPONSE", `Cloud Shell's token endpoint answered HTTP ${res.status} without a usable token.`, {
        status: res.status,
      });
    }
    return { ok: false, error: cloudShellError(res.status, payload, text) };
  }
  const expiresOn = parseSeconds(payload["expires_on"]);
  const expiresIn = parseSeconds(payload["expires_in"]) ?? (expiresOn === undefined ? undefined : expiresOn - nowSeconds());
  if (expiresIn === undefined) {
    throw new MsalError("ERR_INVALID_RESPONSE", "Cloud Shell's token endpoint answered a token without a readable expires_in or expires_on; nothing was cached.");
  }
  return { ok: true, token: { access_token: accessToken, token_type: nonEmpty(payload["token_type"]) ?? "Bearer", expires_in: expiresIn } };
}

/**
 * Gets a token from Cloud Shell and caches it with a `CLOUDSHELL` account: the token result
 * (`token_source: "broker"`, as MSAL Python marks it), or an error result — Cloud Shell's own error,
 * or `broker_error` when it answered another token type than the one asked for (e.g. no SSH
 * certificate), in which case nothing is cached.
 */
async function obtainFromCloudShell(
  ctx: AppContext,
  meta: AuthorityMetadata,
  target: AuthorityTarget,
  scopes: readonly string[],
  data: Readonly<Record<string, string>> | undefined,
  signal: AbortSignal | undefined,
): Promise<AuthenticationResult> {
  const outcome = await postToCloudShell(ctx, scopes, data, signal);
  if (!outcome.ok) return outcome.error;
  const token = outcome.token;
  const expected = dataTokenType(data);
  if (token.token_type.toLowerCase() !== expected.toLowerCase()) {
    return {
      error: "broker_error",
      error_description: `Cloud Shell answered a ${token.token_type} token, but token_type ${expected} was asked for: this Cloud Shell does not issue that token type.`,
    };
  }
  const now = nowSeconds();
  const response = { ...token, ...synthesizeCloudShellAccount(token.access_token, ctx.clientId, now) };
  ctx.cache.add(
    {
      client_id: ctx.clientId,
      scope: scopes,
      token_endpoint: meta.token_endpoint,
      response,
      environment: target.environment,
      authority_type: AuthorityType.CLOUDSHELL,
      ...(data ? { data } : {}),
    },
    now,
  );
  return { ...response, token_source: TokenSource.BROKER } satisfies TokenResult;
}

/**
 * Checks a Cloud Shell call before anything is sent: the scopes (at least one, since Cloud Shell
 * issues tokens for resources, and none of the reserved ones, as in every user flow), the options,
 * `data`, and no `authScheme`.
 */
function checkCall(ctx: AppContext, scopes: unknown, opts: unknown): void {
  assertScopes(scopes);
  decorateScopes(scopes, ctx.excludeScopes); // refuses openid, profile and offline_access
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  const o = opts as { readonly signal?: unknown; readonly authScheme?: unknown };
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalidArgType("signal must be an AbortSignal");
  checkTokenKind(opts);
  if (o.authScheme !== undefined) {
    throw invalidArgValue("authScheme is not supported in Cloud Shell: its token endpoint issues bearer tokens (and SSH certificates) only");
  }
  o.signal?.throwIfAborted();
}

/**
 * `acquireTokenInteractive(scopes, { prompt: "none" })` inside Cloud Shell: the session's user's
 * token from Cloud Shell, with no browser. Only `data` and `signal` of the options matter.
 *
 * @throws TypeError for bad scopes or options, or an `authScheme`; {@link ManagedIdentityError} for
 *   an `MSI_ENDPOINT` off this machine; {@link NetworkError} when Cloud Shell cannot be reached or
 *   answers something unreadable.
 */
export async function acquireTokenInteractiveInCloudShell(
  ctx: AppContext,
  scopes: readonly string[],
  opts: AcquireTokenInteractiveOptions,
): Promise<AuthenticationResult> {
  checkCall(ctx, scopes, opts);
  const target = ctx.target();
  const resolved = await metadataOrRefusal(ctx, target, newCorrelationId(), opts.signal);
  if ("refused" in resolved) return resolved.refused;
  return obtainFromCloudShell(ctx, resolved.meta, target, scopes, opts.data, opts.signal);
}

/**
 * A silent call for a `CLOUDSHELL` account inside Cloud Shell: a cached access token with five
 * minutes or more left (unless `forceRefresh` or `claimsChallenge`), else a new one from Cloud Shell.
 * A token past its `refresh_on` is kept, and returned when Cloud Shell fails. Cloud Shell cannot
 * honour a claims challenge; it is only a reason to skip the cache.
 *
 * @returns A token result or an error result; never `null` (Cloud Shell is always there to ask).
 */
export async function acquireTokenSilentInCloudShell(
  ctx: AppContext,
  scopes: readonly string[],
  account: Account,
  opts: AcquireTokenSilentOptions = {},
): Promise<AuthenticationResult> {
  checkCall(ctx, scopes, opts);
  const target = ctx.target(opts.authority);
  const correlationId = newCorrelationId();
  let resolved: Awaited<ReturnType<typeof metadataOrRefusal>> | undefined;
  let aging: TokenResult | undefined;
  if (!opts.forceRefresh && !opts.claimsChallenge) {
    let realm = ctx.knownRealm(target);
    if (realm === undefined) {
      resolved = await metadataOrRefusal(ctx, target, correlationId, opts.signal);
      if ("refused" in resolved) return resolved.refused;
      realm = resolved.meta.tenant;
    }
    const now = nowSeconds();
    const query = {
      home_account_id: account.home_account_id,
      environment: target.environment,
      client_id: ctx.clientId,
      realm,
      scopes,
      ...tokenKindQuery(requestedFromData(opts.data)),
    };
    const found = lookUpCachedToken((min) => ctx.cache.findAccessToken(query, { now, minRemainingSeconds: min }), now, (r) => r);
    if ("hit" in found) {
      ctx.telemetry.hitAnAccessToken();
      return found.hit;
    }
    aging = found.aging;
  }
  resolved ??= await metadataOrRefusal(ctx, target, correlationId, opts.signal);
  if ("refused" in resolved) return aging ?? resolved.refused;
  try {
    const result = await obtainFromCloudShell(ctx, resolved.meta, target, scopes, opts.data, opts.signal);
    return "error" in result && aging ? aging : result;
  } catch (e) {
    // An aging token is still good: asking Cloud Shell again was a courtesy.
    if (aging && !(e instanceof Error && e.name === "AbortError")) return aging;
    throw e;
  }
}
