/**
 * Checks of the scopes a caller passes.
 *
 * @module
 */
import { invalidArgType, invalidArgValue } from "../errors.js";

/** Throws unless `scopes` is a non-empty array of non-empty strings. */
export function assertScopes(scopes: unknown, name = "scopes"): asserts scopes is readonly string[] {
  if (!Array.isArray(scopes)) {
    throw invalidArgType(`${name} must be an array of strings, e.g. ["https://graph.microsoft.com/.default"]`);
  }
  if (scopes.length === 0) throw invalidArgValue(`${name} must contain at least one scope`);
  for (const s of scopes) {
    if (typeof s !== "string" || !s.trim() || /\s/.test(s)) {
      throw invalidArgValue(`${name} must hold single scopes without spaces; got ${JSON.stringify(s)}`);
    }
  }
}
