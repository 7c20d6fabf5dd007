/**
 * The one seam between msal-ts and the network: any fetch-compatible function.
 *
 * @module
 */

/** What msal-ts passes to an {@link HttpClient}: a subset of fetch's `RequestInit`. */
export interface HttpRequestInit {
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** A form-encoded (or SOAP) body for POSTs. */
  body?: string;
  signal?: AbortSignal;
}

/**
 * A fetch-compatible function. `globalThis.fetch` is one; so is a test's function that answers
 * from memory. msal-ts reads `status`, `headers.get()` and `text()` of the response.
 */
export type HttpClient = (url: string, init: HttpRequestInit) => Promise<Response>;
