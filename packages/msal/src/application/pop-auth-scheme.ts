/**
 * The proof-of-possession authentication scheme an acquire call can ask for.
 *
 * @module
 */
import { KeyObject } from "node:crypto";
import { invalidArgType, invalidArgValue } from "../errors.js";
import type { PopKeyInput } from "../protocol/index.js";

/** The HTTP methods a PoP token can be signed for, upper case (RFC 9110 §9.1 method names are case-sensitive). */
export type PopHttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

const METHODS: readonly string[] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

/** Options of {@link PopAuthScheme}. */
export interface PopAuthSchemeOptions {
  /**
   * The private key the token is bound to and the request signed with: a `KeyObject` or a
   * private JWK, RSA (2048 bits or more, RS256) or EC P-256 (ES256). By default each application
   * instance generates one RSA 2048 key on first use and keeps it in memory.
   */
  readonly key?: PopKeyInput;
}

/**
 * Asks an acquire method for a proof-of-possession (PoP) token for one HTTP request, instead of
 * a bearer token. The result's `access_token` is then a Signed HTTP Request (a JWS over the
 * access token, the method, the URL's host and path, the nonce and a timestamp, signed with the
 * app's key) and its `token_type` is `"pop"`; send it as `Authorization: PoP <access_token>`.
 *
 * MSAL Python gets PoP tokens from a broker only. msal-ts binds them to a key the app holds
 * (generated per application instance, or given as `options.key`), so PoP works on every flow and
 * platform. A cached PoP token is reused for later calls, each getting a freshly signed request:
 * the token is useless without the key, and the signature covers the call's method, URL and nonce.
 *
 * @example
 * ```ts
 * // The resource answered 401 with `WWW-Authenticate: PoP nonce="…"`.
 * const scheme = new PopAuthScheme(PopAuthScheme.HTTP_GET, "https://api.contoso.com/orders", nonce);
 * const result = await app.acquireTokenForClient(["api://orders/.default"], { authScheme: scheme });
 * if ("error" in result) throw new Error(result.error_description);
 * await fetch("https://api.contoso.com/orders", { headers: { authorization: `PoP ${result.access_token}` } });
 * ```
 */
export class PopAuthScheme {
  /** The `GET` method, for the `httpMethod` argument (MSAL Python's `PopAuthScheme.HTTP_GET`). */
  static readonly HTTP_GET = "GET";
  /** The `POST` method, for the `httpMethod` argument (MSAL Python's `PopAuthScheme.HTTP_POST`). */
  static readonly HTTP_POST = "POST";
  /** The `PUT` method, for the `httpMethod` argument (MSAL Python's `PopAuthScheme.HTTP_PUT`). */
  static readonly HTTP_PUT = "PUT";
  /** The `DELETE` method, for the `httpMethod` argument (MSAL Python's `PopAuthScheme.HTTP_DELETE`). */
  static readonly HTTP_DELETE = "DELETE";
  /** The `PATCH` method, for the `httpMethod` argument (MSAL Python's `PopAuthScheme.HTTP_PATCH`). */
  static readonly HTTP_PATCH = "PATCH";

  /** The method the request is signed for. */
  readonly httpMethod: PopHttpMethod;
  /** The URL the request is signed for (its host, port and path are signed). */
  readonly url: string;
  /** The resource's nonce. */
  readonly nonce: string;
  /** The key given in the options, if any. */
  readonly key: PopKeyInput | undefined;

  /**
   * @param httpMethod One of {@link PopAuthScheme.HTTP_GET} … {@link PopAuthScheme.HTTP_PATCH}, upper case.
   * @param url The absolute http(s) URL of the resource request.
   * @param nonce The nonce the resource handed out (e.g. in its `WWW-Authenticate: PoP` challenge).
   * @param options `key`: the key to bind the token to.
   * @throws TypeError when any of the three is missing, the method is not an upper-case one of the
   *   five, the URL is not an absolute http(s) URL, or the key is not a private key.
   */
  constructor(httpMethod: PopHttpMethod, url: string, nonce: string, options: PopAuthSchemeOptions = {}) {
    if (!httpMethod || !url || !nonce) throw invalidArgValue("httpMethod, url and nonce are all required for a PopAuthScheme");
    if (typeof httpMethod !== "string" || !METHODS.includes(httpMethod)) {
      throw invalidArgValue(`httpMethod must be one of ${METHODS.join(", ")} (upper case), got ${JSON.stringify(httpMethod)}`);
    }
    if (typeof url !== "string") throw invalidArgType("url must be a string");
    if (typeof nonce !== "string") throw invalidArgType("nonce must be a string");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidArgValue("url must be an absolute URL, e.g. https://api.contoso.com/orders");
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw invalidArgValue("url must be an http or https URL");
    if (typeof options !== "object" || options === null) throw invalidArgType("options must be an object");
    const key = options.key;
    if (key !== undefined) {
      if (key instanceof KeyObject) {
        if (key.type !== "private") throw invalidArgValue("key must be a private key; the public key is derived from it");
      } else if (typeof key !== "object" || key === null || typeof (key as { d?: unknown }).d !== "string") {
        throw invalidArgType("key must be a private KeyObject or a private JWK (with \"d\")");
      }
    }
    this.httpMethod = httpMethod;
    this.url = url;
    this.nonce = nonce;
    this.key = key;
    Object.freeze(this);
  }
}
