import { MICROSOFT_GRAPH } from "./directory.js";
import type { Api, Tenant } from "./directory.js";
import { missingParameter, multipleResources, resourceNotFound, scopeNotDefault } from "./errors.js";
import { invalidScope } from "./user-errors.js";

/** OpenID Connect scopes MSALs may add to any request; they name no resource. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set(["openid", "profile", "email", "offline_access"]);

const DEFAULT_SUFFIX = "/.default";

/**
 * Resolves a client-credentials `scope` (`{resource}/.default`, OIDC scopes ignored) to its API.
 *
 * @throws EntraError invalid_request (no scope), invalid_scope (not `/.default`: AADSTS1002012; more
 *   than one resource: AADSTS700022) or invalid_resource (unknown resource: AADSTS500011).
 */
export function resolveDefaultScope(scope: string | null, tenant: Tenant): Api {
  if (!scope || scope.trim() === "") throw missingParameter("scope");
  const scopes = scope
    .split(/\s+/)
    .filter((s) => s !== "" && !OIDC_SCOPES.has(s.toLowerCase()));
  if (scopes.length === 0 || scopes.some((s) => !s.toLowerCase().endsWith(DEFAULT_SUFFIX))) {
    throw scopeNotDefault(scope);
  }
  const resources = scopes.map((s) => s.slice(0, -DEFAULT_SUFFIX.length));
  const distinct = new Set(resources.map((r) => r.replace(/\/$/, "").toLowerCase()));
  if (distinct.size > 1) throw multipleResources();
  const resource = resources[0] ?? "";
  const api = tenant.findApi(resource);
  if (!api) throw resourceNotFound(resource, tenant.displayName);
  return api;
}

// ---- Delegated (user) scopes ---------------------------------------------------------------------

/** One resource's delegated scopes within a request, by the names the resource defines. */
export interface ResourceScopes {
  readonly api: Api;
  readonly scopes: readonly string[];
}

/** A user flow's `scope` parameter, parsed: resources in request order, plus the OIDC scopes. */
export interface ScopeRequest {
  readonly resources: readonly ResourceScopes[];
  /** OIDC scopes asked for, lower-case (`openid`, `profile`, `email`, `offline_access`). */
  readonly oidc: ReadonlySet<string>;
}

/** What a user token is issued for: one resource's scopes plus the OIDC scopes. */
export interface UserScopeGrant extends ResourceScopes {
  readonly oidc: ReadonlySet<string>;
}

const GRAPH_DEFAULT_SCOPE = "User.Read";
/** The scope Entra gives an API that defines none of its own. */
const IMPERSONATION_SCOPE = "user_impersonation";

function isGraph(api: Api): boolean {
  return api.identifier === MICROSOFT_GRAPH.identifier;
}

function defaultScopesOf(api: Api): readonly string[] {
  return api.scopes ?? [isGraph(api) ? GRAPH_DEFAULT_SCOPE : IMPERSONATION_SCOPE];
}

/** Splits one scope into its resource and name: bare names (`User.Read`) belong to Microsoft Graph. */
function resolveScope(value: string, tenant: Tenant): ResourceScopes {
  const slash = value.lastIndexOf("/");
  const resource = slash < 0 ? MICROSOFT_GRAPH.identifier : value.slice(0, slash);
  const name = slash < 0 ? value : value.slice(slash + 1);
  const api = tenant.findApi(resource);
  if (!api) throw resourceNotFound(resource, tenant.displayName);
  if (name === "") throw invalidScope(value, "names no permission.");
  if (name.toLowerCase() === DEFAULT_SUFFIX.slice(1)) return { api, scopes: defaultScopesOf(api) };
  if (!api.scopes) return { api, scopes: [name] };
  const defined = api.scopes.find((s) => s.toLowerCase() === name.toLowerCase());
  if (!defined) throw invalidScope(value, `does not exist on the resource '${api.identifier}'.`);
  return { api, scopes: [defined] };
}

/**
 * Parses a user flow's `scope`: OIDC scopes plus delegated scopes of any number of resources
 * (`User.Read` and `https://graph.microsoft.com/User.Read` for Graph, `api://orders/Orders.Read`,
 * `{resource}/.default` for all the scopes the resource defines). With no resource scope, the request
 * is for Microsoft Graph's `User.Read`, as Entra answers a sign-in-only request.
 *
 * @throws EntraError invalid_request (no scope), invalid_resource (AADSTS500011) or invalid_scope
 *   (AADSTS70011: a scope the resource does not define).
 */
export function parseScopeRequest(scope: string | null, tenant: Tenant): ScopeRequest {
  if (!scope || scope.trim() === "") throw missingParameter("scope");
  const oidc = new Set<string>();
  const byApi = new Map<Api, string[]>();
  for (const value of new Set(scope.split(/\s+/).filter((s) => s !== ""))) {
    if (OIDC_SCOPES.has(value.toLowerCase())) {
      oidc.add(value.toLowerCase());
      continue;
    }
    const { api, scopes } = resolveScope(value, tenant);
    const list = byApi.get(api) ?? [];
    for (const s of scopes) if (!list.some((x) => x.toLowerCase() === s.toLowerCase())) list.push(s);
    byApi.set(api, list);
  }
  if (byApi.size === 0) {
    const graph = tenant.findApi(MICROSOFT_GRAPH.identifier);
    if (graph) byApi.set(graph, [GRAPH_DEFAULT_SCOPE]);
  }
  return { resources: [...byApi].map(([api, scopes]) => ({ api, scopes })), oidc };
}

/**
 * Parses a token request's `scope` for one user token.
 *
 * @throws EntraError as {@link parseScopeRequest}, and invalid_scope AADSTS700022 for more than one resource.
 */
export function resolveUserScopes(scope: string | null, tenant: Tenant): UserScopeGrant {
  const request = parseScopeRequest(scope, tenant);
  const [first, ...others] = request.resources;
  if (!first || others.length > 0) throw multipleResources();
  return { ...first, oidc: request.oidc };
}

/** A scope as token responses and consent pages name it: Graph's by short name, others' by full name. */
export function qualifiedScope(api: Api, name: string): string {
  return isGraph(api) ? name : `${api.identifier}/${name}`;
}

/** The response's `scope`: the granted resource scopes, then `openid`, `profile`, `email` (never `offline_access`). */
export function grantedScope(grant: UserScopeGrant): string {
  const oidc = ["openid", "profile", "email"].filter((s) => grant.oidc.has(s));
  return [...grant.scopes.map((s) => qualifiedScope(grant.api, s)), ...oidc].join(" ");
}
