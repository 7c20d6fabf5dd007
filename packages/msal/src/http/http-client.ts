/**
 * The one seam between msal-ts and the network: any fetch-compatible function.
 *
 * @module
 */

/** What msal-ts passes to an {@link HttpClient}: a subset of fetch's `RequestInit`. */
export interface HttpRequestInit {
  /** `GET` for discovery documents and most managed identity sources, `POST` for token requests. */
  method: "GET" | "POST";
  /** The request headers; for a POST they include the body's `content-type`. */
  headers: Record<string, string>;
  /** A form-encoded (or SOAP) body for POSTs. */
  body?: string;
  /** The caller's signal, when the call was given one; abort the request when it fires. */
  signal?: AbortSignal;
}

/**
 * A fetch-compatible function. `globalThis.fetch` is one; so is a test's function that answers
 * from memory. msal-ts reads `status`, `headers.get()` and `text()` of the response.
 */
export type HttpClient = (url: string, init: HttpRequestInit) => Promise<Response>;
