/**
 * The cross-process lock of a persisted file: proper-lockfile's `mkdir` lock (`{file}.lock`, a
 * directory, atomic on every local and network file system), taken synchronously.
 *
 * The token cache's methods are synchronous, as MSAL Python's are, so the lock is too, as in
 * MSAL Python's extensions: while another process holds it, the waiting thread sleeps in short
 * random steps (`Atomics.wait`), which keeps a crowd of writers from waking in step. A holder
 * keeps the lock only for one read-modify-write of the file, a few milliseconds.
 *
 * A lock whose directory is older than the stale time was left by a process that died holding
 * it, and is broken by the next process that wants it (one process at a time: see
 * {@link breakIfStale}). A process that exits normally (or on SIGINT/SIGTERM) removes its lock
 * itself (proper-lockfile's exit hook).
 *
 * @module
 */

import { mkdirSync, realpathSync, rmdirSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import type * as ProperLockfile from "proper-lockfile";
import { MsalError } from "../errors.js";

/** How a lock is waited for. */
export interface LockTiming {
  /** A lock older than this many milliseconds is broken (proper-lockfile's minimum is 2,000). */
  readonly staleMs: number;
  /** Give up after waiting this many milliseconds. */
  readonly timeoutMs: number;
}

let lockfile: typeof ProperLockfile | undefined;

/**
 * proper-lockfile, loaded on first use: it hooks process exit and signals (to remove held locks),
 * which no application that does not persist a cache should pay for.
 */
function properLockfile(): typeof ProperLockfile {
  lockfile ??= createRequire(import.meta.url)("proper-lockfile") as typeof ProperLockfile;
  return lockfile;
}

/**
 * The file system calls the lock makes, for proper-lockfile's synchronous mode, which wraps (and
 * copies) the object it is given on every call: a small one copies fast.
 */
const LOCK_FS = { mkdirSync, realpathSync, rmdirSync, statSync, utimesSync };

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * Runs `critical` while holding the lock of `file`.
 *
 * @param file The persisted file (it need not exist; its directory must).
 * @param lockPath The lock directory, `{file}.lock`.
 * @param timing The stale time and the patience.
 * @param what What the file is, for messages: "the token cache file /path".
 * @param critical The read-modify-write; it must not wait on anything asynchronous.
 * @returns What `critical` returned.
 * @throws {@link MsalError} `ERR_CACHE_LOCK` when the lock cannot be had in time, or cannot be
 *   taken at all (a read-only directory, say); whatever `critical` throws.
 */
export function withFileLock<T>(file: string, lockPath: string, timing: LockTiming, what: string, critical: () => T): T {
  const release = acquire(file, lockPath, timing, what);
  try {
    return critical();
  } finally {
    try {
      release();
    } catch {
      // Only a lock broken by another process as stale fails to release; the write is done by
      // then, and the lock is gone either way.
    }
  }
}

function acquire(file: string, lockPath: string, timing: LockTiming, what: string): () => void {
  const { lockSync } = properLockfile();
  const deadline = Date.now() + timing.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return lockSync(file, {
        lockfilePath: lockPath,
        // The file may not exist yet, and the lock is named explicitly: no realpath needed.
        realpath: false,
        fs: LOCK_FS,
        // Stale locks are broken by breakIfStale, not by proper-lockfile (see there).
        stale: NEVER_STALE,
        update: 1000,
        // A lock is held for one synchronous write: it cannot be refreshed meanwhile, and is
        // never held long enough to need it. Should it ever be broken as stale, there is
        // nobody to tell but the next write, which takes the lock afresh.
        onCompromised: () => undefined,
      });
    } catch (error) {
      if (codeOf(error) !== "ELOCKED") {
        throw new MsalError("ERR_CACHE_LOCK", `Cannot lock ${what} (${lockPath}): ${String(codeOf(error) ?? error)}.`, { cause: error });
      }
      if (breakIfStale(lockPath, timing.staleMs)) continue;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new MsalError(
          "ERR_CACHE_LOCK",
          `Timed out after ${timing.timeoutMs / 1000} s waiting for the lock of ${what}: another process holds ${lockPath}. ` +
            `A lock left by a process that died is broken once it is ${timing.staleMs / 1000} s old; if it stays, no ` +
            "process is updating it and it can be deleted.",
          { cause: error },
        );
      }
      // Short steps at first, so that a lock held for a few milliseconds is taken soon after it is
      // released; random, so that waiters do not wake together.
      const step = Math.min(1 + attempt, 5);
      sleepSync(Math.min(left, step + Math.random() * step));
    }
  }
}

/** proper-lockfile cannot be told never to break a lock; this is longer than any lock lives. */
const NEVER_STALE = 2 ** 52;

function isStale(path: string, staleMs: number): boolean {
  try {
    return statSync(path).mtimeMs < Date.now() - staleMs;
  } catch {
    return false; // gone: nothing to break
  }
}

/** `true` when this call removed it; gone already, or not removable, is for the next attempt to see. */
function removeDirectory(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Breaks the lock when it is stale, one process at a time; `true` when this call removed it, so
 * that the caller takes the lock at once.
 *
 * proper-lockfile's own `stale` option removes a stale lock directly. When several processes
 * find it stale at once, one may remove it and take a new lock just before another removes that
 * new lock too, believing it is still the stale one: then two processes write at once and one
 * update is lost (4 processes meeting a stale lock lost one in 20 rounds, measured). Here, a
 * process breaks the lock only while it holds `{lock}.break` (a `mkdir` too), and checks again
 * under it that the lock is still stale: a lock just taken by another breaker is fresh, and is
 * left alone. A `{lock}.break` left by a process that died in those few microseconds is itself
 * broken once stale.
 */
function breakIfStale(lockPath: string, staleMs: number): boolean {
  if (!isStale(lockPath, staleMs)) return false;
  const breaker = `${lockPath}.break`;
  try {
    mkdirSync(breaker);
  } catch {
    if (isStale(breaker, staleMs)) removeDirectory(breaker);
    return false;
  }
  try {
    return isStale(lockPath, staleMs) && removeDirectory(lockPath);
  } finally {
    removeDirectory(breaker);
  }
}
