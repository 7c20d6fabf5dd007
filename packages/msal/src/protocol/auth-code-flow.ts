/**
 * The authorization code flow's browser half (RFC 6749 §4.1, OpenID Connect Core §3.1, PKCE per
 * RFC 7636): building the authorize URL with its state, nonce and code challenge, and reading the
 * response that comes back to the redirect URI.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";
import { createPkce } from "./pkce.js";
import { hashNonce, randomNonce, randomState } from "./random.js";
import type { ErrorResponse } from "./wire.js";

/** The `prompt` values Entra ID accepts (OpenID Connect Core §3.1.2.1, plus Entra's `create`). */
export const PROMPT_VALUES = ["none", "login", "consent", "select_account", "create"] as const;
/** One `prompt` value. */
export type PromptValue = (typeof PROMPT_VALUES)[number];

/** How the authority may deliver the response to the redirect URI (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode). */
export const RESPONSE_MODES = ["query", "fragment", "form_post"] as const;
/** One `response_mode` value. */
export type ResponseMode = (typeof RESPONSE_MODES)[number];

/**
 * An auth code flow in progress. A plain, JSON-serializable object: a web app keeps it in the
 * user's session between sending the browser to `auth_uri` and receiving the redirect, and hands
 * it back unchanged. Only `auth_uri` and `state` are for the caller to read; every other member is
 * internal and may change.
 */
export interface AuthCodeFlow {
  /** Where to send the user's browser. */
  readonly auth_uri: string;
  /** The value the response must bring back; the library checks it. */
  readonly state: string;
  /** Internal: the redirect URI the authorize request named; the code redemption must repeat it. */
  readonly redirect_uri?: string;
  /** Internal: the scopes requested, OIDC scopes included. */
  readonly scope: readonly string[];
  /** Internal: the PKCE verifier, sent only with the code redemption. */
  readonly code_verifier: string;
  /** Internal: the raw nonce; the authorize URL carried its hex SHA-256. */
  readonly nonce: string;
  /** Internal: the `claims` request sent on the authorize URL (client capabilities merged in). */
  readonly claims_challenge?: string;
  /** Internal: the `max_age` sent, in seconds; the ID token's `auth_time` is checked against it. */
  readonly max_age?: number;
  /** Internal: the `response_mode` requested. */
  readonly response_mode?: string;
}

/** What both authorize-URL builders take. */
export interface AuthorizationRequestOptions {
  /** The authority's `authorization_endpoint`. A query it already has (a B2C policy, say) is kept. */
  readonly authorizationEndpoint: string;
  readonly clientId: string;
  /** The scopes to request; the auth code flow expects them decorated (OIDC scopes added) already. */
  readonly scopes: readonly string[];
  readonly redirectUri?: string | undefined;
  /** The caller's `state`; a random one when absent or empty. */
  readonly state?: string | undefined;
  readonly prompt?: PromptValue | undefined;
  /** The user's sign-in name, usually a UPN. */
  readonly loginHint?: string | undefined;
  /** `consumers`, `organizations` or a tenant domain, to skip the home realm discovery page. */
  readonly domainHint?: string | undefined;
  /** The `claims` request, as a JSON string (client capabilities already merged in). */
  readonly claims?: string | undefined;
  readonly responseMode?: ResponseMode | undefined;
  /** More query parameters. They may not name a parameter this function sets itself. */
  readonly extraQuery?: Readonly<Record<string, string>> | undefined;
}

/** What {@link createAuthCodeFlow} takes. */
export interface CreateAuthCodeFlowOptions extends AuthorizationRequestOptions {
  /** Maximum seconds since the user last actively signed in (OpenID Connect Core §3.1.2.1). */
  readonly maxAge?: number | undefined;
}

/** What {@link buildAuthorizationRequestUrl} takes. */
export interface BuildAuthorizationRequestUrlOptions extends AuthorizationRequestOptions {
  /** A nonce of the caller's choosing, sent as it is. */
  readonly nonce?: string | undefined;
  /** Default `code`. `id_token` or `token` request the implicit grant, which is not recommended. */
  readonly responseType?: string | undefined;
}

/**
 * The fields of the redirect to the redirect URI: a URL's query or fragment, or a `form_post`
 * body, as a web framework hands them over (which may give an array for a repeated key), or as
 * `URLSearchParams`.
 */
export type AuthResponse = Readonly<Record<string, unknown>> | URLSearchParams;

/** An authorization error sent to the redirect URI (RFC 6749 §4.1.2.1), reduced to its standard fields. */
export type AuthorizationError = Pick<ErrorResponse, "error" | "error_description" | "error_uri">;

