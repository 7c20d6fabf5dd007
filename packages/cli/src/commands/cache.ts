/**
 * `msal-ts cache`: lists what the token cache file holds, without a single secret.
 *
 * @module
 */
import { parseCommandLine } from "../command.js";
import type { Command } from "../command.js";
import { cacheFilePath, openCacheFile } from "../cache-file.js";
import { print, printJson, tell } from "../io.js";
import { globalOptions, globalOptionsHelp, resolveSettings } from "../options.js";

const help = `Usage: msal-ts cache [options]

Lists the entries of the token cache file: for each, its kind, account, client, target (scopes)
and expiry. Token secrets are never shown.

The file is --cache, else $MSAL_TS_CACHE, else msal-ts/cache.json in the user's config
directory: $XDG_CONFIG_HOME or ~/.config (Linux), ~/Library/Application Support (macOS),
%LOCALAPPDATA% (Windows).

${globalOptionsHelp}
`;

const KINDS: Readonly<Record<string, string>> = {
  AccessToken: "access token",
  RefreshToken: "refresh token",
  IdToken: "id token",
  Account: "account",
  AppMetadata: "app metadata",
};

/** One cache entry as listed: only these fields, never `secret` or anything else an entry holds. */
export interface ListedEntry {
  readonly kind: string;
  readonly account: string | null;
  readonly environment: string | null;
  readonly realm: string | null;
  readonly client_id: string | null;
  readonly target: string | null;
  readonly family_id: string | null;
  /** ISO 8601, for access tokens. */
  readonly expires_on: string | null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The entries of a serialized cache, described without secrets, in the file's section order. */
export function listEntries(state: unknown): ListedEntry[] {
  if (!isRecord(state)) return [];
  const usernames = new Map<string, string>();
  const accountSection = state.Account;
  for (const entry of isRecord(accountSection) ? Object.values(accountSection) : []) {
    if (!isRecord(entry)) continue;
    const home = text(entry.home_account_id);
    const username = text(entry.username);
    if (home !== null && username !== null) usernames.set(`${home}|${String(entry.environment)}`, username);
  }
  const listed: ListedEntry[] = [];
  for (const [section, entries] of Object.entries(state)) {
    if (!isRecord(entries)) continue;
    for (const entry of Object.values(entries)) {
      if (!isRecord(entry)) continue;
      const home = text(entry.home_account_id);
      const expiresOn = Number(text(entry.expires_on));
      listed.push({
        kind: KINDS[section] ?? section,
        account: text(entry.username) ?? (home === null ? null : (usernames.get(`${home}|${String(entry.environment)}`) ?? home)),
        environment: text(entry.environment),
        realm: text(entry.realm),
        client_id: text(entry.client_id),
        target: text(entry.target),
        family_id: text(entry.family_id),
        expires_on: Number.isFinite(expiresOn) && expiresOn > 0 ? new Date(expiresOn * 1000).toISOString() : null,
      });
    }
  }
  return listed;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd());
}

/** `msal-ts cache`. */
export const cache: Command = {
  name: "cache",
  summary: "list the token cache's entries (secrets never shown)",
  help: () => help,
  async run(args, io) {
    const { values } = parseCommandLine("cache", { args, options: globalOptions });
    if (values.help) {
      io.stdout.write(help);
      return;
    }
    const settings = resolveSettings("cache", values, io.env);
    const file = openCacheFile(cacheFilePath(settings.cacheOverride, io.env));
    const entries = listEntries(JSON.parse(file.cache.serialize()));
    if (settings.json) {
      printJson(io, { path: file.path, entries });
      return;
    }
    tell(io, `Token cache ${file.path}: ${entries.length} ${entries.length === 1 ? "entry" : "entries"}`);
    if (entries.length === 0) return;
    const now = Date.now();
    const rows = entries.map((e) => [
      e.kind,
      e.account ?? "-",
      e.client_id ?? "-",
      e.target ?? (e.family_id === null ? "-" : `family ${e.family_id}`),
      e.expires_on === null ? "" : `${e.expires_on}${Date.parse(e.expires_on) <= now ? " (expired)" : ""}`,
    ]);
    for (const line of table([["KIND", "ACCOUNT", "CLIENT", "TARGET", "EXPIRES"], ...rows])) print(io, line);
  },
};
