// Running the emulator as a program: the command-line options, the config file, the CA file and the
// banner that tells a developer what to sign in with. Shared by `msal-ts-emulator` and `msal-ts emulator`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { MFA_CODE, assertEmulatorOptions, defaultTenant } from "./config.js";
import type { EmulatorOptions, TenantConfig } from "./config.js";
import { faultSpecHelp, formatFaultSpec, parseFaultSpec } from "./faults/index.js";
import { createEmulator } from "./server.js";
import type { Emulator } from "./server.js";

/** The command-line options of a standalone emulator, in `node:util` `parseArgs` form. */
export const standaloneEmulatorArgs = {
  /** `--port <n>`: the port on 127.0.0.1 (default: the config file's, else a free port). */
  port: {
    /** Taken as text; it must be a port number when the emulator starts. */
    type: "string",
  },
  /** `--hostname <name>`: an extra DNS name or IP for the server certificate. */
  hostname: {
    /** A name or an IP address. */
    type: "string",
    /** Repeatable; added to the config file's `hostnames`. */
    multiple: true,
  },
  /** `--config <file>`: a JSON file of {@link EmulatorOptions} (`tenants`, `tokenLifetime`, …). */
  config: {
    /** A file path. */
    type: "string",
  },
  /** `--ca-out <file>`: where to write the CA certificate (default: `msal-ts-emulator/ca.pem` in the temp directory). */
  "ca-out": {
    /** A file path; missing directories are created. */
    type: "string",
  },
  /** `--quiet`: no request log. */
  quiet: {
    /** A flag. */
    type: "boolean",
  },
  /** `--fault <spec>`: a fault to inject, e.g. `token:429:retry-after=2:count=3`. */
  fault: {
    /** A fault spec (see {@link parseFaultSpec}). */
    type: "string",
    /** Repeatable; the first fault that matches a request applies. */
    multiple: true,
  },
} as const;

/** The help text of {@link standaloneEmulatorArgs}, one option a line, indented by two spaces. */
export const standaloneEmulatorHelp = `  --port <n>          port on 127.0.0.1 (default: a free port)
  --hostname <name>   extra DNS name or IP for the server certificate (repeatable)
  --config <file>     JSON with { tenants, tokenLifetime, issuerHost, hostnames, port }
  --ca-out <file>     where to write the CA certificate (default: in the temp directory)
  --quiet             do not log requests
  --fault <spec>      inject a fault, e.g. token:429:retry-after=2:count=3 (repeatable; see Faults)`;

/** The `--fault` spec syntax, for the help of the commands that take {@link standaloneEmulatorArgs}. */
export const standaloneFaultHelp = `Faults (--fault <spec>, repeatable; the first that matches a request applies):
${faultSpecHelp("  ")}`;

/** What a standalone emulator is started with: the parsed {@link standaloneEmulatorArgs}. */
export interface StandaloneEmulatorSettings {
  /** The port on 127.0.0.1, as text; wins over the config file's `port` (default: a free port). */
  readonly port?: string | undefined;
  /** Extra DNS names or IPs for the server certificate, added to the config file's `hostnames`. */
  readonly hostname?: readonly string[] | undefined;
  /** The path of a JSON file of {@link EmulatorOptions}; without it, the emulator serves {@link defaultTenant}. */
  readonly config?: string | undefined;
  /** Where to write the CA certificate (default: `msal-ts-emulator/ca.pem` in the temp directory). */
  readonly "ca-out"?: string | undefined;
  /** `true` turns the request log off. */
  readonly quiet?: boolean | undefined;
  /** `--fault` specs (see {@link parseFaultSpec}), injected after the config file's `faults`. */
  readonly fault?: readonly string[] | undefined;
  /** Where request lines go unless `quiet` (default: standard output). */
  readonly log?: ((line: string) => void) | undefined;
}