/** A successful response: the code to redeem, with what the redemption needs from the response. */
export interface AuthorizationCodeGrant {
  readonly code: string;
  /** The response's client_info, when it had one; it routes the redemption (`X-AnchorMailbox`). */
  readonly client_info?: string;
  /** The scopes to redeem the code for: the caller's subset, or else every scope of the flow. */
  readonly scopes: readonly string[];
}

/** What {@link parseAuthCodeResponse} returns: narrow with `"error" in outcome`. */
export type AuthCodeResponseOutcome = AuthorizationCodeGrant | { readonly error: AuthorizationError };

/** Parameters the builders set themselves, which `extraQuery` may therefore not name. */
const OWN_PARAMETERS: ReadonlySet<string> = new Set([
  "client_id",
  "response_type",
  "redirect_uri",
  "scope",
  "state",
  "code_challenge",
  "code_challenge_method",
  "nonce",
  "client_info",
  "login_hint",
  "X-AnchorMailbox",
  "prompt",
  "domain_hint",
  "claims",
  "max_age",
  "response_mode",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidArgType(`${name} must be a string`);
  return value === "" ? undefined : value;
}

/** The scopes, checked, without duplicates, in the order given. */
function checkedScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes)) throw invalidArgType('scopes must be an array of strings, e.g. ["User.Read"]');
  if (scopes.length === 0) throw invalidArgValue("scopes must contain at least one scope");
  for (const s of scopes) {
    if (typeof s !== "string" || s === "" || /\s/.test(s)) {
      throw invalidArgValue(`scopes must hold single scopes without spaces; got ${JSON.stringify(s)}`);
    }
  }
  return [...new Set(scopes as string[])];
}

function checkedPrompt(prompt: unknown): string | undefined {
  const p = optionalString(prompt, "prompt");
  if (p !== undefined && !(PROMPT_VALUES as readonly string[]).includes(p)) {
    throw invalidArgValue(`prompt must be one of ${PROMPT_VALUES.join(", ")}; got ${JSON.stringify(p)}`);
  }
  return p;
}

function checkedResponseMode(mode: unknown): string | undefined {
  const m = optionalString(mode, "responseMode");
  if (m !== undefined && !(RESPONSE_MODES as readonly string[]).includes(m)) {
    throw invalidArgValue(`responseMode must be one of ${RESPONSE_MODES.join(", ")}; got ${JSON.stringify(m)}`);
  }
  return m;
}

function checkedMaxAge(maxAge: unknown): number | undefined {
  if (maxAge === undefined) return undefined;
  if (typeof maxAge !== "number") throw invalidArgType("maxAge must be a number of seconds");
  if (!Number.isInteger(maxAge) || maxAge < 0) throw invalidArgValue(`maxAge must be a whole, non-negative number of seconds; got ${maxAge}`);
  return maxAge;
}

/**
 * The authorize URL: the endpoint with its own query kept, then `params` (absent values left out),
 * then `extraQuery`.
 */
function authorizeUrl(
  endpoint: unknown,
  params: ReadonlyArray<readonly [string, string | undefined]>,
  extraQuery: unknown,
): string {
  if (typeof endpoint !== "string") throw invalidArgType("authorizationEndpoint must be a string");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidArgValue(`authorizationEndpoint must be an absolute URL; got ${JSON.stringify(endpoint)}`);
  }
  for (const [name, value] of params) if (value !== undefined) url.searchParams.set(name, value);
  if (extraQuery !== undefined) {
    if (!isRecord(extraQuery)) throw invalidArgType("extraQuery must be an object of string values");
    for (const [name, value] of Object.entries(extraQuery)) {
      if (OWN_PARAMETERS.has(name)) {
        throw invalidArgValue(`extraQuery may not set ${name}: it is set from its own option, or by the library`);
      }
      if (typeof value !== "string") throw invalidArgType(`extraQuery.${name} must be a string`);
      url.searchParams.set(name, value);
    }
  }
  return url.href;
}

function checkedClientId(clientId: unknown): string {
  if (typeof clientId !== "string" || clientId === "") throw invalidArgType("clientId must be a non-empty string");
  return clientId;
}

/**
 * Starts an auth code flow: a fresh PKCE verifier, state (unless given) and nonce, and the authorize
 * URL that carries the challenge, the state and the hashed nonce.
 *
 * The URL's query has `client_id`, `response_type=code`, `redirect_uri`, `scope` (sorted,
 * space-separated; `openid` added when missing), `state`, `code_challenge`,
 * `code_challenge_method=S256`, `nonce` (the hex SHA-256 of the flow's nonce), `client_info=1`,
 * and when given `login_hint` with `X-AnchorMailbox=UPN:{login_hint}` (Entra's routing hint),
 * `prompt`, `domain_hint`, `claims`, `max_age` and `response_mode`; then `extraQuery`.
 *
 * @param options The endpoint, the client, the (decorated) scopes and the optional parameters.
 * @returns The flow: send the browser to its `auth_uri`, keep the whole object, and pass it to
 *   {@link parseAuthCodeResponse} with the response.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a bad option, such as a
 *   `prompt` or `responseMode` outside the allowed values.
 */
