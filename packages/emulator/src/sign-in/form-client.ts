import { request as httpsRequest } from "node:https";
import { MFA_CODE } from "../config.js";
import { alertText, parseForms } from "./html-forms.js";
import type { HtmlForm } from "./html-forms.js";

// A browser without a browser: follows the emulator's authorize redirects and fills in its sign-in
// forms, keeping cookies in memory, so tests can run the auth code flow end to end over HTTPS.

/** The part of `fetch` the helper uses; pass undici's `fetch` with a `dispatcher` bound to trust the emulator's CA. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; redirect: "manual" },
) => Promise<Response>;

/** Options of {@link signInWithForm}. */
export interface SignInOptions {
  /** Typed into the username field when the page asks. */
  readonly username?: string;
  /** Typed into the password field when the page asks. */
  readonly password?: string;
  /** The one-time code for the second-factor page (default: the emulator's `MFA_CODE`). */
  readonly mfaCode?: string;
  /** Accept (default) or cancel the consent page. */
  readonly consent?: boolean;
  /** On the account picker: continue as the signed-in account (default), or use another one. */
  readonly account?: "current" | "another";
  /**
   * The browser's cookies for the emulator, name → value. Pass the same map to later calls to keep the
   * session (then a second sign-in needs no password); it is updated in place.
   */
  readonly cookies?: Map<string, string>;
  /** CA certificate (PEM) the built-in HTTPS client trusts (the emulator's `caCertificate`). */
  readonly ca?: string;
  /** Send the requests with this instead of the built-in HTTPS client. */
  readonly fetch?: FetchLike;
}

/** Where the sign-in ended: the authorization response as the app receives it. */
export interface SignInResult {
  /** How the response came back: in the redirect's query or fragment, or as a form posted to `url`. */
  readonly responseMode: "query" | "fragment" | "form_post";
  /** The redirect URL the browser was sent to, or the form_post target. */
  readonly url: string;
  /** `code`, `state`, `client_info` — or `error`, `error_description`, `error_uri`, `state`. */
  readonly params: Readonly<Record<string, string>>;
}

/** The emulator showed an error (or asked for something the options do not provide). */
export class SignInError extends Error {
  /** Always `"SignInError"`. */
  override readonly name = "SignInError";
}

/** One HTTP answer, as the helpers read it. */
export interface Reply {
  readonly status: number;
  readonly location: string | undefined;
  readonly setCookies: readonly string[];
  readonly body: string;
}

/** Sends one request without following redirects. */
export type Send = (url: string, method: string, headers: Record<string, string>, body: string | undefined) => Promise<Reply>;

/** {@link Send} over a caller's fetch. */
export function viaFetch(fetch: FetchLike): Send {
  return async (url, method, headers, body) => {
    const res = await fetch(url, { method, headers, redirect: "manual", ...(body === undefined ? {} : { body }) });
    const cookies = res.headers.getSetCookie();
    return { status: res.status, location: res.headers.get("location") ?? undefined, setCookies: cookies, body: await res.text() };
  };
}

/** {@link Send} over node:https, trusting `ca`. */
export function viaHttps(ca: string | undefined): Send {
  return (url, method, headers, body) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, ...(ca === undefined ? {} : { ca }) }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            setCookies: res.headers["set-cookie"] ?? [],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
}

/** Applies `Set-Cookie` headers to a cookie jar. */
export function keepCookies(jar: Map<string, string>, setCookies: readonly string[]): void {
  for (const header of setCookies) {
    const [pair = "", ...attributes] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
    if (expired) jar.delete(name);
    else jar.set(name, pair.slice(eq + 1).trim());
  }
}

function result(url: URL): SignInResult {
  const fragment = url.hash.length > 1;
  const params = new URLSearchParams(fragment ? url.hash.slice(1) : url.search);
  return { responseMode: fragment ? "fragment" : "query", url: url.toString(), params: Object.fromEntries(params) };
}

/**
 * Chooses what to type and which button to press on one of the emulator's sign-in pages; `seen`
 * guards against answering the same step twice (a refused password, say).
 */
export function fill(form: HtmlForm, options: SignInOptions, seen: Set<string>, alert: string | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const input of form.inputs) fields[input.name] = input.value;
  const has = (name: string): boolean => form.inputs.some((i) => i.name === name);
  const press = (value: string): Record<string, string> => {
    const button = form.buttons.find((b) => b.value === value) ?? form.buttons[0];
    return button ? { ...fields, [button.name]: button.value } : fields;
  };
  const once = (step: string): void => {
    if (seen.has(step)) throw new SignInError(alert ?? `The emulator refused the ${step}.`);
    seen.add(step);
  };
  if (has("password")) {
    once("username and password");
    if (options.username === undefined || options.password === undefined) {
      throw new SignInError("The emulator asks for a username and password; pass them in the options.");
    }
    return { ...press("sign-in"), username: options.username, password: options.password };
  }
  if (has("otc")) {
    once("one-time code");
    return { ...press("verify"), otc: options.mfaCode ?? MFA_CODE };
  }
  if (form.buttons.some((b) => b.value === "accept")) return press(options.consent === false ? "cancel" : "accept");
  if (form.buttons.some((b) => b.value === "another")) return press(options.account === "another" ? "another" : "continue");
  throw new SignInError("The emulator showed a form the sign-in helper does not know.");
}

/**
 * Signs in at an authorize URL of the emulator the way a browser would, without one: follows its
 * redirects, fills in the username and password, the one-time code, consent and the account picker,
 * and keeps cookies in memory.
 *
 * @param authUri - the authorize URL, e.g. from `initiateAuthCodeFlow`.
 * @returns the response delivered to the app: the redirect (query or fragment) or the form_post fields.
 * @throws SignInError when the emulator shows an error page, rejects the credentials, or asks for
 *   something the options do not provide.
 * @example
 * ```ts
 * const result = await signInWithForm(flow.auth_uri, {
 *   username: "adele@contoso.onmicrosoft.com",
 *   password: "adele-password~emulator",
 *   ca: emulator.caCertificate,
 * });
 * // result.params.code, result.params.state
 * ```
 */
export async function signInWithForm(authUri: string, options: SignInOptions = {}): Promise<SignInResult> {
  const send = options.fetch ? viaFetch(options.fetch) : viaHttps(options.ca);
  const jar = options.cookies ?? new Map<string, string>();
  const origin = new URL(authUri).origin;
  const seen = new Set<string>();
  let url = new URL(authUri);
  let method = "GET";
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const headers: Record<string, string> = { accept: "text/html" };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const reply = await send(url.toString(), method, headers, body);
    keepCookies(jar, reply.setCookies);

    if (reply.status >= 300 && reply.status < 400 && reply.location) {
      const next = new URL(reply.location, url);
      if (next.origin !== origin) return result(next);
      [url, method, body] = [next, "GET", undefined];
      continue;
    }
    const [form] = parseForms(reply.body);
    if (reply.status !== 200 || !form) {
      throw new SignInError(alertText(reply.body) ?? `The emulator answered ${reply.status} without a form.`);
    }
    const action = new URL(form.action, url);
    if (action.origin !== origin) {
      // A form posting away from the emulator is the form_post response.
      return { responseMode: "form_post", url: action.toString(), params: Object.fromEntries(form.inputs.map((i) => [i.name, i.value])) };
    }
    const fields = fill(form, options, seen, alertText(reply.body));
    [url, method, body] = [action, "POST", new URLSearchParams(fields).toString()];
  }
  throw new SignInError("The sign-in did not finish within 20 requests.");
}
