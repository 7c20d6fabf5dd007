import { entraErrorBody } from "../errors.js";
import type { EntraError, ErrorRequestFacts } from "../errors.js";
import type { HandlerResult } from "../http.js";
import { PAGE_HEADERS } from "./html.js";
import { formPostPage } from "./pages.js";

// Sending the authorize response back to the app (authority-wire-format §1.3): in the redirect URI's
// query (default), in its fragment, or as an auto-submitting form POST.

/** How the authorize response travels. */
export type ResponseMode = "query" | "fragment" | "form_post";

/** Where and how an authorize response goes back to the app. */
export interface ResponseTarget {
  /** Registered (checked) redirect URI, as the request sent it. */
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  /** The request's `state`, echoed verbatim. */
  readonly state: string | undefined;
}

/** Delivers response parameters (`state` is appended) to the app. */
export function authorizeResponse(
  target: ResponseTarget,
  params: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {},
): HandlerResult {
  const fields: Record<string, string> = { ...params, ...(target.state === undefined ? {} : { state: target.state }) };
  if (target.responseMode === "form_post") return formPostPage(target.redirectUri, fields, headers);
  const url = new URL(target.redirectUri);
  if (target.responseMode === "fragment") {
    url.hash = new URLSearchParams(fields).toString();
  } else {
    for (const [name, value] of Object.entries(fields)) url.searchParams.append(name, value);
  }
  return { type: "redirect", status: 302, location: url.toString(), headers: { ...PAGE_HEADERS, ...headers } };
}

/** Delivers an error (`error`, `error_description`, `error_uri`, `state`) to the app. */
export function authorizeErrorResponse(
  target: ResponseTarget,
  err: EntraError,
  request: ErrorRequestFacts,
  headers: Readonly<Record<string, string>> = {},
): HandlerResult {
  const body = entraErrorBody(err, request);
  return authorizeResponse(target, { error: body.error, error_description: body.error_description, error_uri: body.error_uri }, headers);
}
