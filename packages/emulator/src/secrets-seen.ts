import type { IncomingHttpHeaders } from "node:http";

// Every credential the emulator issued or received, kept so that a test can look for them where they
// must never appear (a client's logs, its error messages). The request log keeps none of them; this
// record keeps nothing else.

/** What a recorded secret is. */
export type SecretKind =
  | "access_token"
  | "refresh_token"
  | "id_token"
  | "authorization_code"
  | "code_verifier"
  | "device_code"
  | "user_code"
  | "client_secret"
  | "client_assertion"
  | "user_assertion"
  | "password"
  | "managed_identity_secret";

/** One secret the emulator issued (in a response) or received (in a request). */
export interface SeenSecret {
  /** What the secret is, e.g. `refresh_token` or `client_secret`. */
  readonly kind: SecretKind;
  /** The secret itself, to search a client's logs and errors for. */
  readonly value: string;
  /** `issued` when the emulator sent it in a response, `received` when a request carried it. */
  readonly direction: "issued" | "received";
}

/** What the emulator answered, as far as secrets go. */
export type AnsweredWith =
  | { readonly type: "json"; readonly body: unknown }
  | { readonly type: "text"; readonly body: string }
  | { readonly type: "redirect"; readonly location: string };

/** A request, as far as secrets go. */
export interface ReceivedRequest {
  readonly query: URLSearchParams;
  readonly form: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The raw body (a SOAP envelope carries a password). */
  readonly body: string;
}

/** Request parameters (query or form) that carry a credential, and what each is. */
const RECEIVED_PARAMETERS: Readonly<Record<string, SecretKind>> = {
  client_secret: "client_secret",
  client_assertion: "client_assertion",
  // The on-behalf-of grant's incoming token, the jwt-bearer and SAML bearer grants' assertion.
  assertion: "user_assertion",
  password: "password",
  code: "authorization_code",
  refresh_token: "refresh_token",
  device_code: "device_code",
  code_verifier: "code_verifier",
  user_code: "user_code",
};

/** Response fields (JSON, redirect or form_post) that carry a credential the emulator issued. */
const ISSUED_FIELDS: Readonly<Record<string, SecretKind>> = {
  access_token: "access_token",
  refresh_token: "refresh_token",
  id_token: "id_token",
  code: "authorization_code",
  device_code: "device_code",
  user_code: "user_code",
};

/** Headers the managed identity sources carry their secret in (App Service, Azure ML, Service Fabric). */
const SECRET_HEADERS = ["x-identity-header", "secret"];

/** At most this many secrets are kept (the oldest go first), so a long-running emulator stays small. */
const MAX_SECRETS = 10_000;

const HTML_ENTITIES: Readonly<Record<string, string>> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'" };
const unescapeHtml = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|#39|#x27);/g, (e) => HTML_ENTITIES[e] ?? e);

const HIDDEN_INPUT = /<input type="hidden" name="([^"]*)" value="([^"]*)">/g;
const SOAP_PASSWORD = /<(?:[\w.-]+:)?Password\b[^>]*>([^<]*)<\/(?:[\w.-]+:)?Password>/g;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The secrets one emulator saw. */
export class SecretsSeen {
  readonly #secrets = new Map<string, SeenSecret>();

  /** Records one secret (empty values are not). */
  add(kind: SecretKind, value: string, direction: SeenSecret["direction"]): void {
    if (!value) return;
    const key = `${direction} ${kind} ${value}`;
    if (this.#secrets.has(key)) return;
    this.#secrets.set(key, Object.freeze({ kind, value, direction }));
    if (this.#secrets.size > MAX_SECRETS) {
      const oldest = this.#secrets.keys().next().value;
      if (oldest !== undefined) this.#secrets.delete(oldest);
    }
  }

  /** Records the credentials a request carried: parameters, `Authorization`, secret headers, a SOAP password. */
  received(request: ReceivedRequest): void {
    for (const params of [request.query, request.form]) {
      for (const [name, value] of params) {
        const kind = RECEIVED_PARAMETERS[name.toLowerCase()];
        if (kind) this.add(kind, value, "received");
      }
    }
    const authorization = header(request.headers, "authorization");
    if (authorization) this.#authorization(authorization);
    for (const name of SECRET_HEADERS) this.add("managed_identity_secret", header(request.headers, name) ?? "", "received");
    for (const match of request.body.matchAll(SOAP_PASSWORD)) this.add("password", unescapeHtml(match[1] ?? ""), "received");
  }

  /** Records the credentials an answer carried: token response fields, a redirect's code or tokens, a form_post page's. */
  issued(answer: AnsweredWith): void {
    if (answer.type === "json") {
      if (typeof answer.body !== "object" || answer.body === null) return;
      for (const [name, value] of Object.entries(answer.body)) {
        const kind = Object.hasOwn(ISSUED_FIELDS, name) ? ISSUED_FIELDS[name] : undefined;
        if (kind && typeof value === "string") this.add(kind, value, "issued");
      }
    } else if (answer.type === "redirect") {
      let url: URL;
      try {
        url = new URL(answer.location);
      } catch {
        return;
      }
      for (const params of [url.searchParams, new URLSearchParams(url.hash.slice(1))]) {
        for (const [name, value] of params) {
          const kind = Object.hasOwn(ISSUED_FIELDS, name) ? ISSUED_FIELDS[name] : undefined;
          if (kind) this.add(kind, value, "issued");
        }
      }
    } else {
      for (const match of answer.body.matchAll(HIDDEN_INPUT)) {
        const name = match[1] ?? "";
        const kind = Object.hasOwn(ISSUED_FIELDS, name) ? ISSUED_FIELDS[name] : undefined;
        if (kind) this.add(kind, unescapeHtml(match[2] ?? ""), "issued");
      }
    }
  }

  /** Every secret seen, oldest first. */
  list(): readonly SeenSecret[] {
    return Object.freeze([...this.#secrets.values()]);
  }

  /** Forgets every secret. */
  clear(): void {
    this.#secrets.clear();
  }

  #authorization(value: string): void {
    const [scheme = "", credentials = ""] = value.trim().split(/\s+/, 2);
    switch (scheme.toLowerCase()) {
      case "basic": {
        // client_secret_basic: base64(urlencoded id ":" urlencoded secret); Azure Arc: the key file's content.
        const decoded = Buffer.from(credentials, "base64").toString("utf8");
        const colon = decoded.indexOf(":");
        if (colon < 0) {
          this.add("managed_identity_secret", credentials, "received");
          break;
        }
        this.add("client_secret", credentials, "received");
        const secret = decoded.slice(colon + 1);
        let plain = secret;
        try {
          plain = decodeURIComponent(secret.replace(/\+/g, " "));
        } catch {
          // Not URL-encoded: keep it as sent.
        }
        this.add("client_secret", plain, "received");
        break;
      }
      case "bearer":
      case "pop":
        this.add("access_token", credentials, "received");
        break;
      default:
        break;
    }
  }
}
