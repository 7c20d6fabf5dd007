// What every fuzz target shares: the judgement of what the library may throw or return, an
// in-memory authority behind the one seam (the HTTP client), and builders of valid wire values
// for the targets to mutate.
import { Buffer } from "node:buffer";
import { inspect } from "node:util";
import {
  ConfidentialClientApplication,
  MsalError,
  PublicClientApplication,
  SerializableTokenCache,
  type HttpClient,
  type HttpRequestInit,
} from "../../src/index.js";

/** The fuzzed authority's host: Entra-style, so that the issuer check applies. */
export const HOST = "login.fuzz.test";
/** Its tenant, a GUID. */
export const TENANT = "6b1e5f0c-3c44-4b6e-9f5b-2f1b8d9a7c31";
/** The fuzzed authority. */
export const AUTHORITY = `https://${HOST}/${TENANT}`;
/** The issuer its OpenID configuration names. */
export const ISSUER = `${AUTHORITY}/v2.0`;
/** Its token endpoint. */
export const TOKEN_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/token`;
/** Its device authorization endpoint. */
export const DEVICE_ENDPOINT = `${AUTHORITY}/oauth2/v2.0/devicecode`;
const DISCOVERY_URL = `${AUTHORITY}/v2.0/.well-known/openid-configuration`;
/** The fuzzed application. */
export const CLIENT_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
/** The signed-in user's object id. */
export const UID = "9a8b7c6d-0000-4000-8000-00000000a11c";
/** The user's home tenant. */
export const UTID = TENANT;
/** The user's `home_account_id`. */
export const HOME_ACCOUNT_ID = `${UID}.${UTID}`;

// Secrets with a recognizable shape: none may ever appear in a thrown error (message, cause, stack).
/** The access token valid answers carry. */
export const ACCESS_TOKEN = "at-CANARY-3f9c1e7a5b2d8046";
/** The refresh token valid answers carry. */
export const REFRESH_TOKEN = "rt-CANARY-7d2e9b4c1a6f3058";
/** The refresh token of the fixture cache. */
export const CACHED_REFRESH_TOKEN = "rt-CANARY-cached-b81f2c4e9d07";
/** The refresh token a migration (`acquireTokenByRefreshToken`) is given. */
export const GIVEN_REFRESH_TOKEN = "rt-CANARY-given-5c3a8e1f20d6";
/** The authorization code redirects carry. */
export const AUTH_CODE = "code-CANARY-4e8a1c6f9b2d7035";
/** The device code valid device authorizations carry. */
export const DEVICE_CODE = "dc-CANARY-8b1d5f3a7c9e2046";
/** The confidential client's secret. */
export const CLIENT_SECRET = "secret-CANARY-2a7f4c9e1b5d8063";
/** Every secret above. */
export const SECRETS: readonly string[] = [
  ACCESS_TOKEN,
  REFRESH_TOKEN,
  CACHED_REFRESH_TOKEN,
  GIVEN_REFRESH_TOKEN,
  AUTH_CODE,
  DEVICE_CODE,
  CLIENT_SECRET,
];

/** Whole epoch seconds. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A broken property: what the library did, and the error it threw if any. */
export function violation(message: string, cause?: unknown): Error {
  return new Error(message, cause === undefined ? undefined : { cause });
}

/**
 * Whether an error is one the library may throw: an {@link MsalError} (or subclass), or a
 * `TypeError`/`RangeError` carrying a Node-style string `code`.
 */
export function isTypedError(e: unknown): boolean {
  if (e instanceof MsalError) return true;
  return (e instanceof TypeError || e instanceof RangeError) && typeof (e as { code?: unknown }).code === "string";
}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${e.name}${typeof code === "string" ? ` [${code}]` : ""}: ${e.message}`;
  }
  return `a thrown non-error ${inspect(e)}`;
}

/**
 * Throws a violation unless `e` is a typed error that names none of the canary secrets.
 *
 * @param what The call that threw, for the report.
 */
