/**
 * One document kept in a file that several processes share: reloaded when another process
 * replaced it, updated under a cross-process lock, replaced atomically, encrypted when asked.
 * The token cache and the HTTP cache are both built on it.
 *
 * @module
 */

import { isAscii } from "node:buffer";
import type { KeyObject } from "node:crypto";
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import type { Stats } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";
import { encryptionKeyOf, isEnvelope, open, seal } from "./envelope.js";
import { withFileLock } from "./file-lock.js";
import type { LockTiming } from "./file-lock.js";

/** The options every persisted file takes. */
export interface FilePersistenceOptions {
  /**
   * 32 bytes: the file is then encrypted at rest with AES-256-GCM. The application supplies and
   * keeps the key (from the platform's key store, a secret manager, or derived from a secret
   * with HKDF); every process sharing the file needs the same key. Without it the file is plain
   * JSON, readable by the other MSALs, and protected by its permissions (0600) alone.
   */
  readonly encryptionKey?: Uint8Array;
  /**
   * A lock older than this many seconds is taken to be left by a process that died holding it,
   * and is broken. It must be longer than one write of the file takes. Default 10; at least 2.
   */
  readonly lockStaleSeconds?: number;
  /**
   * How many seconds a write waits for the lock before failing with {@link MsalError}
   * `ERR_CACHE_LOCK`. Default: 30, or twice `lockStaleSeconds` when that is longer, so that a
   * lock left by a crash is always broken before a writer gives up.
   */
  readonly lockTimeoutSeconds?: number;
}

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;
const DEFAULT_STALE_SECONDS = 10;
const MIN_STALE_SECONDS = 2;
const DEFAULT_TIMEOUT_SECONDS = 30;

/** A document as {@link PersistedFile} hands it over: its text, or `null` for no file (or an empty one). */
export type Loader = (text: string | null) => void;

function codeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

function positiveSeconds(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalidArgValue(`${name} must be a positive number of seconds`);
  }
  return value;
}

/**
 * A document in a file, shared with other processes.
 *
 * Change detection is a `stat` of the path, compared with what the last load or write saw:
 * device, inode, size, and modification and change times (sub-millisecond on the usual file
 * systems). Every write replaces the file by a rename, so it gets a new inode, and the check
 * catches it even when the size and times happen to match.
 */
export class PersistedFile {
  /** The absolute path. */
  readonly path: string;
  /** The lock directory. */
  readonly lockPath: string;
  /** "the token cache file /path", for messages. */
  readonly what: string;
  readonly #key: KeyObject | undefined;
  readonly #timing: LockTiming;
  #directoryReady = false;

  // What the last successful load or write saw; `#known` false forces the next load.
  #known = false;
  #absent = false;
  #dev = 0;
  #ino = 0;
  #size = 0;
  #mtimeMs = 0;
  #ctimeMs = 0;

  /**
   * @param path Where the document lives; made absolute now, so a later `chdir` does not move it.
   * @param options The key and lock timing.
   * @param kind What the document is, for messages ("token cache", "HTTP cache").
   * @throws `TypeError` for a path that is not a non-empty string, or a bad option.
   */
  constructor(path: unknown, options: FilePersistenceOptions | undefined, kind: string) {
    if (typeof path !== "string" || path === "") throw invalidArgType("path must be a non-empty string naming the file");
    if (options !== undefined && (typeof options !== "object" || options === null)) throw invalidArgType("options must be an object");
    this.path = resolve(path);
    this.lockPath = `${this.path}.lock`;
    this.what = `the ${kind} file ${this.path}`;
    this.#key = options?.encryptionKey === undefined ? undefined : encryptionKeyOf(options.encryptionKey);
    const stale = Math.max(positiveSeconds("lockStaleSeconds", options?.lockStaleSeconds) ?? DEFAULT_STALE_SECONDS, MIN_STALE_SECONDS);
    const timeout = positiveSeconds("lockTimeoutSeconds", options?.lockTimeoutSeconds) ?? Math.max(DEFAULT_TIMEOUT_SECONDS, 2 * stale);
    this.#timing = { staleMs: stale * 1000, timeoutMs: timeout * 1000 };
  }

