/**
 * The version of msal-ts, from its package file (beside `src/` and `dist/` alike).
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** The `version` of `@msal-ts/cli`. */
export const VERSION: string = (() => {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const version = typeof pkg === "object" && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
    return typeof version === "string" ? version : "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
