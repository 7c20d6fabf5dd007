/**
 * The unified token cache: what the rest of msal-ts may use from this folder.
 *
 * @module
 */

export { TokenCache } from "./token-cache.js";
export type {
  AccessTokenLookupOptions,
  AccessTokenQuery,
  AccountIdentity,
  IdTokenQuery,
  RefreshTokenQuery,
  SectionCounts,
  UserAssertionAccessTokenQuery,
} from "./token-cache.js";
export { SerializableTokenCache } from "./serializable-token-cache.js";
export { accessTokenLifetime } from "./entries-from-event.js";
export { CredentialType } from "./credential-type.js";
export { AuthorityType } from "./authority-type.js";
export type {
  AccessTokenEntry,
  AccountEntry,
  AppMetadataEntry,
  CacheEntry,
  CacheEntryBySection,
  IdTokenEntry,
  RefreshTokenEntry,
} from "./cache-entries.js";
export type { CacheableTokenResponse, IdTokenClaims, TokenCacheEvent } from "./token-cache-event.js";
export { accessTokenKey, accountKey, appMetadataKey, cacheKeyFor, idTokenKey, refreshTokenKey } from "./cache-keys.js";
export type { KeyFields } from "./cache-keys.js";

export { parseSeconds } from "./seconds.js";
