/**
 * Persistence: the token cache and the HTTP cache kept in files shared by several processes,
 * with cross-process locking, atomic replacement and optional encryption at rest.
 *
 * @module
 */

export { FilePersistedTokenCache } from "./file-persisted-token-cache.js";
export { FilePersistedHttpCache } from "./file-persisted-http-cache.js";
export type { FilePersistedHttpCacheOptions } from "./file-persisted-http-cache.js";
export type { FilePersistenceOptions } from "./persisted-file.js";