export function createAuthCodeFlow(options: CreateAuthCodeFlowOptions): AuthCodeFlow {
  if (!isRecord(options)) throw invalidArgType("options must be an object");
  const clientId = checkedClientId(options.clientId);
  const scope = checkedScopes(options.scopes);
  if (!scope.includes("openid")) scope.push("openid");
  const redirectUri = optionalString(options.redirectUri, "redirectUri");
  const state = optionalString(options.state, "state") ?? randomState();
  const prompt = checkedPrompt(options.prompt);
  const loginHint = optionalString(options.loginHint, "loginHint");
  const domainHint = optionalString(options.domainHint, "domainHint");
  const claims = optionalString(options.claims, "claims");
  const maxAge = checkedMaxAge(options.maxAge);
  const responseMode = checkedResponseMode(options.responseMode);
  const pkce = createPkce();
  const nonce = randomNonce();
  const auth_uri = authorizeUrl(
    options.authorizationEndpoint,
    [
      ["client_id", clientId],
      ["response_type", "code"],
      ["redirect_uri", redirectUri],
      ["scope", [...scope].sort().join(" ")],
      ["state", state],
      ["code_challenge", pkce.code_challenge],
      ["code_challenge_method", pkce.code_challenge_method],
      ["nonce", hashNonce(nonce)],
      ["client_info", "1"],
      ["login_hint", loginHint],
      ["X-AnchorMailbox", loginHint === undefined ? undefined : `UPN:${loginHint}`],
      ["prompt", prompt],
      ["domain_hint", domainHint],
      ["claims", claims],
      ["max_age", maxAge === undefined ? undefined : String(maxAge)],
      ["response_mode", responseMode],
    ],
    options.extraQuery,
  );
  return {
    auth_uri,
    state,
    ...(redirectUri !== undefined ? { redirect_uri: redirectUri } : {}),
    scope,
    code_verifier: pkce.code_verifier,
    nonce,
    ...(claims !== undefined ? { claims_challenge: claims } : {}),
    ...(maxAge !== undefined ? { max_age: maxAge } : {}),
    ...(responseMode !== undefined ? { response_mode: responseMode } : {}),
  };
}

/**
 * Builds a plain authorize URL, for the older pair of `getAuthorizationRequestUrl` and
 * `acquireTokenByAuthorizationCode`: no PKCE, no `client_info`, no routing hint, and the nonce (if
 * any) sent as given, since the caller keeps it and compares it with the ID token's.
 *
 * @param options The endpoint, the client, the scopes (sent as given, sorted) and the optional
 *   parameters.
 * @returns The URL.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a bad option.
 */
export function buildAuthorizationRequestUrl(options: BuildAuthorizationRequestUrlOptions): string {
  if (!isRecord(options)) throw invalidArgType("options must be an object");
  const clientId = checkedClientId(options.clientId);
  const scope = checkedScopes(options.scopes);
  return authorizeUrl(
    options.authorizationEndpoint,
    [
      ["client_id", clientId],
      ["response_type", optionalString(options.responseType, "responseType") ?? "code"],
      ["redirect_uri", optionalString(options.redirectUri, "redirectUri")],
      ["scope", scope.sort().join(" ")],
      ["state", optionalString(options.state, "state")],
      ["nonce", optionalString(options.nonce, "nonce")],
      ["login_hint", optionalString(options.loginHint, "loginHint")],
      ["prompt", checkedPrompt(options.prompt)],
      ["domain_hint", optionalString(options.domainHint, "domainHint")],
      ["claims", optionalString(options.claims, "claims")],
      ["response_mode", checkedResponseMode(options.responseMode)],
    ],
    options.extraQuery,
  );
}

function notAFlow(what: string): MsalError {
  return new MsalError(
    "ERR_STATE_MISMATCH",
    `authCodeFlow is not a flow from initiateAuthCodeFlow(): ${what}. Was the session that kept it lost or altered? ` +
      "Start the sign-in again.",
  );
}

