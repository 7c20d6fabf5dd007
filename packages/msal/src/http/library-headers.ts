/**
 * The headers that identify msal-ts to the authority.
 *
 * @module
 */

import { createRequire } from "node:module";

/** The SKU msal-ts reports in `x-client-sku` (MSAL Python reports `MSAL.Python`). */
export const CLIENT_SKU = "msal-ts";

/** What {@link libraryHeaders} needs from the application's configuration. */
export interface LibraryHeadersOptions {
  /** The application's name, sent as `x-app-name` when set. */
  appName?: string | undefined;
  /** The application's version, sent as `x-app-ver` when set. */
  appVersion?: string | undefined;
}

let version: string | undefined;

/**
 * The version of this package, read once from its `package.json`.
 *
 * This file sits one folder below the package root both as `src/http/*.ts` and as
 * `dist/http/*.js`, so the same relative path works for the sources and the build.
 */
function packageVersion(): string {
  if (version === undefined) {
    const pkg: unknown = createRequire(import.meta.url)("../../package.json");
    const v = typeof pkg === "object" && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
    version = typeof v === "string" ? v : "0.0.0";
  }
  return version;
}

/**
 * The library headers sent on token and device-code requests, as MSAL Python sends them.
 *
 * Discovery requests carry none of these, as in MSAL Python.
 *
 * @param options - The application's name and version, each sent only when set.
 * @returns A fresh object: `x-client-sku`, `x-client-ver`, `x-client-os` (the Node.js
 *   platform name, which matches Python's `sys.platform` on Linux, Windows and macOS),
 *   `x-ms-lib-capability: retry-after, h429` (this client honours `Retry-After` on 429), and
 *   `x-app-name` / `x-app-ver` when configured.
 */
export function libraryHeaders(options: LibraryHeadersOptions = {}): Record<string, string> {
  const headers: Record<string, string> = {
    "x-client-sku": CLIENT_SKU,
    "x-client-ver": packageVersion(),
    "x-client-os": process.platform,
    "x-ms-lib-capability": "retry-after, h429",
  };
  if (options.appName) headers["x-app-name"] = options.appName;
  if (options.appVersion) headers["x-app-ver"] = options.appVersion;
  return headers;
}

/** Frozen header sets by application name and version: most processes have one, whatever their number of applications. */
const shared = new Map<string, Readonly<Record<string, string>>>();
const SHARED_LIMIT = 64;

/**
 * {@link libraryHeaders}, frozen, and one object for every application with the same name and
 * version: a process with many applications reads one warm object on each request, not one of
 * its own per application.
 *
 * @param options - The application's name and version.
 * @returns The headers (frozen; do not change them).
 */
export function sharedLibraryHeaders(options: LibraryHeadersOptions = {}): Readonly<Record<string, string>> {
  const key = JSON.stringify([options.appName ?? null, options.appVersion ?? null]);
  let headers = shared.get(key);
  if (headers === undefined) {
    headers = Object.freeze(libraryHeaders(options));
    if (shared.size < SHARED_LIMIT) shared.set(key, headers);
  }
  return headers;
}
