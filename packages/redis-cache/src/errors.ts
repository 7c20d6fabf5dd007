/**
 * What the Redis token cache throws.
 *
 * @module
 */

import { MsalError } from "@msal-ts/msal";

/** Every code a {@link RedisTokenCacheError} carries. */
export type RedisTokenCacheErrorCode =
  /** A Redis command failed: the server is unreachable, the client is closed, or Redis answered with an error. */
  | "ERR_REDIS_COMMAND"
  /** A partition in Redis holds data this package did not write and cannot read. */
  | "ERR_REDIS_CACHE_FORMAT";

/**
 * A partition could not be read from or written to Redis. The message says what failed; `cause`
 * holds the Redis client's error. Neither carries tokens or the partition's Redis key (which may
 * name a user): that key is on {@link RedisTokenCacheError.partitionKey}, for logs that may hold
 * personal data.
 *
 * A failed write leaves the partition as it was before the call; a failed read runs nothing.
 *
 * @example
 * ```ts
 * try {
 *   await store.withPartition(userPartitionKey(homeAccountId), (cache) => …);
 * } catch (e) {
 *   if (e instanceof RedisTokenCacheError && e.code === "ERR_REDIS_COMMAND") {
 *     // Redis is down: sign the user in again later, or serve the page without the API call.
 *   }
 *   throw e;
 * }
 * ```
 */
export class RedisTokenCacheError extends MsalError {
  declare readonly code: RedisTokenCacheErrorCode;
  /** The partition the operation was for (see {@link userPartitionKey} and its siblings). */
  readonly partitionKey: string;

  constructor(code: RedisTokenCacheErrorCode, message: string, partitionKey: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.partitionKey = partitionKey;
  }
}

/** The cause's message, for ours: Redis and node-redis describe a failure, not the command's arguments. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error && cause.message) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
