/**
 * Turns a token-obtaining event into the cache entries MSAL Python writes for it. A pure
 * function: it computes everything (and throws on a malformed response) before the cache is
 * touched, so a failed `add()` leaves the cache as it was.
 *
 * @module
 */

import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";
import { decodeIdToken, homeAccountIdFromClientInfo } from "../protocol/index.js";
import { AuthorityType } from "./authority-type.js";
import { CredentialType } from "./credential-type.js";
import { parseSeconds } from "./seconds.js";
import type { CacheableTokenResponse, IdTokenClaims, TokenCacheEvent } from "./token-cache-event.js";

/** One entry to write, with the section it goes to. */
export interface SectionEntry {
  readonly section: CredentialType;
  readonly entry: Record<string, unknown>;
}

/** Lifetime assumed when a response gives neither `expires_in` nor `expires_on` (RFC 6749 §5.1 leaves it open). */
const DEFAULT_EXPIRES_IN = 600;

/** The grants after which an Account records how it was established; silent grants leave it absent. */
const ACCOUNT_SOURCE_GRANTS: ReadonlySet<string> = new Set([
  "authorization_code",
  "password",
  "urn:ietf:params:oauth:grant-type:device_code",
  "broker",
]);

/** CIAM hosts may be used without a tenant path; the tenant is then derived from the subdomain. */
const CIAM_SUFFIX = ".ciamlogin.com";

/** The claims of a response without an ID token, and the data of an event without any. */
const NONE: Readonly<Record<string, never>> = Object.freeze({});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Host (lowercase, no port) and first path segment of a token endpoint, as Python's `canonicalize()`. */
// An app writes to one or two token endpoints; parsing the URL on every write would be waste.
const splitEndpoints = new Map<string, { host: string; tenant: string }>();

function splitTokenEndpoint(tokenEndpoint: string): { host: string; tenant: string } {
  let split = splitEndpoints.get(tokenEndpoint);
  if (split === undefined) {
    split = parseTokenEndpoint(tokenEndpoint);
    if (splitEndpoints.size >= 1024) splitEndpoints.clear();
    splitEndpoints.set(tokenEndpoint, split);
  }
  return split;
}

/** A path segment with its percent-escapes decoded; as it stands when they are malformed (a bare `%`). */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseTokenEndpoint(tokenEndpoint: string): { host: string; tenant: string } {
  let url: URL;
  try {
    url = new URL(tokenEndpoint);
  } catch (cause) {
    throw Object.assign(invalidArgValue(`event.token_endpoint must be an absolute URL, got ${JSON.stringify(tokenEndpoint)}`), { cause });
  }
  // WHATWG keeps the brackets of an IPv6 host; Python's urlparse drops them.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const first = url.pathname.split("/")[1];
  if (first) return { host, tenant: decodedSegment(first) };
  if (host.endsWith(CIAM_SUFFIX)) return { host, tenant: `${host.slice(0, -CIAM_SUFFIX.length)}.onmicrosoft.com` };
  throw invalidArgValue(
    `event.token_endpoint must have a tenant as its first path segment (e.g. https://host/tenant/oauth2/v2.0/token), got ${JSON.stringify(tokenEndpoint)}`,
  );
}

/** An integer field of the response, or a thrown error naming the field: the server broke the contract. */
function responseSeconds(response: CacheableTokenResponse, field: string, value: unknown): number {
  const seconds = parseSeconds(value);
  if (seconds === undefined) {
    throw new MsalError("ERR_INVALID_RESPONSE", `The token response's ${field} is not an integer (got a ${value === null ? "null" : typeof value}); nothing was cached.`);
  }
  return seconds;
}

/**
 * How many seconds the access token of a successful response lives, as the cache records it:
 * `expires_in`, else `expires_on` counted from `now`, else {@link DEFAULT_EXPIRES_IN}.
 *
 * @param response The token response.
 * @param now Integer epoch seconds.
 * @returns The lifetime in seconds.
 * @throws {@link MsalError} `ERR_INVALID_RESPONSE` when `expires_in` or `expires_on` is not an integer.
 */
export function accessTokenLifetime(response: CacheableTokenResponse, now: number): number {
  const fallback = response.expires_on ? responseSeconds(response, "expires_on", response.expires_on) - now : DEFAULT_EXPIRES_IN;
  return response.expires_in === undefined ? fallback : responseSeconds(response, "expires_in", response.expires_in);
}

function idTokenClaimsOf(response: CacheableTokenResponse): IdTokenClaims {
  const given = response.id_token_claims;
  if (isRecord(given) && Object.keys(given).length > 0) return given;
  const idToken = response.id_token;
  if (!idToken) return NONE;
  // No signature or audience check here: the protocol layer validated the ID token before the
  // application handed the response over; the cache only needs the claims.
  try {
    return decodeIdToken(idToken);
  } catch (cause) {
    throw new MsalError("ERR_INVALID_RESPONSE", "The token response's id_token is not a decodable JWT; nothing was cached.", { cause });
  }
}

/** `{uid}.{utid}` from client_info, else the ID token's `sub` (ADFS sends no client_info), else none (app-only). */
function homeAccountIdOf(response: CacheableTokenResponse, claims: IdTokenClaims): string | null {
  if (response.client_info !== undefined) {
    let home: string | undefined;
    try {
      home = homeAccountIdFromClientInfo(String(response.client_info));
    } catch (cause) {
      throw new MsalError("ERR_INVALID_RESPONSE", "The token response's client_info is not base64url-encoded JSON; nothing was cached.", { cause });
    }
    // Some responses carry a client_info without uid/utid (MSAL Python issue 387); fall through.
    if (home !== undefined) return home;
  }
  if (claims !== NONE && Object.keys(claims).length > 0 && typeof claims.sub === "string") return claims.sub;
  return null;
}

