// Looks for secrets in captured output (log lines, console and stdout/stderr writes): whole secrets,
// their common encodings (URL, form, JSON, base64), the segments of JWTs, and fragments of a secret
// long enough not to occur by chance. Findings say what leaked and where, never the secret itself.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

/** A secret to look for: what it is (for the report) and its value. */
export interface ScanSecret {
  readonly kind: string;
  readonly value: string;
}

/** How a secret showed up. */
export type LeakMatch =
  /** The whole secret (in `form`). */
  | "whole"
  /** One segment of a JWT secret, without the rest of the token. */
  | "jwt-segment"
  /** Part of the secret, at least `minFragment` characters long. */
  | "fragment";

/** The encoding the leaked text was in. */
export type LeakForm = "plain" | "url-encoded" | "form-encoded" | "json-escaped" | "base64" | "base64url";

/** One place a secret showed up. Holds no part of the secret. */
export interface SecretFinding {
  /** The `kind` of the secret that leaked. */
  readonly kind: string;
  /** The first 12 hex digits of the secret's SHA-256: tells findings of different secrets apart. */
  readonly fingerprint: string;
  readonly match: LeakMatch;
  readonly form: LeakForm;
  /** 1-based index of the captured line. */
  readonly line: number;
  /** 1-based column where the leaked text starts. */
  readonly column: number;
  /** Length of the leaked text. */
  readonly length: number;
}

/** Tuning of {@link scanForSecrets}. */
export interface ScanOptions {
  /** Shortest fragment of a secret that counts as a leak (default 16). */
  readonly minFragment?: number;
  /** Secrets (and JWT segments) shorter than this are not looked for: they occur by chance (default 8). */
  readonly minLength?: number;
}

/** What {@link scanForSecrets} found, and which secrets it could not look for. */
export interface ScanReport {
  readonly findings: readonly SecretFinding[];
  /** Secrets shorter than `minLength`, by kind: not looked for. */
  readonly skipped: readonly string[];
}

interface Needle {
  readonly secret: ScanSecret;
  readonly fingerprint: string;
  readonly text: string;
  readonly form: LeakForm;
  /** A segment of a JWT: a whole match reports `jwt-segment`. */
  readonly segment: boolean;
  /** Whether pieces of it count: not for a whole JWT, whose header every token of a key shares. */
  readonly fragments: boolean;
}

/** Which of two reports of the same text says more. */
const RANK: Readonly<Record<LeakMatch, number>> = { fragment: 0, "jwt-segment": 1, whole: 2 };

const JWT = /^eyJ[\w-]*\.[\w-]*\.[\w-]*(\.[\w-]*)*$/;

const fingerprintOf = (value: string): string => createHash("sha256").update(value).digest("hex").slice(0, 12);

/**
 * The parts of base64 text that depend on `value` alone, whatever precedes it: one per alignment of
 * `value` in the encoded bytes (a Basic header encodes `id:secret`, for one).
 */
function base64Cores(value: string, encoding: "base64" | "base64url"): string[] {
  const cores: string[] = [];
  const bytes = Buffer.from(value, "utf8");
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(encoding).replace(/=+$/, "");
    // The first group mixes in the preceding bytes (unless none); the last one, the following bytes.
    const start = offset === 0 ? 0 : 4;
    const end = (offset + bytes.length) % 3 === 0 ? encoded.length : encoded.length - ((encoded.length % 4) || 4);
    if (end > start) cores.push(encoded.slice(start, end));
  }
  return cores;
}

/**
 * The texts to look for: the secret in every form it may be written in. A JWT's header is the same
 * in every token signed with one key, so pieces of a JWT count only within its later segments.
 */
function needlesOf(secret: ScanSecret, minLength: number): Needle[] {
  const fingerprint = fingerprintOf(secret.value);
  const v = secret.value;
  const jwt = JWT.test(v);
  const seen = new Set<string>();
  const needles: Needle[] = [];
  const add = (text: string, form: LeakForm, segment = false): void => {
    if (text.length < minLength || seen.has(text)) return;
    seen.add(text);
    needles.push({ secret, fingerprint, text, form, segment, fragments: !jwt || segment });
  };
  add(v, "plain");
  add(encodeURIComponent(v), "url-encoded");
  add(new URLSearchParams({ v }).toString().slice(2), "form-encoded");
  add(JSON.stringify(v).slice(1, -1), "json-escaped");
  for (const core of base64Cores(v, "base64")) add(core, "base64");
  for (const core of base64Cores(v, "base64url")) add(core, "base64url");
  if (jwt) for (const part of v.split(".").slice(1)) add(part, "plain", true);
  return needles;
}

/** Every `size`-character window of the lines, with where it is. */
function indexWindows(lines: readonly string[], size: number): Map<string, Array<readonly [line: number, column: number]>> {
  const index = new Map<string, Array<readonly [number, number]>>();
  lines.forEach((text, line) => {
    for (let col = 0; col + size <= text.length; col++) {
      const window = text.slice(col, col + size);
      const at = index.get(window);
      if (at) at.push([line, col]);
      else index.set(window, [[line, col]]);
    }
  });
  return index;
}

