/**
 * The options every authority-facing command takes, and what they resolve to with the
 * environment's defaults.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { UsageError } from "./errors.js";

/** `node:util` `parseArgs` definitions of the global options. */
export const globalOptions = {
  authority: { type: "string" },
  "client-id": { type: "string" },
  json: { type: "boolean" },
  "ca-file": { type: "string" },
  "instance-discovery": { type: "string" },
  cache: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The global options' help, shared by every command's `--help`. */
export const globalOptionsHelp = `Global options:
  --authority <url>            the authority (env MSAL_TS_AUTHORITY;
                               default https://login.microsoftonline.com/common)
  --client-id <id>             the app's client id (env MSAL_TS_CLIENT_ID); required, except
                               on a loopback authority (the emulator), where it defaults to
                               the emulator's sample desktop app
  --ca-file <pem>              trust this CA for TLS, e.g. the emulator's (env MSAL_TS_CA_FILE)
  --instance-discovery <url|false>
                               the instance discovery endpoint, or false to skip discovery
                               (env MSAL_TS_INSTANCE_DISCOVERY; default: Entra's, none on a
                               loopback authority)
  --cache <file>               the token cache file (env MSAL_TS_CACHE)
  --json                       machine-readable output on stdout
  -h, --help                   show help`;

/** The parsed values of {@link globalOptions}. */
export interface GlobalValues {
  readonly authority?: string | undefined;
  readonly "client-id"?: string | undefined;
  readonly json?: boolean | undefined;
  readonly "ca-file"?: string | undefined;
  readonly "instance-discovery"?: string | undefined;
  readonly cache?: string | undefined;
}

/** The authority msal-ts signs in against when none is given. */
export const DEFAULT_AUTHORITY = "https://login.microsoftonline.com/common";

/**
 * The client id used on a loopback authority when none is given: the emulator's sample desktop
 * app (a public client in the family of client ids, redirect `http://localhost`). Microsoft
 * Entra has no msal-ts app, so a real authority needs `--client-id` (or `MSAL_TS_CLIENT_ID`).
 */
export const EMULATOR_DESKTOP_CLIENT_ID = "d4e1c0de-0000-4a11-8c11-000000000003";

/** The global options after the environment's defaults. */
export interface Settings {
  readonly command: string;
  readonly authority: string;
  /** The `--client-id` or `MSAL_TS_CLIENT_ID` value, when given. */
  readonly explicitClientId: string | undefined;
  readonly json: boolean;
  readonly caFile: string | undefined;
  readonly instanceDiscovery: boolean | string | undefined;
  /** The `--cache` value, when given. */
  readonly cacheOverride: string | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** True for an authority on this machine (`localhost`, `127.0.0.1`, `[::1]`): the emulator. */
export function isLoopbackAuthority(authority: string): boolean {
  const host = new URL(authority).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/**
 * Validates the global options and fills in the environment's values.
 *
 * @throws UsageError for an authority that is not an https URL, a CA file that does not exist, or
 *   an instance discovery value that is neither a URL nor true/false.
 */
export function resolveSettings(command: string, values: GlobalValues, env: NodeJS.ProcessEnv): Settings {
  const authority = nonEmpty(values.authority) ?? nonEmpty(env.MSAL_TS_AUTHORITY) ?? DEFAULT_AUTHORITY;
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    throw new UsageError(`--authority must be a URL, got ${JSON.stringify(authority)}`, command);
  }
  if (url.protocol !== "https:") throw new UsageError(`--authority must be an https URL, got ${JSON.stringify(authority)}`, command);

  const caFile = nonEmpty(values["ca-file"]) ?? nonEmpty(env.MSAL_TS_CA_FILE);
  if (caFile !== undefined && !existsSync(caFile)) throw new UsageError(`--ca-file ${caFile} does not exist`, command);

  const discovery = nonEmpty(values["instance-discovery"]) ?? nonEmpty(env.MSAL_TS_INSTANCE_DISCOVERY);
  let instanceDiscovery: boolean | string | undefined;
  // Entra's world-wide discovery endpoint cannot know a host on this machine.
  if (discovery === undefined) instanceDiscovery = isLoopbackAuthority(authority) ? false : undefined;
  else if (discovery.toLowerCase() === "false") instanceDiscovery = false;
  else if (discovery.toLowerCase() === "true") instanceDiscovery = true;
  else {
    if (!/^https:\/\/[^/]/i.test(discovery) || !URL.canParse(discovery)) {
      throw new UsageError(`--instance-discovery must be an https URL, true or false, got ${JSON.stringify(discovery)}`, command);
    }
    instanceDiscovery = discovery;
  }

  return {
    command,
    authority,
    explicitClientId: nonEmpty(values["client-id"]) ?? nonEmpty(env.MSAL_TS_CLIENT_ID),
    json: values.json === true,
    caFile,
    instanceDiscovery,
    cacheOverride: nonEmpty(values.cache),
  };
}

/**
 * The client id of the app that signs users in: `--client-id`, `MSAL_TS_CLIENT_ID`, or on a
 * loopback authority the emulator's sample desktop app.
 *
 * @throws UsageError when none applies.
 */
export function publicClientId(settings: Settings): string {
  if (settings.explicitClientId) return settings.explicitClientId;
  if (isLoopbackAuthority(settings.authority)) return EMULATOR_DESKTOP_CLIENT_ID;
  throw new UsageError(
    "--client-id is required (or set MSAL_TS_CLIENT_ID): register a public client app in Microsoft Entra " +
      "with the redirect URI http://localhost and public client flows allowed",
    settings.command,
  );
}

/**
 * The client id of an app that authenticates as itself: `--client-id` or `MSAL_TS_CLIENT_ID`.
 *
 * @throws UsageError when neither is given.
 */
export function confidentialClientId(settings: Settings): string {
  if (settings.explicitClientId) return settings.explicitClientId;
  throw new UsageError("--client-id is required with an app credential (or set MSAL_TS_CLIENT_ID)", settings.command);
}

/** Scopes from repeated `--scope` values, each of which may also hold several, space-separated. */
export function scopesFrom(values: readonly string[] | undefined): string[] {
  const scopes: string[] = [];
  for (const value of values ?? []) {
    for (const scope of value.split(/\s+/)) if (scope !== "" && !scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}