export function expectTypedError(e: unknown, what: string): void {
  if (!isTypedError(e)) throw violation(`${what} threw an untyped error: ${describeError(e)}`, e);
  const text = inspect(e, { depth: 6 });
  for (const secret of SECRETS) {
    if (text.includes(secret)) throw violation(`${what} threw an error that quotes a secret (${secret.slice(0, 6)}…): ${describeError(e)}`, e);
  }
}

/**
 * A string as a form body carries it (UTF-8, where a lone surrogate becomes U+FFFD), for comparing
 * what was sent with what was given; `undefined` for anything else.
 */
export function asSent(value: unknown): string | undefined {
  return typeof value === "string" ? (new URLSearchParams([["v", value]]).get("v") ?? undefined) : undefined;
}

/** The outcome of a call: its value, or what it threw. Catches synchronous throws too. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Settles a call, synchronous or not. */
export async function settle<T>(call: () => T | Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The same for synchronous calls. */
export function settleSync<T>(call: () => T): Settled<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** What an acquire call resolved to. */
export type ResultKind = "token" | "error" | "none";

/**
 * Classifies a result, and throws a violation unless it is a plain object that is exactly one of
 * a token result (own non-empty `access_token`, string `token_type`, finite `expires_in`,
 * `token_source`) or an error result (own non-empty `error`), or `null`. Inherited members count:
 * `"error" in result` is how callers tell the two apart.
 */
export function classifyResult(r: unknown, what: string): ResultKind {
  if (r === null) return "none";
  if (typeof r !== "object" || r === undefined || Array.isArray(r)) throw violation(`${what} resolved to ${inspect(r)}, not a result`);
  if (Object.getPrototypeOf(r) !== Object.prototype) {
    throw violation(`${what} resolved to an object whose prototype is not Object.prototype (members: ${Object.keys(r).join(", ")})`);
  }
  const o = r as Record<string, unknown>;
  if ("error" in o) {
    if (!Object.hasOwn(o, "error") || typeof o.error !== "string" || o.error === "") {
      throw violation(`${what} resolved to an error result without a string error: ${inspect(o.error)}`);
    }
    if ("access_token" in o) throw violation(`${what} resolved to a result with both error and access_token`);
    return "error";
  }
  const problems: string[] = [];
  if (!Object.hasOwn(o, "access_token") || typeof o.access_token !== "string" || o.access_token === "") problems.push("access_token");
  if (typeof o.token_type !== "string" || o.token_type === "") problems.push("token_type");
  if (typeof o.expires_in !== "number" || !Number.isFinite(o.expires_in)) problems.push(`expires_in (${inspect(o.expires_in)})`);
  if (typeof o.token_source !== "string") problems.push("token_source");
  if (problems.length > 0) throw violation(`${what} resolved to a token result with a bad ${problems.join(", ")}`);
  return "token";
}

/**
 * Judges a settled acquire call: a typed error or a well-formed result.
 *
 * @returns `"thrown"` or the result's kind.
 */
export function judge(outcome: Settled<unknown>, what: string): ResultKind | "thrown" {
  if (!outcome.ok) {
    expectTypedError(outcome.error, what);
    return "thrown";
  }
  return classifyResult(outcome.value, what);
}

/** One answer of the in-memory authority. */
export interface WireAnswer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * A transport failure: `reject` makes the client reject as fetch does when a connection fails;
   * `body-error` sends the headers, then fails while the body is read (a reset connection).
   */
  readonly fault?: "reject" | "body-error" | undefined;
}

/** Statuses a `Response` cannot have a body with. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Builds the `Response` an answer describes. */
export function toResponse(answer: WireAnswer): Response {
  const headers = new Headers(answer.headers);
  if (answer.contentType !== null) headers.set("content-type", answer.contentType);
  const status = answer.status;
  if (answer.fault === "body-error") {
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(answer.body.slice(0, Math.floor(answer.body.length / 2))));
        controller.error(Object.assign(new TypeError("terminated"), { cause: new Error("other side closed") }));
      },
    });
    return new Response(stream, { status, headers });
  }
  return new Response(NULL_BODY_STATUSES.has(status) ? null : answer.body, { status, headers });
}

/** A token request as the authority received it. */
export interface ReceivedPost {
  readonly url: string;
  readonly form: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
}