/** Checks that `flow` has the members {@link createAuthCodeFlow} writes, whatever JSON round trips it went through. */
function checkFlow(flow: unknown): AuthCodeFlow {
  if (!isRecord(flow)) throw notAFlow("it is not an object");
  const nonEmpty = (name: string): void => {
    const v = flow[name];
    if (typeof v !== "string" || v === "") throw notAFlow(`its ${name} is missing`);
  };
  nonEmpty("state");
  nonEmpty("code_verifier");
  nonEmpty("nonce");
  const scope = flow["scope"];
  if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === "string")) {
    throw notAFlow("its scope is missing");
  }
  for (const name of ["redirect_uri", "claims_challenge", "response_mode"]) {
    if (flow[name] !== undefined && typeof flow[name] !== "string") throw notAFlow(`its ${name} is not a string`);
  }
  if (flow["max_age"] !== undefined && typeof flow["max_age"] !== "number") throw notAFlow("its max_age is not a number");
  return flow as unknown as AuthCodeFlow;
}

/** One field of the response, refusing repeats: a framework's array means the key came more than once. */
function responseField(response: AuthResponse, name: string): string | undefined {
  let value: unknown;
  if (response instanceof URLSearchParams) {
    const all = response.getAll(name);
    value = all.length > 1 ? all : all[0];
  } else {
    value = Object.hasOwn(response, name) ? response[name] : undefined;
  }
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    throw invalidArgValue(`authResponse has ${name} more than once; a response from the authority has each field once`);
  }
  if (typeof value !== "string") throw invalidArgType(`authResponse.${name} must be a string`);
  return value === "" ? undefined : value;
}

function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Reads the response that came back to the redirect URI, after checking it belongs to `flow`.
 * The checks, in order: `flow` has what {@link createAuthCodeFlow} put in it; the response's
 * `state` equals the flow's; `scopes`, when given, are all among the flow's. Then a `code` is the
 * outcome; else an `error` is, reduced to `error`, `error_description` and `error_uri`.
 *
 * @param flow The flow as kept since {@link createAuthCodeFlow} (a JSON round trip is fine).
 * @param authResponse The query, fragment or form_post fields of the redirect.
 * @param options `scopes`: a subset of the flow's scopes to redeem the code for (for consent to
 *   several resources at once, since a token has one audience); default all of them.
 * @returns `{ code, client_info?, scopes }`, or `{ error }` when the authority sent an error.
 * @throws {@link MsalError} `ERR_STATE_MISMATCH` when `flow` is not a flow (say, a lost session
 *   gave `{}`) or the response's state is missing or different: usually a forged or replayed
 *   request (CSRF); ignore it and start again.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) when `authResponse` is not an
 *   object, repeats a field, has neither `code` nor `error`, or `scopes` is not a subset of the
 *   flow's.
 */
export function parseAuthCodeResponse(
  flow: AuthCodeFlow,
  authResponse: AuthResponse,
  options: { readonly scopes?: readonly string[] | undefined } = {},
): AuthCodeResponseOutcome {
  const f = checkFlow(flow);
  if (!(authResponse instanceof URLSearchParams) && !isRecord(authResponse)) {
    throw invalidArgType("authResponse must be an object of the redirect's query (or form_post) fields");
  }
  const state = responseField(authResponse, "state");
  if (state === undefined) {
    throw new MsalError(
      "ERR_STATE_MISMATCH",
      "authResponse has no state, so it cannot be tied to this flow; ignore it and start the sign-in again.",
    );
  }
  if (!sameState(state, f.state)) {
    throw new MsalError(
      "ERR_STATE_MISMATCH",
      "authResponse's state is not the flow's: the response belongs to another sign-in, or was forged (CSRF). " +
        "Ignore it and start the sign-in again.",
    );
  }

  let scopes: readonly string[] = f.scope;
  const wanted = options.scopes;
  if (wanted !== undefined) {
    if (!Array.isArray(wanted) || !wanted.every((s) => typeof s === "string")) throw invalidArgType("scopes must be an array of strings");
    const extra = wanted.filter((s) => !f.scope.includes(s));
    if (extra.length > 0) {
      throw invalidArgValue(
        `scopes must be a subset of the flow's scopes (${f.scope.join(" ")}); these were not requested: ${extra.join(" ")}`,
      );
    }
    if (wanted.length > 0) scopes = [...wanted];
  }

  const code = responseField(authResponse, "code");
  if (code !== undefined) {
    const clientInfo = responseField(authResponse, "client_info");
    return { code, ...(clientInfo !== undefined ? { client_info: clientInfo } : {}), scopes };
  }
  const error = responseField(authResponse, "error");
  if (error !== undefined) {
    const description = responseField(authResponse, "error_description");
    const uri = responseField(authResponse, "error_uri");
    return {
      error: {
        error,
        ...(description !== undefined ? { error_description: description } : {}),
        ...(uri !== undefined ? { error_uri: uri } : {}),
      },
    };
  }
  throw invalidArgValue(
    "authResponse has neither code nor error: pass the fields of the authority's redirect (the query, or the form_post body)",
  );
}