  /**
   * Hands the document to `load` when the file changed since the last successful load or write
   * (or was never loaded). The file counts as seen only once `load` returned: a document it
   * refused is offered again, and refused again, on every later call.
   *
   * @param load Parses the document and replaces the in-memory state; throws to refuse it.
   * @throws {@link MsalError} `ERR_CACHE_DECRYPT` for a file that cannot be decrypted,
   *   `ERR_CACHE_IO` when it cannot be read; whatever `load` throws.
   */
  refresh(load: Loader): void {
    let stat: Stats | undefined;
    try {
      stat = statSync(this.path, { throwIfNoEntry: false });
    } catch (error) {
      throw this.#ioError("read", error);
    }
    if (this.#known && (stat === undefined ? this.#absent : this.#sameAs(stat))) return;
    this.#load(load);
  }

  /**
   * Changes the document under the lock: brings the in-memory state up to date with the file
   * (through `load`, as {@link refresh} does), lets `change` apply the change to it, and writes
   * what `change` returns, atomically. Nothing is written when `change` returns `undefined`, or
   * when loading or `change` throws; the file is then untouched, and the next call reloads it.
   *
   * @param load As for {@link refresh}.
   * @param change Applies the change in memory; returns the new document, or `undefined`.
   * @throws {@link MsalError} `ERR_CACHE_LOCK`, `ERR_CACHE_DECRYPT`, `ERR_CACHE_IO`; whatever
   *   `load` or `change` throws.
   */
  update(load: Loader, change: () => string | undefined): void {
    this.#ensureDirectory();
    withFileLock(this.path, this.lockPath, this.#timing, this.what, () => {
      try {
        this.refresh(load);
        const text = change();
        if (text !== undefined) this.#write(text);
      } catch (error) {
        // The memory may now be ahead of the file: the next access reloads the file.
        this.#known = false;
        throw error;
      }
    });
  }

  #sameAs(stat: Stats): boolean {
    return (
      !this.#absent &&
      stat.ino === this.#ino &&
      stat.size === this.#size &&
      stat.mtimeMs === this.#mtimeMs &&
      stat.ctimeMs === this.#ctimeMs &&
      stat.dev === this.#dev
    );
  }

  #remember(stat: Stats | undefined): void {
    this.#known = true;
    this.#absent = stat === undefined;
    if (stat === undefined) return;
    this.#dev = stat.dev;
    this.#ino = stat.ino;
    this.#size = stat.size;
    this.#mtimeMs = stat.mtimeMs;
    this.#ctimeMs = stat.ctimeMs;
  }

  #load(load: Loader): void {
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (error) {
      if (codeOf(error) !== "ENOENT") throw this.#ioError("read", error);
      load(null);
      this.#remember(undefined);
      return;
    }
    let stat: Stats;
    let data: Buffer;
    try {
      // The descriptor pins the inode: what is read and what is remembered are the same file,
      // even if another process renames a new one into place meanwhile.
      stat = fstatSync(fd);
      data = readFileSync(fd);
    } catch (error) {
      throw this.#ioError("read", error);
    } finally {
      closeSync(fd);
    }
    load(this.#decode(data));
    this.#remember(stat);
  }

  #decode(data: Buffer): string | null {
    if (data.byteLength === 0) return null;
    let plain = data;
    if (this.#key !== undefined) plain = open(data, this.#key, this.what);
    else if (isEnvelope(data)) {
      throw new MsalError(
        "ERR_CACHE_DECRYPT",
        `${this.what} is encrypted; pass the encryptionKey it was written with. It was left as it is.`,
      );
    }
    // A cache is ASCII but for the odd display name: checking that is cheaper than decoding
    // UTF-8, and an ASCII document decodes to a one-byte string, which also parses faster.
    if (isAscii(plain)) return plain.toString("latin1");
    const text = plain.toString("utf8");
    // A byte order mark, which some editors and platforms write, is no part of the JSON.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  #write(text: string): void {
    const plain = Buffer.from(text, "utf8");
    const data = this.#key === undefined ? plain : seal(plain, this.#key);
    // The temporary file sits beside the real one, so the rename stays on one file system.
    const temporary = `${this.path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    try {
      const fd = openSync(temporary, "wx", FILE_MODE);
      try {
        for (let written = 0; written < data.byteLength; ) written += writeSync(fd, data, written);
        // On disk before it replaces the old file: a crash leaves the old file or the new one.
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameAtomically(temporary, this.path);
    } catch (error) {
      try {
        unlinkSync(temporary);
      } catch {
        // never created, or already renamed
      }
      throw this.#ioError("write", error);
    }
    try {
      // Under the lock, nobody else replaces the file between the rename and this stat.
      this.#remember(statSync(this.path));
    } catch {
      this.#known = false;
    }
  }

  #ensureDirectory(): void {
    if (this.#directoryReady) return;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: DIRECTORY_MODE });
    } catch (error) {
      throw this.#ioError("write", error);
    }
    this.#directoryReady = true;
  }

  #ioError(verb: "read" | "write", error: unknown): MsalError {
    if (error instanceof MsalError) return error;
    const code = codeOf(error);
    return new MsalError("ERR_CACHE_IO", `Cannot ${verb} ${this.what}: ${typeof code === "string" ? code : String(error)}.`, { cause: error });
  }
}

/**
 * Renames over the target. Windows refuses to replace a file another process has open for a
 * moment (EPERM, EACCES, EBUSY), so the rename is retried there for up to a second.
 */
function renameAtomically(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (error) {
      const code = codeOf(error);
      if (process.platform !== "win32" || attempt >= 50 || !(code === "EPERM" || code === "EACCES" || code === "EBUSY")) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}
