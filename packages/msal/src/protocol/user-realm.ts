/**
 * User realm discovery: asking the authority whether a user's domain is managed by Microsoft
 * Entra ID or federated to another identity provider, before a username/password sign-in.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { invalidArgType, invalidArgValue, NetworkError } from "../errors.js";
import { readJson, toTransportError, type HttpClient } from "../http/index.js";

/** The authority's answer about a user's domain (the `api-version=1.0` shape), with its wire names. */
export interface UserRealm {
  readonly ver?: string;
  /** `Federated` users sign in at their federation server, `Managed` ones at the authority. */
  readonly account_type: "Managed" | "Federated" | "Unknown" | (string & {});
  readonly domain_name?: string;
  /** `WSTrust` for federated domains that sign in with WS-Trust. */
  readonly federation_protocol?: string;
  /** The federation server's WS-MetadataExchange (MEX) document. */
  readonly federation_metadata_url?: string;
  /** The federation server's username/password WS-Trust endpoint, when no MEX is used. */
  readonly federation_active_auth_url?: string;
  readonly cloud_instance_name?: string;
  /** The audience to request SAML tokens for, e.g. `urn:federation:MicrosoftOnline`. */
  readonly cloud_audience_urn?: string;
  readonly [field: string]: unknown;
}

/** Options of {@link discoverUserRealm}. */
export interface UserRealmOptions {
  /**
   * Extra request headers. A `client-request-id` given here is sent (so the call shares the
   * correlation id of the sign-in); otherwise a fresh one is.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * GETs `https://{host}/common/userrealm/{username}?api-version=1.0` with
 * `Accept: application/json` and a `client-request-id`.
 *
 * `host` keeps its port. MSAL Python keeps only the host name here, so it asks port 443 even of
 * an authority on another port; msal-ts asks the authority's own `host:port`.
 *
 * A 404 means the host has no user realm endpoint (AD FS, B2C, other OpenID providers): the
 * caller then signs in with a plain password grant, and may remember the host as one to skip.
 *
 * @param http - The HTTP client.
 * @param host - The authority's `host[:port]`, e.g. `login.microsoftonline.com`.
 * @param username - The user's sign-in name, e.g. `alice@contoso.com` (sent path-encoded).
 * @param options - Extra headers and an abort signal.
 * @returns The realm, or `undefined` when the host answers 404.
 * @throws {@link NetworkError} for a transport failure (`ERR_NETWORK`, `ERR_TIMEOUT`), any other
 *   non-2xx answer (`ERR_HTTP_STATUS`), or a body that is not a realm object
 *   (`ERR_INVALID_RESPONSE`); `TypeError` for a malformed host or username.
 */
export async function discoverUserRealm(
  http: HttpClient,
  host: string,
  username: string,
  options: UserRealmOptions = {},
): Promise<UserRealm | undefined> {
  if (typeof username !== "string" || username === "") throw invalidArgType("username must be a non-empty string.");
  if (typeof host !== "string" || !/^[^\s/?#@\\]+$/.test(host) || !URL.canParse(`https://${host}`)) {
    throw invalidArgValue(`host must be an authority's host[:port], without scheme or path; got ${JSON.stringify(host)}.`);
  }
  const endpoint = `https://${host}/common/userrealm/`;
  const url = `${endpoint}${encodeURIComponent(username)}?api-version=1.0`;
  const { signal } = options;
  let response: Response;
  try {
    response = await http(url, {
      method: "GET",
      headers: { accept: "application/json", "client-request-id": randomUUID(), ...options.headers },
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    throw toTransportError(e, url, signal);
  }
  if (response.status === 404) return undefined;
  // The messages name the endpoint, not the user: a username is personal data.
  if (response.status < 200 || response.status >= 300) {
    throw new NetworkError("ERR_HTTP_STATUS", `User realm discovery at ${endpoint} answered HTTP ${response.status}.`, {
      status: response.status,
    });
  }
  const realm = await readJson(response, endpoint);
  if (typeof realm.account_type !== "string") {
    throw new NetworkError("ERR_INVALID_RESPONSE", `User realm discovery at ${endpoint} answered without an account_type.`, {
      status: response.status,
    });
  }
  return realm as UserRealm;
}
