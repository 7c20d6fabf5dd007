/**
 * Reading a response body as a JSON object.
 *
 * @module
 */

import { NetworkError } from "../errors.js";
import { readBodyText } from "./transport-error.js";

/** A parsed JSON object whose fields are not yet checked. */
export type JsonObject = { readonly [field: string]: unknown };

/**
 * Reads a response body and parses it as a JSON object.
 *
 * The error never quotes the body: a token endpoint's answer may hold tokens even when it is
 * malformed, so only the status and the content type are reported.
 *
 * @param response - A response from an {@link HttpClient}.
 * @param url - The request's URL, named in the error (without its query); default `response.url`.
 * @returns The parsed object.
 * @throws {@link NetworkError} with code `ERR_INVALID_RESPONSE` when the body is not a JSON object;
 *   `ERR_NETWORK` (or `ERR_TIMEOUT`) when the body cannot be read to its end.
 */
export async function readJson(response: Response, url: string = response.url): Promise<JsonObject> {
  const text = await readBodyText(response, url);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw invalid(response, url, { cause: e });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid(response, url);
  return parsed as JsonObject;
}

function invalid(response: Response, url: string, options?: { cause?: unknown }): NetworkError {
  const where = url ? ` from ${stripQuery(url)}` : "";
  const type = response.headers.get("content-type") ?? "none";
  return new NetworkError(
    "ERR_INVALID_RESPONSE",
    `Expected a JSON object${where}, but got an HTTP ${response.status} answer with content-type ${type}. ` +
      "The address may not be an authority endpoint, or a proxy answered in its place.",
    { ...options, status: response.status },
  );
}

// Query strings are left out of messages: some (managed identity) carry identifiers.
function stripQuery(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}
