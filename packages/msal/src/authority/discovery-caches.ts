/**
 * The process-wide memos of discovery, shared by every application instance.
 *
 * @module
 */

import { SharedCache } from "./shared-cache.js";
import type { DiscoveredConfiguration } from "./tenant-discovery.js";

/** OpenID configurations by document URL. @internal */
export const configurationCache = new SharedCache<DiscoveredConfiguration>();
/** `tenant_discovery_endpoint`s by instance discovery request URL. @internal */
export const instanceCache = new SharedCache<string>();
/** Alias groups by alias-lookup request URL. @internal */
export const aliasCache = new SharedCache<readonly (readonly string[])[]>();

/**
 * Forgets every discovery answer of the process, and the requests under way. For tests.
 *
 * @internal
 */
export function _clearDiscoveryCache(): void {
  configurationCache.clear();
  instanceCache.clear();
  aliasCache.clear();
}
