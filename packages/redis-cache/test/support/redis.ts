// Connecting to the tests' redis-server, and a client wrapper that watches what the store sends.
import { createClient } from "redis";
import type { RedisScriptClient } from "../../src/index.js";

const newClient = (url: string) => createClient({ url });
export type Client = ReturnType<typeof newClient>;

/** A connected client; connection errors fail loudly instead of being swallowed. */
export async function connect(url: string): Promise<Client> {
  const client = newClient(url);
  client.on("error", (e: unknown) => {
    if (client.isOpen) console.error("redis client error:", e);
  });
  await client.connect();
  return client;
}

/** What a {@link watched} client saw. */
export interface Watch {
  /** Replies to script calls: "version" (a current copy was confirmed), "hash" (the partition was sent), or the write outcome. */
  readonly replies: string[];
  /** Make the next script call whose first argument list has this many items (or any, with 0) fail. */
  failNext?: ((args: readonly string[]) => boolean) | undefined;
}

/** A client that records the store's script replies and can be told to fail a call. */
export function watched(client: Client): { client: RedisScriptClient; watch: Watch } {
  const watch: Watch = { replies: [] };
  const record = (reply: unknown): unknown => {
    watch.replies.push(Array.isArray(reply) ? "hash" : String(reply).length === 16 ? "version" : String(reply));
    return reply;
  };
  const guard = (args: readonly string[]): void => {
    if (watch.failNext?.(args)) {
      watch.failNext = undefined;
      throw new Error("Socket closed unexpectedly");
    }
  };
  return {
    watch,
    client: {
      async eval(script, options) {
        guard(options.arguments);
        return record(await client.eval(script, options));
      },
      async evalSha(sha, options) {
        guard(options.arguments);
        return record(await client.evalSha(sha, options));
      },
      del: (key) => client.del(key),
    },
  };
}
