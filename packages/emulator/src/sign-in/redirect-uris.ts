import type { App, Tenant } from "../directory.js";

// Redirect URI matching (authority-wire-format §1.3): exact, except that a registered loopback URI
// (http://localhost, http://127.0.0.1, http://[::1]) matches any port on any loopback host with the
// same path and query, as Entra allows for native apps and local development.

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

function isLoopback(url: URL): boolean {
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
}

/** True when `requested` may be used where `registered` is registered. */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const r = parse(registered);
  const q = parse(requested);
  if (!r || !q || q.hash !== "" || q.username !== "" || q.password !== "") return false;
  return isLoopback(r) && isLoopback(q) && r.pathname === q.pathname && r.search === q.search;
}

/** True when the app registered a redirect URI that `uri` matches. */
export function isRegisteredRedirectUri(app: App, uri: string): boolean {
  return app.redirectUris.some((registered) => redirectUriMatches(registered, uri));
}

/** True when some app of these tenants registered a redirect URI that `uri` matches (logout). */
export function isRedirectUriOfTenants(tenants: readonly Tenant[], uri: string): boolean {
  return tenants.some((t) => t.apps.some((app) => isRegisteredRedirectUri(app, uri)));
}
