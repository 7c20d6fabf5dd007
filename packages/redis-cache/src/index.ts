/**
 * `@msal-ts/redis-cache`: a distributed token cache on Redis for msal-ts apps that run on many
 * machines.
 *
 * This file is the whole public surface.
 *
 * @module
 */

// The store
export { RedisTokenCacheStore } from "./redis-token-cache-store.js";
export type { PartitionSession, RedisTokenCacheStoreOptions } from "./redis-token-cache-store.js";
export type { RedisScriptClient } from "./scripts.js";

// Which partition a call uses
export { appPartitionKey, oboPartitionKey, userPartitionKey } from "./partition-keys.js";

// Errors
export { RedisTokenCacheError } from "./errors.js";
export type { RedisTokenCacheErrorCode } from "./errors.js";

// Not exported: the hash layout, the diff and the scripts (src/partition-state.ts, src/scripts.ts)
// are this package's own; read a partition through the store.