function firstNonEmptyString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === "string" && v !== "") return v;
  return undefined;
}

function checkEvent(event: TokenCacheEvent): void {
  if (!isRecord(event)) throw invalidArgType("event must be an object");
  if (typeof event.client_id !== "string") throw invalidArgType("event.client_id must be a string");
  if (typeof event.token_endpoint !== "string") throw invalidArgType("event.token_endpoint must be a string");
  if (!isRecord(event.response)) throw invalidArgType("event.response must be an object");
  const scope: unknown = event.scope;
  if (scope !== undefined && scope !== null && !(Array.isArray(scope) && scope.every((s) => typeof s === "string"))) {
    throw invalidArgType("event.scope must be an array of strings");
  }
  if (event.data !== undefined && !isRecord(event.data)) throw invalidArgType("event.data must be an object");
}

/**
 * Computes the entries MSAL Python's `TokenCache.add()` writes for an event: an AccessToken when
 * the response has `access_token`, an Account when an identity was derived (unless
 * `skip_account_creation`), an IdToken for `id_token`, a RefreshToken for `refresh_token`, and an
 * AppMetadata always — in that order.
 *
 * @param event The token-obtaining event.
 * @param now Integer epoch seconds of the write; stored timestamps count from it.
 * @returns The entries with their sections, in write order.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a malformed event;
 *   {@link MsalError} `ERR_INVALID_RESPONSE` for a response whose lifetimes, client_info or
 *   id_token cannot be read.
 */
export function entriesFromEvent(event: TokenCacheEvent, now: number): SectionEntry[] {
  checkEvent(event);
  const endpoint = splitTokenEndpoint(event.token_endpoint);
  const environment = event.environment ?? endpoint.host;
  const realm = endpoint.tenant;
  const clientId = event.client_id;
  const response = event.response;
  const data: Readonly<Record<string, unknown>> = event.data ?? NONE;
  const claims = idTokenClaimsOf(response);
  const homeAccountId = homeAccountIdOf(response, claims);
  // The granted scopes are what the token is good for; the requested ones stand in when the
  // server did not echo any (common for the authorization code grant).
  const scopes = typeof response.scope === "string" ? response.scope.split(/\s+/).filter((s) => s !== "") : [...(event.scope ?? [])];
  const target = scopes.sort().join(" ");
  const out: SectionEntry[] = [];

  if (response.access_token) {
    const expiresIn = accessTokenLifetime(response, now);
    const extExpiresIn = response.ext_expires_in === undefined ? expiresIn : responseSeconds(response, "ext_expires_in", response.ext_expires_in);
    const at: Record<string, unknown> = {
      credential_type: CredentialType.ACCESS_TOKEN,
      secret: response.access_token,
      home_account_id: homeAccountId,
      environment,
      client_id: clientId,
      target,
      realm,
      // A lookup hands the stored type out as the result's token_type, which must be a string.
      token_type: typeof response.token_type === "string" && response.token_type ? response.token_type : "Bearer",
      cached_at: String(now),
      expires_on: String(now + expiresIn),
      extended_expires_on: String(now + extExpiresIn),
    };
    // key_id is the only request field copied into the cache: anything broader could persist a
    // password or a client secret.
    const keyId = data["key_id"];
    if (keyId) at["key_id"] = typeof keyId === "string" ? keyId : String(keyId);
    if (event.user_assertion_hash) at["userAssertionHash"] = event.user_assertion_hash;
    if (response.refresh_in !== undefined) at["refresh_on"] = String(now + responseSeconds(response, "refresh_in", response.refresh_in));
    out.push({ section: CredentialType.ACCESS_TOKEN, entry: at });
  }

  if (homeAccountId !== null && !event.skip_account_creation) {
    const localAccountId = event._account_id !== undefined ? event._account_id : "oid" in claims ? claims.oid : claims.sub;
    const account: Record<string, unknown> = {
      home_account_id: homeAccountId,
      environment,
      realm,
      local_account_id: typeof localAccountId === "string" ? localAccountId : null,
      username:
        firstNonEmptyString(
          "preferred_username" in claims ? claims.preferred_username : claims.upn, // AAD, then ADFS 2019
          data["username"], // ROPC
          event.username, // federated ROPC
        ) ?? "", // the schema wants a string, never null
      authority_type: event.authority_type ?? (realm === "adfs" ? AuthorityType.ADFS : AuthorityType.MSSTS),
    };
    if (event.grant_type !== undefined && ACCOUNT_SOURCE_GRANTS.has(event.grant_type)) account["account_source"] = event.grant_type;
    out.push({ section: CredentialType.ACCOUNT, entry: account });
  }

  if (response.id_token) {
    out.push({
      section: CredentialType.ID_TOKEN,
      entry: {
        credential_type: CredentialType.ID_TOKEN,
        secret: response.id_token,
        home_account_id: homeAccountId,
        environment,
        realm,
        client_id: clientId,
      },
    });
  }

  if (response.refresh_token) {
    const rt: Record<string, unknown> = {
      credential_type: CredentialType.REFRESH_TOKEN,
      secret: response.refresh_token,
      home_account_id: homeAccountId,
      environment,
      client_id: clientId,
      target,
      last_modification_time: String(now),
    };
    if ("foci" in response) rt["family_id"] = response.foci;
    if (event.user_assertion_hash) rt["userAssertionHash"] = event.user_assertion_hash;
    out.push({ section: CredentialType.REFRESH_TOKEN, entry: rt });
  }

  const appMetadata: Record<string, unknown> = { client_id: clientId, environment };
  if ("foci" in response) appMetadata["family_id"] = response.foci;
  out.push({ section: CredentialType.APP_METADATA, entry: appMetadata });
  return out;
}
