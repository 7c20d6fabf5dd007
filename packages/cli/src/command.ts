/**
 * What a subcommand is, and the parsing and cache handling they share.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { cacheFilePath, openCacheFile } from "./cache-file.js";
import type { CacheFile } from "./cache-file.js";
import { UsageError } from "./errors.js";
import type { Io } from "./io.js";
import type { Settings } from "./options.js";

/** A subcommand of `msal-ts`. */
export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** The full `--help` text. */
  help(): string | Promise<string>;
  /** Runs with the arguments after the command name (global options included). */
  run(args: readonly string[], io: Io): Promise<void>;
}

/**
 * `parseArgs` in strict mode, its errors turned into {@link UsageError}s that point at the
 * command's help.
 */
export function parseCommandLine<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
      // parseArgs quotes option values in some messages ("use --client-secret=-x"); keep its first sentence.
      throw new UsageError((err as Error).message.replace(/\. To specify[\s\S]*$/, ""), command);
    }
    throw err;
  }
}

/**
 * Loads the token cache, runs `body`, and saves the cache if it changed — also after a failure,
 * since refreshes and removals may have happened first; never after Ctrl-C, so an interrupted
 * command leaves the file as it was.
 */
export async function withCacheFile<T>(settings: Settings, io: Io, body: (file: CacheFile) => Promise<T>): Promise<T> {
  const file = openCacheFile(cacheFilePath(settings.cacheOverride, io.env));
  let result: T;
  try {
    result = await body(file);
  } catch (err) {
    if (!io.signal.aborted) {
      try {
        file.save();
      } catch {
        // The failure that stopped the command is the one to report.
      }
    }
    throw err;
  }
  if (!io.signal.aborted) file.save();
  return result;
}