const ALLOWED_INIT_KEYS = new Set(["method", "headers", "body", "signal"]);

/**
 * An authority in memory, behind the HTTP client seam: it serves the OpenID configuration of
 * {@link AUTHORITY}, answers POSTs from a queue of answers (then with a fallback), and records
 * what it received. Like fetch, it refuses header values that are not valid HTTP; the count of
 * such refusals is kept, since the library should never send one.
 */
export class FakeAuthority {
  readonly posts: ReceivedPost[] = [];
  readonly gets: string[] = [];
  invalidRequests = 0;
  readonly #answers: WireAnswer[];
  readonly #fallback: WireAnswer;

  constructor(answers: readonly WireAnswer[] = [], fallback: WireAnswer = jsonAnswer(400, { error: "invalid_grant", error_description: "fallback" })) {
    this.#answers = [...answers];
    this.#fallback = fallback;
  }

  readonly http: HttpClient = async (url: string, init: HttpRequestInit): Promise<Response> => {
    for (const key of Object.keys(init)) if (!ALLOWED_INIT_KEYS.has(key)) throw new Error(`unexpected request option ${key}`);
    try {
      new Headers(init.headers);
    } catch (e) {
      this.invalidRequests++;
      throw e;
    }
    if (init.method === "GET") {
      this.gets.push(url);
      if (url === DISCOVERY_URL) return Response.json(openIdConfiguration());
      return new Response("not found", { status: 404 });
    }
    this.posts.push({ url, form: new URLSearchParams(init.body ?? ""), headers: init.headers });
    const answer = this.#answers.shift() ?? this.#fallback;
    if (answer.fault === "reject") throw new TypeError("fetch failed", { cause: new Error("connect ECONNRESET") });
    return toResponse(answer);
  };
}

/** The OpenID configuration of {@link AUTHORITY}. */
export function openIdConfiguration(): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
    token_endpoint: TOKEN_ENDPOINT,
    device_authorization_endpoint: DEVICE_ENDPOINT,
    jwks_uri: `${AUTHORITY}/discovery/v2.0/keys`,
  };
}

/** A JSON answer. */
export function jsonAnswer(status: number, body: unknown): WireAnswer {
  return { status, contentType: "application/json; charset=utf-8", body: JSON.stringify(body) };
}

/** base64url of a value's JSON. */
export const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Entra's client_info for the fuzzed user. */
export const CLIENT_INFO = b64url({ uid: UID, utid: UTID });

/** The claims of a valid ID token for {@link CLIENT_ID}, issued now. */
export function validIdTokenClaims(now: number, nonce?: string): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: CLIENT_ID,
    exp: now + 3600,
    iat: now - 10,
    nbf: now - 10,
    auth_time: now - 10,
    tid: TENANT,
    sub: "subject-1",
    oid: UID,
    preferred_username: "user@fuzz.test",
    name: "Fuzz User",
    ...(nonce !== undefined ? { nonce } : {}),
  };
}

/** An unsigned-looking JWT with the given claims (the library reads ID tokens from the token endpoint only, unverified). */
export function idToken(claims: unknown): string {
  return `${b64url({ typ: "JWT", alg: "RS256", kid: "k1" })}.${b64url(claims)}.c2lnbmF0dXJl`;
}

/** A valid token response for a user flow, with an ID token from `issuer`. */
export function validUserTokenResponse(now: number, nonce?: string, issuer = ISSUER): Record<string, unknown> {
  return {
    token_type: "Bearer",
    scope: "s1 openid profile offline_access",
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: ACCESS_TOKEN,
    refresh_token: REFRESH_TOKEN,
    id_token: idToken({ ...validIdTokenClaims(now, nonce), iss: issuer }),
    client_info: CLIENT_INFO,
  };
}

/** A valid token response for the client credentials grant. */
export function validAppTokenResponse(): Record<string, unknown> {
  return { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: ACCESS_TOKEN };
}

/**
 * A cache holding one signed-in account (Account, IdToken, RefreshToken, AppMetadata) and an
 * app-only access token for another scope: something a bad write or a bad removal would disturb.
 */
