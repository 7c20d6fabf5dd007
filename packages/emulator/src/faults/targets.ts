import type { IncomingHttpHeaders } from "node:http";
import type { Directory } from "../directory.js";
import type { RequestEndpoint } from "./model.js";
import type { FaultTarget } from "./registry.js";

// Which endpoint a request to the emulator's server went to, and for which tenant and app, for
// matching faults: read off the path, so that every route is covered without marking each one.

const ENDPOINT_PATHS: ReadonlyArray<readonly [RegExp, RequestEndpoint]> = [
  [/^\/[^/]+\/oauth2(\/v2\.0)?\/token$/i, "token"],
  [/^\/[^/]+\/oauth2(\/v2\.0)?\/authorize$/i, "authorize"],
  [/^\/[^/]+\/oauth2(\/v2\.0)?\/devicecode$/i, "devicecode"],
  [/^\/common\/discovery\/instance$/i, "instance-discovery"],
  [/^\/[^/]+(\/v2\.0)?\/\.well-known\/openid-configuration$/i, "openid-configuration"],
  [/^\/[^/]+\/discovery(\/v2\.0)?\/keys$/i, "jwks"],
  [/^\/common\/userrealm\/[^/]+$/i, "userrealm"],
  [/^\/federation\/[^/]+\/mex$/i, "mex"],
  [/^\/federation\/[^/]+\/trust\/[^/]+\/[^/]+$/i, "wstrust"],
];

/** The endpoint of a request path (undecoded, one trailing slash tolerated). */
export function endpointOf(path: string): RequestEndpoint {
  const trimmed = path.length > 1 ? path.replace(/\/$/, "") : path;
  return ENDPOINT_PATHS.find(([pattern]) => pattern.test(trimmed))?.[1] ?? "other";
}

/** The client id a request names: in the form, the query, or HTTP Basic authentication. */
function clientIdOf(form: URLSearchParams, query: URLSearchParams, headers: IncomingHttpHeaders): string | undefined {
  const named = form.get("client_id") || query.get("client_id");
  if (named) return named;
  const basic = /^basic\s+(\S+)$/i.exec(headers.authorization ?? "");
  if (!basic?.[1]) return undefined;
  const user = Buffer.from(basic[1], "base64").toString("utf8").split(":")[0];
  try {
    return user ? decodeURIComponent(user.replace(/\+/g, " ")) : undefined;
  } catch {
    return user;
  }
}

/** What the emulator's server knows of a request when it looks for a fault. */
export interface ServerRequestFacts {
  readonly path: string;
  /** The route's decoded parameters (`tenant`), when a route matched. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly form: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/** The fault target of a request to the emulator's server. */
export function serverTarget(directory: Directory, request: ServerRequestFacts): FaultTarget {
  const segment = request.params.tenant;
  const tenantId = segment === undefined ? undefined : directory.findTenant(segment)?.id;
  const tenants = [segment, tenantId].filter((t): t is string => t !== undefined);
  return { endpoint: endpointOf(request.path), tenants, clientId: clientIdOf(request.form, request.query, request.headers) };
}
