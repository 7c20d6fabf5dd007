/**
 * The encrypted form of a persisted file: a small versioned envelope around AES-256-GCM.
 *
 * Layout, byte by byte:
 *
 * | bytes | content                                            |
 * | ----- | -------------------------------------------------- |
 * | 0–5   | `MSALTS`, the magic that tells the format apart    |
 * | 6     | the format version, 1                              |
 * | 7–18  | the 96-bit IV, random for every write              |
 * | 19…   | the ciphertext of the UTF-8 document               |
 * | last 16 | the GCM authentication tag                       |
 *
 * The magic and version are authenticated as additional data, so a changed header is caught as
 * surely as a changed ciphertext. A plaintext cache is JSON and starts with `{` (or whitespace),
 * never with the magic, so the two forms cannot be confused.
 *
 * @module
 */

import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { MsalError, invalidArgType, invalidArgValue } from "../errors.js";

const MAGIC = Buffer.from("MSALTS", "ascii");
const VERSION = 1;
const HEADER = Buffer.concat([MAGIC, Buffer.of(VERSION)]);
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * Checks an application's encryption key and wraps it in a `KeyObject`, copying the bytes (the
 * application may wipe its own buffer afterwards).
 *
 * @param key 32 bytes.
 * @returns The AES-256 key.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for anything but 32 bytes.
 */
export function encryptionKeyOf(key: unknown): KeyObject {
  if (!(key instanceof Uint8Array)) throw invalidArgType("encryptionKey must be a Uint8Array (or Buffer) of 32 bytes");
  if (key.byteLength !== KEY_BYTES) {
    throw invalidArgValue(`encryptionKey must be 32 bytes (AES-256), got ${key.byteLength}; derive it from a secret with HKDF or scrypt`);
  }
  return createSecretKey(Buffer.from(key));
}

/**
 * Whether bytes start like an envelope (whatever the key, or its version).
 *
 * @param data The file's bytes.
 * @returns `true` when they carry the magic.
 */
export function isEnvelope(data: Uint8Array): boolean {
  return data.byteLength >= MAGIC.byteLength && Buffer.from(data.buffer, data.byteOffset, MAGIC.byteLength).equals(MAGIC);
}

/**
 * Encrypts a document.
 *
 * @param plaintext The UTF-8 document.
 * @param key From {@link encryptionKeyOf}.
 * @returns The envelope.
 */
export function seal(plaintext: Uint8Array, key: KeyObject): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(HEADER);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([HEADER, iv, body, cipher.getAuthTag()]);
}

/**
 * Decrypts an envelope.
 *
 * @param data The file's bytes.
 * @param key From {@link encryptionKeyOf}.
 * @param what What the file is, for the message: "the token cache file /path".
 * @returns The UTF-8 document.
 * @throws {@link MsalError} `ERR_CACHE_DECRYPT` when the bytes are not an envelope, are of an
 *   unknown version, or fail authentication (a wrong key, or a changed file).
 */
export function open(data: Buffer, key: KeyObject, what: string): Buffer {
  if (!isEnvelope(data)) {
    throw new MsalError(
      "ERR_CACHE_DECRYPT",
      `${what} is not encrypted, but an encryptionKey was given. It was left as it is: to encrypt an existing ` +
        "cache, load it without the key, then write it to a new file with the key.",
    );
  }
  const version = data[MAGIC.byteLength];
  if (version !== VERSION) {
    throw new MsalError("ERR_CACHE_DECRYPT", `${what} is encrypted in format version ${String(version)}, which this version of msal-ts cannot read. It was left as it is.`);
  }
  if (data.byteLength < HEADER.byteLength + IV_BYTES + TAG_BYTES) {
    throw new MsalError("ERR_CACHE_DECRYPT", `${what} is truncated: too short to be an encrypted cache. It was left as it is; delete it to start afresh.`);
  }
  const iv = data.subarray(HEADER.byteLength, HEADER.byteLength + IV_BYTES);
  const body = data.subarray(HEADER.byteLength + IV_BYTES, data.byteLength - TAG_BYTES);
  const tag = data.subarray(data.byteLength - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(HEADER);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new MsalError(
      "ERR_CACHE_DECRYPT",
      `${what} cannot be decrypted: the encryptionKey is not the one it was written with, or the file was changed ` +
        "by something else. It was left as it is; pass the right key, or delete the file to start afresh.",
      { cause },
    );
  }
}
