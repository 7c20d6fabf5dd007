/**
 * The resource owner password credentials grant, for managed users, and for federated users
 * through their federation service's WS-Trust endpoint.
 *
 * @module
 */
import type { AuthorityMetadata } from "../authority/index.js";
import { MsalError, invalidArgType } from "../errors.js";
import {
  discoverUserRealm,
  fetchMexEndpoint,
  mergeClaims,
  requestSamlAssertion,
  wsTrustEndpointFromActiveAuthUrl,
} from "../protocol/index.js";
import type { AuthenticationResult, UserRealm, WsTrustEndpoint } from "../protocol/index.js";
import type { AppContext } from "./app-context.js";
import type { PopAuthScheme } from "./pop-auth-scheme.js";
import { checkTokenKind, resolveRequestedToken } from "./requested-token.js";
import { errorResult } from "./results.js";
import { assertScopes, decorateScopes } from "./scopes.js";
import { ApiId, CacheRefreshReason, newCorrelationId } from "./telemetry.js";
import { acceptTokens, anchorMailbox, exchange, metadataOrRefusal } from "./token-exchange.js";

/** Options of `acquireTokenByUsernamePassword`. */
export interface AcquireTokenByUsernamePasswordOptions {
  /** A claims challenge from a resource (a JSON string). */
  readonly claimsChallenge?: string;
  /** Extra body parameters for the token request. */
  readonly data?: Readonly<Record<string, string>>;
  /** A proof-of-possession token for one HTTP request, instead of a bearer token. */
  readonly authScheme?: PopAuthScheme;
  /**
   * Cancels the call (discovery, the user realm lookup, a federated account's WS-Trust exchange,
   * and the token request); the promise rejects with the signal's reason.
   */
  readonly signal?: AbortSignal;
}

/** Hosts that answered the user realm request with 404: they have no such endpoint. */
const hostsWithoutUserRealm = new Set<string>();

/** The username/password WS-Trust endpoint of a federated user's realm. */
async function federationEndpoint(ctx: AppContext, realm: UserRealm, signal?: AbortSignal): Promise<WsTrustEndpoint> {
  if (realm.federation_metadata_url) {
    const endpoint = await fetchMexEndpoint(ctx.http, realm.federation_metadata_url, signal ? { signal } : {});
    if (!endpoint) {
      throw new MsalError(
        "ERR_WS_TRUST",
        "The federation service's metadata (MEX) offers no https WS-Trust endpoint for usernames and passwords.",
      );
    }
    return endpoint;
  }
  const endpoint = realm.federation_active_auth_url ? wsTrustEndpointFromActiveAuthUrl(realm.federation_active_auth_url) : undefined;
  if (!endpoint) {
    throw new MsalError("ERR_WS_TRUST", "The user is federated, but the user realm names no usable federation endpoint.");
  }
  return endpoint;
}

/**
 * Signs a user in with a username and password. Federated users are signed in at their federation
 * service (WS-Trust), whose SAML assertion is then exchanged for tokens. Accounts that need MFA or
 * consent get an error result: such users must sign in interactively.
 */
export async function acquireTokenByUsernamePassword(
  ctx: AppContext,
  username: string,
  password: string,
  scopes: readonly string[],
  opts: AcquireTokenByUsernamePasswordOptions = {},
): Promise<AuthenticationResult> {
  if (typeof username !== "string" || !username) throw invalidArgType("username must be a non-empty string");
  if (typeof password !== "string") throw invalidArgType("password must be a string");
  assertScopes(scopes);
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  checkTokenKind(opts);
  const correlationId = newCorrelationId();
  const resolved = await metadataOrRefusal(ctx, ctx.target(), correlationId, opts.signal);
  if ("refused" in resolved) return resolved.refused;
  const { meta } = resolved;
  const scope = decorateScopes(scopes, ctx.excludeScopes).join(" ");
  const claims = mergeClaims(opts.claimsChallenge, ctx.clientCapabilities);
  const realm = await userRealmOf(ctx, meta, username, correlationId, opts.signal);
  const requested = await resolveRequestedToken(ctx, opts);
  let body: Record<string, string | undefined>;
  let headers: Record<string, string> = {};
  let grantType: string;
  if (realm?.account_type === "Federated") {
    const endpoint = await federationEndpoint(ctx, realm, opts.signal);
    const saml = await requestSamlAssertion(ctx.http, endpoint, {
      username,
      password,
      ...(realm.cloud_audience_urn ? { appliesTo: realm.cloud_audience_urn } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    grantType = saml.grantType;
    body = { grant_type: grantType, assertion: Buffer.from(saml.assertion, "utf8").toString("base64url"), scope, claims };
  } else {
    grantType = "password";
    body = { grant_type: grantType, username, password, scope, claims };
    headers = anchorMailbox(`upn:${username}`);
  }
  const outcome = await exchange(ctx, meta, {
    apiId: ApiId.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID,
    reason: CacheRefreshReason.NON_SILENT_CALL,
    correlationId,
    body,
    headers,
    data: requested.wireData,
    signal: opts.signal,
  });
  if (!outcome.ok) return errorResult(outcome.error, correlationId);
  return acceptTokens(ctx, meta, outcome.response, {
    scopes,
    grantType,
    environment: ctx.environment,
    data: requested.cacheData,
    pop: requested.pop,
    username,
  });
}

/** User realm discovery, skipped for AD FS and for hosts known not to offer it. */
async function userRealmOf(
  ctx: AppContext,
  meta: AuthorityMetadata,
  username: string,
  correlationId: string,
  signal?: AbortSignal,
): Promise<UserRealm | undefined> {
  if (ctx.authority.isAdfs || ctx.authority.isB2c || hostsWithoutUserRealm.has(meta.instance)) return undefined;
  const realm = await discoverUserRealm(ctx.http, meta.instance, username, {
    headers: { "client-request-id": correlationId },
    ...(signal ? { signal } : {}),
  });
  if (realm === undefined) hostsWithoutUserRealm.add(meta.instance);
  return realm;
}
