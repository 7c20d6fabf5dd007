import type { Api, Tenant } from "./directory.js";
import { missingParameter, multipleResources, resourceNotFound, scopeNotDefault } from "./errors.js";

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
