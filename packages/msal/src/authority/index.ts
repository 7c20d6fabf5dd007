/**
 * Authorities: parsing, instance and tenant discovery, aliases.
 *
 * @module
 */

export {
  AZURE_CHINA,
  AZURE_PUBLIC,
  AZURE_US_GOVERNMENT,
  AzureCloudInstance,
  buildAuthorityUrl,
  DEFAULT_AUTHORITY,
  DEFAULT_INSTANCE_DISCOVERY_ENDPOINT,
  WELL_KNOWN_AUTHORITY_HOSTS,
} from "./authority-hosts.js";
export type { AuthorityDescriptor, AuthorityKind } from "./authority-descriptor.js";
export type { AuthorityMetadata, OpenIdConfiguration } from "./authority-metadata.js";
export { parseAuthority, parseOidcAuthority, resolveAuthorityConfig } from "./parse-authority.js";
export type { AuthorityConfig, ParseAuthorityOptions } from "./parse-authority.js";
export { discoverAuthority, getCachedAuthorityMetadata } from "./discover-authority.js";
export type { DiscoveryContext, DiscoverySettings } from "./discover-authority.js";
export { getAuthorityAliases } from "./authority-aliases.js";
export type { AliasLookupContext } from "./authority-aliases.js";
export { _clearDiscoveryCache } from "./discovery-caches.js";
