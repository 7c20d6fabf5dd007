/**
 * How a partition is laid out in Redis, and how one writer's changes are told apart from the state
 * it started from.
 *
 * A partition is one Redis hash. Each cache entry is a field of its own, named by the JSON array
 * `[section, cache key]` and holding the entry's JSON, so that a writer changes exactly the
 * entries it changed and nothing else: two instances that add tokens to the same partition at the
 * same moment both keep theirs. A top-level value that is not an object of entries (another
 * MSAL's extension) is one field, `[section]`. The field `version` holds a random tag, replaced
 * on every write, by which a reader knows whether its copy is current. Fields that do not start
 * with `[` are reserved for such bookkeeping and are not part of the cache.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";

/** The hash field holding the partition's version tag. */
export const VERSION_FIELD = "version";

/** One field of a partition: an entry (or a whole top-level value), as stored and as parsed. */
export interface StoredField {
  /** The field's JSON text, exactly as it is in Redis. */
  readonly raw: string;
  readonly section: string;
  /** The entry's cache key; `undefined` when the field holds the section's whole value. */
  readonly key: string | undefined;
  /** The parsed value, deeply frozen, so that copies of a partition can share it. */
  readonly value: unknown;
}

/** A partition as read at one version. */
export interface PartitionSnapshot {
  /** The version tag; `""` when the partition did not exist. */
  readonly version: string;
  /** Field name → field. */
  readonly fields: ReadonlyMap<string, StoredField>;
}

/** What one writer changed: fields to set, and fields to delete if they still hold what it read. */
export interface PartitionDiff {
  readonly sets: readonly StoredFieldChange[];
  readonly deletes: readonly { readonly field: string; readonly expected: string }[];
}

/** A field to write. */
export interface StoredFieldChange {
  readonly field: string;
  readonly stored: StoredField;
}

/** The empty partition. */
export const EMPTY_SNAPSHOT: PartitionSnapshot = Object.freeze({ version: "", fields: new Map<string, StoredField>() });

/** A partition's data cannot be read (a field that is not JSON, say); the message names no value. */
export class PartitionFormatError extends Error {
  override readonly name = "PartitionFormatError";
}

/**
 * The hash field of an entry, or of a whole top-level value.
 *
 * @param section The top-level section, e.g. `AccessToken`.
 * @param key The entry's cache key; omitted for a top-level value stored whole.
 * @returns `["AccessToken","…key…"]` or `["Section"]`.
 */
export function fieldName(section: string, key?: string): string {
  return JSON.stringify(key === undefined ? [section] : [section, key]);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** `[section, key]` or `[section]` from a field name. */
function parseFieldName(field: string): [string, string | undefined] {
  // The common case without escapes needs no parser: with no backslash, a quote in the name can only
  // be a delimiter, so `","` separates the two strings.
  if (field.startsWith('["') && field.endsWith('"]') && !field.includes("\\")) {
    const inner = field.slice(2, -2);
    const comma = inner.indexOf('","');
    if (comma === -1 && !inner.includes('"')) return [inner, undefined];
    if (comma !== -1 && !inner.includes('"', comma + 3) && !inner.slice(0, comma).includes('"')) return [inner.slice(0, comma), inner.slice(comma + 3)];
  }
  let name: unknown;
  try {
    name = JSON.parse(field);
  } catch {
    throw new PartitionFormatError("A field name of the partition is not a JSON array.");
  }
  const [section, key] = Array.isArray(name) ? (name as unknown[]) : [];
  if (typeof section !== "string" || (key !== undefined && typeof key !== "string") || (name as unknown[]).length > 2) {
    throw new PartitionFormatError("A field name of the partition is not a [section, key] array of strings.");
  }
  return [section, key];
}

function parseField(field: string, raw: string): StoredField {
  const [section, key] = parseFieldName(field);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // The text may be a token: say where, never what.
    throw new PartitionFormatError(`The value of an entry in section "${section}" of the partition is not JSON.`);
  }
  return { raw, section, key, value: deepFreeze(value) };
}

/**
 * Reads the reply of `HGETALL` (a flat array of field, value, field, value…).
 *
 * @param reply The reply.
 * @returns The snapshot.
 * @throws {@link PartitionFormatError} when a field cannot be read.
 */
export function snapshotFromHash(reply: readonly unknown[]): PartitionSnapshot {
  let version = "";
  const fields = new Map<string, StoredField>();
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const field = reply[i];
    const raw = reply[i + 1];
    if (typeof field !== "string" || typeof raw !== "string") throw new PartitionFormatError("The partition's hash holds a non-string field.");
    if (field === VERSION_FIELD) version = raw;
    else if (field.startsWith("[")) fields.set(field, parseField(field, raw));
  }
  return { version, fields };
}

/**
 * The cache document a snapshot stands for, in the shape `TokenCache` imports: fresh top-level and
 * section objects around the snapshot's shared, frozen entries.
 *
 * @param fields The snapshot's fields.
 * @returns The document.
 */
