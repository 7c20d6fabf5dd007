/**
 * The two Lua scripts that read and write a partition, each atomic on the Redis server.
 *
 * Why scripts and not WATCH/MULTI: WATCH belongs to a connection, and a node-redis client
 * multiplexes every concurrent request of the process over one connection, so a WATCH from one
 * request would be cancelled or widened by another's. A script needs no connection of its own, takes
 * one round trip, and touches one key (so it also runs on Redis Cluster).
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Reads a partition unless the caller's copy is current.
 *
 * KEYS[1] the partition; ARGV[1] the version of the caller's copy (`""` for none).
 * Returns the version (a string) when the copy is current, else the whole hash (a flat array,
 * empty when the partition does not exist).
 */
export const READ_SCRIPT = `
local version = redis.call('HGET', KEYS[1], 'version')
if version and version == ARGV[1] then return version end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * Applies one writer's changes to a partition.
 *
 * KEYS[1] the partition. ARGV: [1] the version the writer read (`""`: it did not exist); [2] the
 * new version; [3] the partition's time to live in milliseconds as the writer sees it (0 or less:
 * no token lives on); [4] how many fields to set; then field/value pairs to set; then field/value
 * pairs to delete, each only if the field still holds that value (so a removal never takes away
 * what another writer put there since).
 *
 * When nobody wrote since the writer read (the version is unchanged), the writer's view is the
 * partition exactly: its TTL replaces the old one, and a partition without tokens is deleted.
 * Otherwise others' entries are in too, so the TTL only ever grows.
 *
 * Returns `exact`, `merged` or `deleted`.
 */
export const WRITE_SCRIPT = `
local key = KEYS[1]
local current = redis.call('HGET', key, 'version') or ''
local exact = current == ARGV[1]
local ttl = tonumber(ARGV[3])
local i = 5
for _ = 1, tonumber(ARGV[4]) do
  redis.call('HSET', key, ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i < #ARGV do
  if redis.call('HGET', key, ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', key, ARGV[i]) end
  i = i + 2
end
if exact and ttl <= 0 then
  redis.call('DEL', key)
  return 'deleted'
end
redis.call('HSET', key, 'version', ARGV[2])
if exact then
  redis.call('PEXPIRE', key, ttl)
  return 'exact'
end
local remaining = redis.call('PTTL', key)
if remaining < 0 and ttl <= 0 then
  redis.call('DEL', key)
  return 'deleted'
end
if remaining < 0 or ttl > remaining then redis.call('PEXPIRE', key, ttl) end
if redis.call('HLEN', key) <= 1 then
  redis.call('DEL', key)
  return 'deleted'
end
return 'merged'
`;

/**
 * The Redis commands this package uses. A node-redis client (`createClient()`), a client pool
 * (`createClientPool()`) and a cluster client (`createCluster()`) all have them.
 */
export interface RedisScriptClient {
  /** `EVAL`: runs a Lua script sent in full, on the given keys with the given arguments. */
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `EVALSHA`: runs a script the server already knows by its SHA-1; rejects with `NOSCRIPT` otherwise. */
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  /** `DEL`: removes a key (a partition). */
  del(key: string): Promise<unknown>;
}

const sha1 = (script: string): string => createHash("sha1").update(script).digest("hex");
const SHAS = new Map([READ_SCRIPT, WRITE_SCRIPT].map((s) => [s, sha1(s)]));

/**
 * Runs a script by its SHA-1 (one short command), sending the text only when the server does not
 * know it yet (after a restart, or on a replica promoted since).
 *
 * @param client The Redis client.
 * @param script One of this module's scripts.
 * @param key The one key it touches.
 * @param args Its arguments.
 * @returns The script's reply.
 */
export async function runScript(client: RedisScriptClient, script: string, key: string, args: string[]): Promise<unknown> {
  const options = { keys: [key], arguments: args };
  const sha = SHAS.get(script) ?? sha1(script);
  try {
    return await client.evalSha(sha, options);
  } catch (e) {
    if (!(e instanceof Error && e.message.startsWith("NOSCRIPT"))) throw e;
    return client.eval(script, options);
  }
}
