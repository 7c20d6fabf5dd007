/**
 * The persistent token cache: one file in the user's config directory, readable by the user alone,
 * replaced atomically so a crash or Ctrl-C never leaves half a cache behind.
 *
 * Two msal-ts processes writing at once can still lose one's update (the last rename wins); a
 * cross-process lock, with a re-read under the lock before writing, is a later feature.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { SerializableTokenCache, isMsalError } from "@msal-ts/msal";
import { CliError } from "./errors.js";

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * Where the token cache lives: `--cache`, else `MSAL_TS_CACHE`, else `msal-ts/cache.json` in the
 * platform's per-user config directory: `$XDG_CONFIG_HOME` or `~/.config` (Linux and other Unix),
 * `~/Library/Application Support` (macOS), `%LOCALAPPDATA%` (Windows).
 */
export function cacheFilePath(
  override: string | undefined,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const explicit = override ?? (env.MSAL_TS_CACHE?.trim() || undefined);
  if (explicit !== undefined) return resolve(explicit);
  let base: string;
  if (platform === "win32") base = env.LOCALAPPDATA || join(home, "AppData", "Local");
  else if (platform === "darwin") base = join(home, "Library", "Application Support");
  else {
    // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
    const xdg = env.XDG_CONFIG_HOME;
    base = xdg && isAbsolute(xdg) ? xdg : join(home, ".config");
  }
  return join(base, "msal-ts", "cache.json");
}

/** A token cache loaded from its file, saved back with {@link CacheFile.save}. */
export interface CacheFile {
  readonly path: string;
  readonly cache: SerializableTokenCache;
  /** Writes the cache if it changed since it was loaded (or last saved). */
  save(): void;
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : err instanceof Error ? err.message : String(err);
}

/**
 * Loads the cache file; a missing file is an empty cache.
 *
 * @throws CliError when the file cannot be read or is not a token cache: it is never overwritten then.
 */
export function openCacheFile(path: string): CacheFile {
  let text: string | null = null;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as { code?: unknown }).code !== "ENOENT") throw new CliError(`cannot read the token cache ${path}: ${reason(err)}`);
  }
  const cache = new SerializableTokenCache();
  try {
    cache.deserialize(text);
  } catch (err) {
    if (!isMsalError(err)) throw err;
    // The library's message names the position, never the contents (which hold secrets).
    throw new CliError(
      `the token cache ${path} is corrupt (${err.message.replace(/\.$/, "")}); ` +
        "fix or delete it, or use another file with --cache",
    );
  }
  return {
    path,
    cache,
    save() {
      if (cache.hasStateChanged) writeAtomically(path, cache.serialize());
    },
  };
}

/**
 * Replaces `path` with `text`: a temporary file in the same directory, created with mode 0600 and
 * flushed to disk, then renamed over the old file, so readers see the old cache or the new one.
 */
export function writeAtomically(path: string, text: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw new CliError(`cannot create the directory of the token cache ${path}: ${reason(err)}`);
  }
  const temp = join(dir, `.${randomBytes(6).toString("hex")}.msal-ts-cache.tmp`);
  try {
    const fd = openSync(temp, "wx", FILE_MODE);
    try {
      // The umask may have narrowed the mode; it may not widen it, but make it exact.
      if (process.platform !== "win32") fchmodSync(fd, FILE_MODE);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new CliError(`cannot write the token cache ${path}: ${reason(err)}`);
  }
}