export function stateOf(fields: ReadonlyMap<string, StoredField>): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const { section, key, value } of fields.values()) {
    if (key === undefined) {
      setOwn(state, section, value);
      continue;
    }
    let entries = Object.hasOwn(state, section) ? state[section] : undefined;
    if (!isRecord(entries)) {
      entries = {};
      setOwn(state, section, entries);
    }
    setOwn(entries as Record<string, unknown>, key, value);
  }
  return state;
}

/** Sets an own property, even one named `__proto__` (cache keys come from other MSALs too). */
export function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function sameValue(stored: StoredField | undefined, value: unknown): boolean {
  return stored !== undefined && (stored.value === value || isDeepStrictEqual(stored.value, value));
}

/**
 * What a writer changed: every entry of `after` that is new or differs from the one it read, and
 * every entry it read that `after` no longer has. Entries are compared by identity first (a cache
 * built from a snapshot shares the snapshot's objects, so untouched entries cost one comparison),
 * then by value.
 *
 * @param base The fields the writer read.
 * @param after The writer's cache document afterwards.
 * @returns The changes; both lists empty when nothing changed.
 */
export function diffPartition(base: ReadonlyMap<string, StoredField>, after: Readonly<Record<string, unknown>>): PartitionDiff {
  const sets: StoredFieldChange[] = [];
  // Untouched entries are the very objects of the base: found by identity, without building names.
  const byValue = new Map<unknown, StoredField>();
  for (const stored of base.values()) if (typeof stored.value === "object" && stored.value !== null) byValue.set(stored.value, stored);
  const untouched = new Set<StoredField>();
  const seen = new Set<string>();
  const consider = (section: string, key: string | undefined, value: unknown): void => {
    const same = byValue.get(value);
    if (same !== undefined && same.section === section && same.key === key) {
      untouched.add(same);
      return;
    }
    const field = fieldName(section, key);
    seen.add(field);
    const old = base.get(field);
    if (sameValue(old, value)) return;
    sets.push({ field, stored: { raw: JSON.stringify(value), section, key, value } });
  };
  for (const [section, value] of Object.entries(after)) {
    if (isRecord(value)) {
      for (const [key, entry] of Object.entries(value)) consider(section, key, entry);
    } else {
      consider(section, undefined, value);
    }
  }
  const deletes: { field: string; expected: string }[] = [];
  for (const [field, old] of base) if (!untouched.has(old) && !seen.has(field)) deletes.push({ field, expected: old.raw });
  return { sets, deletes };
}

/**
 * The fields after a diff is applied to the state it was computed from.
 *
 * @param base The fields the diff was computed from.
 * @param diff The diff.
 * @returns New fields.
 */
export function applyDiff(base: ReadonlyMap<string, StoredField>, diff: PartitionDiff): Map<string, StoredField> {
  const fields = new Map(base);
  for (const { field, stored } of diff.sets) fields.set(field, { ...stored, value: deepFreeze(stored.value) });
  for (const { field } of diff.deletes) fields.delete(field);
  return fields;
}

const INTEGER = /^\s*\d+\s*$/;

/** An epoch-seconds field, as the cache schema writes it (a decimal string) or as a number. */
function seconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  return typeof value === "string" && INTEGER.test(value) ? Number(value) : undefined;
}

/**
 * When a partition stops being useful: the latest expiry among its tokens.
 *
 * - An access token lives until its `expires_on`.
 * - A refresh token carries no expiry in the unified schema (Entra's expire after 90 days without
 *   use); it is taken to live `refreshTokenLifetime` seconds after its `last_modification_time`,
 *   which every redemption renews. Without that field (another MSAL's entry), from `now`. An
 *   `expires_on` on it (MSAL JS writes one when the server sent a refresh token lifetime) wins.
 * - ID tokens, accounts and app metadata live as long as the tokens beside them.
 *
 * @param state A cache document.
 * @param now Epoch seconds.
 * @param refreshTokenLifetime Seconds a refresh token is kept after its last write.
 * @returns Epoch seconds, or `undefined` when the partition holds no token at all.
 */
export function partitionExpiry(state: Readonly<Record<string, unknown>>, now: number, refreshTokenLifetime: number): number | undefined {
  let latest: number | undefined;
  const consider = (expiry: number | undefined): void => {
    if (expiry !== undefined && (latest === undefined || expiry > latest)) latest = expiry;
  };
  const accessTokens = state["AccessToken"];
  if (isRecord(accessTokens)) {
    for (const entry of Object.values(accessTokens)) if (isRecord(entry)) consider(seconds(entry["expires_on"]));
  }
  const refreshTokens = state["RefreshToken"];
  if (isRecord(refreshTokens)) {
    for (const entry of Object.values(refreshTokens)) {
      if (!isRecord(entry)) continue;
      consider(seconds(entry["expires_on"]) ?? (seconds(entry["last_modification_time"]) ?? now) + refreshTokenLifetime);
    }
  }
  return latest;
}