/** A running standalone emulator. */
export interface StandaloneEmulator {
  /** The running emulator: its URLs, its CA certificate, `close()`. */
  readonly emulator: Emulator;
  /** The absolute path of the CA certificate file to trust. */
  readonly caPath: string;
  /** The directory it serves. */
  readonly tenants: readonly TenantConfig[];
  /** The banner: URLs, apps and users (sample credentials, printed on purpose), the CA and how to trust it. */
  describe(): string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const LOOPBACK = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(\/|$)/;

/** Aligns `[name, text]` rows under a heading. */
function table(heading: string, rows: readonly (readonly [string, string])[]): string[] {
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [`  ${heading}:`, ...rows.map(([name, text]) => `    ${name.padEnd(width)}  ${text}`)];
}

/** The apps and users to sign in with (sample credentials, printed on purpose). */
function describeTenants(tenants: readonly TenantConfig[]): string[] {
  const lines: string[] = [];
  for (const tenant of tenants) {
    if (tenants.length > 1) lines.push(`  tenant ${tenant.displayName ?? tenant.id} (${tenant.id}):`);
    const apps = (tenant.apps ?? []).map((app) => {
      const facts = [`client id ${app.clientId}`];
      if (app.secrets?.[0]) facts.push(`secret ${app.secrets[0]}`);
      if (app.publicClient) facts.push("public client");
      if (app.familyOfClientIds) facts.push("family (FOCI)");
      for (const uri of app.redirectUris ?? []) facts.push(`redirect ${uri}${LOOPBACK.test(uri) ? " (any port)" : ""}`);
      return [app.displayName ?? app.clientId, facts.join(", ")] as const;
    });
    const users = (tenant.users ?? []).map((user) => {
      const domain = user.username.slice(user.username.indexOf("@") + 1).toLowerCase();
      const notes = [
        user.mfa ? `multi-factor, code ${MFA_CODE}` : "",
        user.consentRequired ? "asks for consent" : "",
        user.interactionRequired ? "always interactive" : "",
        tenant.federatedDomains?.some((d) => d.toLowerCase() === domain) ? "federated, WS-Trust" : "",
      ].filter((n) => n !== "");
      return [user.username, `password ${user.password}${notes.length > 0 ? `  (${notes.join("; ")})` : ""}`] as const;
    });
    lines.push(...table("apps", apps), ...table("users", users));
  }
  return lines;
}

/**
 * Starts an emulator from command-line settings: reads the config file (command-line values win),
 * validates the options, listens, and writes the CA certificate to a file.
 *
 * @throws TypeError naming the option when the config file or the settings are invalid; for a
 *   `--fault` spec, with code `ERR_INVALID_ARG_VALUE` (see {@link parseFaultSpec}).
 */
export async function startStandaloneEmulator(settings: StandaloneEmulatorSettings): Promise<StandaloneEmulator> {
  const cliFaults = (settings.fault ?? []).map(parseFaultSpec);
  let file: Record<string, unknown> = {};
  if (settings.config) {
    const parsed: unknown = JSON.parse(readFileSync(settings.config, "utf8"));
    if (!isRecord(parsed)) throw new TypeError(`${settings.config} must hold a JSON object.`);
    file = parsed;
  }
  const port = settings.port === undefined ? file.port : Number(settings.port);
  const fileHostnames = Array.isArray(file.hostnames) ? (file.hostnames as unknown[]) : [];
  const log = settings.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const options: unknown = {
    ...file,
    ...(port === undefined ? {} : { port }),
    hostnames: [...fileHostnames, ...(settings.hostname ?? [])],
    ...(cliFaults.length > 0 && (file.faults === undefined || Array.isArray(file.faults))
      ? { faults: [...((file.faults as unknown[] | undefined) ?? []), ...cliFaults] }
      : {}),
    ...(settings.quiet ? {} : { logger: (line: string) => log(`  ${new Date().toISOString()} ${line}`) }),
  };
  assertEmulatorOptions(options);
  const emulator = await createEmulator(options satisfies EmulatorOptions);

  const caPath = resolve(settings["ca-out"] ?? join(tmpdir(), "msal-ts-emulator", "ca.pem"));
  try {
    mkdirSync(dirname(caPath), { recursive: true });
    writeFileSync(caPath, emulator.caCertificate);
  } catch (err) {
    await emulator.close();
    throw err;
  }

  const tenants = (Array.isArray(file.tenants) ? file.tenants : [defaultTenant]) as readonly TenantConfig[];
  const describe = (): string[] => {
    const domain = tenants[0]?.domains?.[0];
    return [
      `msal-ts emulator listening on ${emulator.url}`,
      `  authority:           ${emulator.authority}`,
      ...(domain ? [`                       ${emulator.authorityFor(domain)}`] : []),
      `  instance discovery:  ${emulator.instanceDiscoveryUrl}`,
      `  protected API:       ${emulator.protectedApiUrl}   (Authorization: Bearer <user token>)`,
      `  PoP API:             ${emulator.popApiUrl}/{name}   (Authorization: PoP <signed request>; nonces at /nonce)`,
      ...describeTenants(tenants),
      ...table("faults", emulator.faults.list().map((handle, i) => [`${i + 1}.`, formatFaultSpec(handle.fault)] as const)),
      `  CA certificate:      ${caPath}`,
      `    Node:   NODE_EXTRA_CA_CERTS=${caPath}   (msal-node: knownAuthorities ["${emulator.host}"])`,
      `    Python: REQUESTS_CA_BUNDLE=${caPath}   (or verify="${caPath}")`,
    ];
  };
  return { emulator, caPath, tenants, describe };
}