/**
 * Windows that pieces of more than one secret share: structure (a JWT payload's opening claims, say)
 * rather than secret matter, so finding one is no leak of any of them.
 */
function sharedWindows(needles: readonly Needle[], size: number): Set<string> {
  const owner = new Map<string, string>();
  const shared = new Set<string>();
  for (const needle of needles) {
    if (!needle.fragments) continue;
    for (let i = 0; i + size <= needle.text.length; i++) {
      const window = needle.text.slice(i, i + size);
      const first = owner.get(window);
      if (first === undefined) owner.set(window, needle.fingerprint);
      else if (first !== needle.fingerprint) shared.add(window);
    }
  }
  return shared;
}

/**
 * Looks for `secrets` in captured `lines`. A secret counts as leaked when it appears whole (plain,
 * URL-, form- or JSON-escaped, or in base64 at any alignment), when the payload or signature of a
 * JWT appears, or when any `minFragment` characters of it (in one of those forms; of a JWT, within
 * its payload or signature) appear that no other of the secrets shares.
 */
export function scanForSecrets(lines: readonly string[], secrets: Iterable<ScanSecret>, options: ScanOptions = {}): ScanReport {
  const minFragment = options.minFragment ?? 16;
  const minLength = options.minLength ?? 8;
  const byValue = new Map<string, ScanSecret>();
  for (const s of secrets) if (!byValue.has(s.value)) byValue.set(s.value, s);
  const skipped: string[] = [];
  const needles: Needle[] = [];
  for (const secret of byValue.values()) {
    if (secret.value.length < minLength) skipped.push(secret.kind);
    else needles.push(...needlesOf(secret, minLength));
  }
  const index = indexWindows(lines, minFragment);
  // One finding per secret, line and start column: several needles may find the same leak.
  const findings = new Map<string, SecretFinding>();
  const report = (needle: Needle, line: number, column: number, length: number, whole: boolean): void => {
    const key = `${needle.fingerprint} ${line} ${column}`;
    const match: LeakMatch = whole ? (needle.segment ? "jwt-segment" : "whole") : "fragment";
    const previous = findings.get(key);
    if (previous && (previous.length > length || (previous.length === length && RANK[previous.match] >= RANK[match]))) return;
    findings.set(key, { kind: needle.secret.kind, fingerprint: needle.fingerprint, match, form: needle.form, line: line + 1, column: column + 1, length });
  };
  const shared = sharedWindows(needles, minFragment);
  for (const needle of needles) {
    const text = needle.text;
    lines.forEach((l, line) => {
      for (let col = l.indexOf(text); col >= 0; col = l.indexOf(text, col + 1)) report(needle, line, col, text.length, true);
    });
    if (!needle.fragments || text.length <= minFragment) continue;
    // Windows of the needle found in the lines, grouped by where the needle would start there.
    const runs = new Map<string, { line: number; first: number; last: number }>();
    for (let i = 0; i + minFragment <= text.length; i++) {
      const window = text.slice(i, i + minFragment);
      if (shared.has(window)) continue;
      for (const [line, col] of index.get(window) ?? []) {
        const key = `${line} ${col - i}`;
        const run = runs.get(key);
        if (run) {
          run.first = Math.min(run.first, col);
          run.last = Math.max(run.last, col);
        } else {
          runs.set(key, { line, first: col, last: col });
        }
      }
    }
    for (const run of runs.values()) report(needle, run.line, run.first, run.last - run.first + minFragment, false);
  }
  // A leak inside a longer reported leak of the same secret (a segment of a whole token) adds nothing.
  const all = [...findings.values()];
  const covered = (f: SecretFinding): boolean =>
    all.some(
      (o) => o !== f && o.fingerprint === f.fingerprint && o.line === f.line && o.column <= f.column &&
        o.column + o.length >= f.column + f.length && o.length > f.length,
    );
  const kept = all.filter((f) => !covered(f));
  kept.sort((a, b) => a.line - b.line || a.column - b.column);
  return { findings: kept, skipped };
}

/** A report of findings fit for an assertion message: kinds and places, never secrets. */
export function describeFindings(findings: readonly SecretFinding[]): string {
  return findings
    .map(
      (f) =>
        `${f.kind} [${f.fingerprint}]: ${f.match === "whole" ? "the whole secret" : f.match === "jwt-segment" ? "a JWT segment" : `${f.length} characters of it`}` +
        `${f.form === "plain" ? "" : ` (${f.form})`} at line ${f.line}, column ${f.column}`,
    )
    .join("\n");
}

/**
 * Fails when any of `secrets` shows up in `lines` (see {@link scanForSecrets}); the message names the
 * kinds and places of the leaks, not the secrets.
 */
export function assertNoSecrets(lines: readonly string[], secrets: Iterable<ScanSecret>, options?: ScanOptions): void {
  const { findings } = scanForSecrets(lines, secrets, options);
  if (findings.length > 0) {
    assert.fail(`${findings.length} secret leak(s) in ${lines.length} captured line(s):\n${describeFindings(findings)}`);
  }
}
