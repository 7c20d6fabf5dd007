import type { Handler } from "./http.js";

/** The outcome of {@link Router.match}. */
export type RouteMatch =
  | { readonly kind: "found"; readonly handler: Handler; readonly params: Readonly<Record<string, string>> }
  | { readonly kind: "method-not-allowed"; readonly allowed: readonly string[] }
  | { readonly kind: "not-found" };

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

function split(path: string): string[] {
  const segments = path.split("/").slice(1);
  // One trailing slash is tolerated, as Entra does.
  if (segments.length > 1 && segments[segments.length - 1] === "") segments.pop();
  return segments;
}

/**
 * Method + path-pattern routing. Patterns are `/`-separated; a segment `:name` captures one decoded
 * path segment; literal segments match case-insensitively (Entra's paths are case-insensitive).
 * Routes are tried in registration order.
 */
export class Router {
  readonly #routes: Route[] = [];

  /**
   * Adds a route.
   *
   * @param method - HTTP method, e.g. `GET`.
   * @param pattern - e.g. `/:tenant/oauth2/v2.0/token`.
   */
  add(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method: method.toUpperCase(), segments: split(pattern), handler });
    return this;
  }

  /** Finds the route for a request path (undecoded, without the query). */
  match(method: string, path: string): RouteMatch {
    const segments = split(path);
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: "found", handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: "method-not-allowed", allowed } : { kind: "not-found" };
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? "";
    const a = actual[i] ?? "";
    if (p.startsWith(":")) {
      let value: string;
      try {
        value = decodeURIComponent(a);
      } catch {
        return undefined;
      }
      if (value === "") return undefined;
      params[p.slice(1)] = value;
    } else if (p.toLowerCase() !== a.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}