export function fixtureCacheState(): Record<string, unknown> {
  const env = HOST;
  return {
    Account: {
      [`${HOME_ACCOUNT_ID}-${env}-${TENANT}`]: {
        home_account_id: HOME_ACCOUNT_ID,
        environment: env,
        realm: TENANT,
        local_account_id: UID,
        username: "user@fuzz.test",
        authority_type: "MSSTS",
      },
    },
    IdToken: {
      [`${HOME_ACCOUNT_ID}-${env}-idtoken-${CLIENT_ID}-${TENANT}-`]: {
        credential_type: "IdToken",
        secret: idToken(validIdTokenClaims(1_700_000_000)),
        home_account_id: HOME_ACCOUNT_ID,
        environment: env,
        realm: TENANT,
        client_id: CLIENT_ID,
      },
    },
    RefreshToken: {
      [`${HOME_ACCOUNT_ID}-${env}-refreshtoken-${CLIENT_ID}--s1`]: {
        credential_type: "RefreshToken",
        secret: CACHED_REFRESH_TOKEN,
        home_account_id: HOME_ACCOUNT_ID,
        environment: env,
        client_id: CLIENT_ID,
        target: "s1",
        last_modification_time: "1700000000",
      },
    },
    AccessToken: {
      [`-${env}-accesstoken-${CLIENT_ID}-${TENANT}-other`]: {
        credential_type: "AccessToken",
        secret: "at-app-only-other",
        home_account_id: null,
        environment: env,
        client_id: CLIENT_ID,
        realm: TENANT,
        target: "other",
        token_type: "Bearer",
        cached_at: "1700000000",
        expires_on: "9999999999",
        extended_expires_on: "9999999999",
      },
    },
    AppMetadata: { [`appmetadata-${env}-${CLIENT_ID}`]: { client_id: CLIENT_ID, environment: env } },
  };
}

const FIXTURE_TEXT = JSON.stringify(fixtureCacheState());

/** A cache loaded with {@link fixtureCacheState}. */
export function fixtureCache(): SerializableTokenCache {
  const cache = new SerializableTokenCache();
  cache.deserialize(FIXTURE_TEXT);
  return cache;
}

/** The account of {@link fixtureCacheState}, as `getAccounts()` returns it. */
export const FIXTURE_ACCOUNT = {
  home_account_id: HOME_ACCOUNT_ID,
  environment: HOST,
  username: "user@fuzz.test",
  authority_type: "MSSTS",
  local_account_id: UID,
  realm: TENANT,
} as const;

const APP_OPTIONS = { authority: AUTHORITY, validateAuthority: false, instanceDiscovery: false } as const;

/** A public client of the fuzzed authority. */
export function publicApp(authority: FakeAuthority, tokenCache: SerializableTokenCache): PublicClientApplication {
  return new PublicClientApplication(CLIENT_ID, { ...APP_OPTIONS, httpClient: authority.http, tokenCache });
}

/** A confidential client of the fuzzed authority, with a secret. */
export function confidentialApp(authority: FakeAuthority, tokenCache: SerializableTokenCache): ConfidentialClientApplication {
  return new ConfidentialClientApplication(CLIENT_ID, {
    ...APP_OPTIONS,
    clientCredential: CLIENT_SECRET,
    httpClient: authority.http,
    tokenCache,
  });
}

/** Throws a violation when the cache's serialized state differs from `before`. */
export function expectCacheUnchanged(cache: SerializableTokenCache, before: string, what: string): void {
  const after = cache.serialize();
  if (after !== before) throw violation(`${what} did not yield a token, yet the cache changed`);
}

/**
 * Throws a violation unless the cache survives a save and a load unchanged, and its lookups (an
 * application's accounts, and the entries they lead to) answer without an untyped error.
 */
export function expectCacheSound(cache: SerializableTokenCache, what: string): void {
  const saved = cache.serialize();
  const copy = new SerializableTokenCache();
  const loaded = settleSync(() => copy.deserialize(saved));
  if (!loaded.ok) throw violation(`${what}: the cache's own serialization does not load back`, loaded.error);
  if (copy.serialize() !== saved) throw violation(`${what}: the cache's serialization changes across a load`);
}
