/**
 * What an application tells its logger about its HTTP requests: method, endpoint, the grant of a
 * token request, and how it went. Never bodies, headers or queries, which carry credentials.
 *
 * @module
 */
import type { HttpClient } from "../http/http-client.js";
import type { Logger } from "./options.js";

/** Path segments that name a user: the one after `userrealm`, and anything shaped like a UPN. */
function maskUsers(path: string): string {
  const segments = path.split("/");
  return segments
    .map((segment, i) => (segments[i - 1]?.toLowerCase() === "userrealm" || /@|%40/i.test(segment) ? "{username}" : segment))
    .join("/");
}

/** `origin/path` of a URL, with usernames masked unless `pii`; never the query or fragment. */
function endpointOf(url: string, pii: boolean): string {
  try {
    const u = new URL(url);
    return `${u.origin}${pii ? u.pathname : maskUsers(u.pathname)}`;
  } catch {
    return "an unparsable URL";
  }
}

/** The `grant_type` of a form body, when it has one (a grant type is no secret). */
function grantOf(body: string | undefined): string | undefined {
  if (!body || body.trimStart().startsWith("<")) return undefined;
  return new URLSearchParams(body).get("grant_type") ?? undefined;
}

/** A transport failure by name and code: its message may quote more than it should. */
function failureOf(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? `${err.name} (${code})` : err.name;
}

/**
 * Wraps `http` so that each request is logged at `verbose` before it goes out and once it is
 * answered (an HTTP error status at `info`, a transport failure at `warning`). Usernames in paths
 * (user realm discovery) are masked unless `pii`.
 *
 * @param http The client that sends the requests.
 * @param log The application's logger; without one, `http` is returned as is.
 * @param pii The application's `enablePiiLog`.
 */
export function withRequestLogging(http: HttpClient, log: Logger | undefined, pii: boolean): HttpClient {
  if (!log) return http;
  return async (url, init) => {
    const grant = grantOf(init.body);
    const request = `${init.method} ${endpointOf(url, pii)}${grant ? ` (grant_type=${grant})` : ""}`;
    log("verbose", `HTTP ${request}`);
    const started = Date.now();
    let res: Response;
    try {
      res = await http(url, init);
    } catch (err) {
      log("warning", `HTTP ${request} failed after ${Date.now() - started} ms: ${failureOf(err)}`);
      throw err;
    }
    log(res.status >= 400 ? "info" : "verbose", `HTTP ${request} answered ${res.status} in ${Date.now() - started} ms`);
    return res;
  };
}
