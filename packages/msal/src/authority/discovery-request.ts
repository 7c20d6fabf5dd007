/**
 * The GET request every discovery call makes.
 *
 * @module
 */

import type { ErrorResponse } from "../protocol/wire.js";
import { invalidArgType } from "../errors.js";
import type { HttpClient } from "../http/index.js";
import { toTransportError } from "../http/index.js";

/**
 * GETs a discovery URL. No caller signal is passed: the answer is shared by every caller
 * waiting for it, and each of them stops waiting on its own signal instead. Discovery requests
 * carry none of the library headers, as in MSAL Python.
 *
 * @internal
 */
export async function discoveryGet(httpClient: HttpClient, url: string): Promise<Response> {
  try {
    return await httpClient(url, { method: "GET", headers: { accept: "application/json" } });
  } catch (e) {
    throw toTransportError(e, url);
  }
}

/**
 * A short account of an error answer for a message: the OAuth `error` and
 * `error_description` when the body is such JSON, else the start of the body. Discovery answers
 * hold no secrets, so quoting them is safe.
 *
 * @internal
 */
export async function errorDetail(response: Response): Promise<{ detail: string; serverError?: ErrorResponse }> {
  let text: string;
  try {
    text = (await response.text()).trim();
  } catch {
    return { detail: "" };
  }
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
      if (typeof error === "string") {
        return {
          detail: typeof description === "string" ? `${error}: ${description}` : error,
          serverError: body as ErrorResponse,
        };
      }
    }
  } catch {
    // not JSON: quoted below
  }
  return { detail: text.length > 200 ? `${text.slice(0, 200)}…` : text };
}

/** @internal */
export function checkHttpClient(httpClient: unknown): asserts httpClient is HttpClient {
  if (typeof httpClient !== "function") {
    throw invalidArgType("httpClient must be a fetch-compatible function (url, init) => Promise<Response>.");
  }
}
