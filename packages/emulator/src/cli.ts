#!/usr/bin/env node
// msal-ts-emulator: runs the emulator until SIGINT/SIGTERM.
//   msal-ts-emulator [--port N] [--hostname NAME]... [--config tenants.json] [--ca-out ca.pem] [--quiet]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { MFA_CODE, assertEmulatorOptions, defaultTenant } from "./config.js";
import type { TenantConfig } from "./config.js";
import { createEmulator } from "./server.js";

const USAGE = `Usage: msal-ts-emulator [options]

A local, offline Microsoft identity platform (Entra ID) authority over HTTPS.

Options:
  --port <n>          port on 127.0.0.1 (default: a free port)
  --hostname <name>   extra DNS name or IP for the server certificate (repeatable)
  --config <file>     JSON with { tenants, tokenLifetime, issuerHost, hostnames, port }
  --ca-out <file>     where to write the CA certificate (default: in the temp directory)
  --quiet             do not log requests
  -h, --help          show this help
`;

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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      hostname: { type: "string", multiple: true },
      config: { type: "string" },
      "ca-out": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  let file: Record<string, unknown> = {};
  if (values.config) {
    const parsed: unknown = JSON.parse(readFileSync(values.config, "utf8"));
    if (!isRecord(parsed)) throw new TypeError(`${values.config} must hold a JSON object.`);
    file = parsed;
  }
  const port = values.port === undefined ? file.port : Number(values.port);
  const fileHostnames = Array.isArray(file.hostnames) ? (file.hostnames as unknown[]) : [];
  const options = {
    ...file,
    ...(port === undefined ? {} : { port }),
    hostnames: [...fileHostnames, ...(values.hostname ?? [])],
    ...(values.quiet ? {} : { logger: (line: string) => console.log(`  ${new Date().toISOString()} ${line}`) }),
  };
  assertEmulatorOptions(options);
  const emulator = await createEmulator(options);

  const caPath = resolve(values["ca-out"] ?? join(tmpdir(), "msal-ts-emulator", "ca.pem"));
  mkdirSync(dirname(caPath), { recursive: true });
  writeFileSync(caPath, emulator.caCertificate);

  const tenants = (Array.isArray(file.tenants) ? file.tenants : [defaultTenant]) as readonly TenantConfig[];
  const domain = tenants[0]?.domains?.[0];

  console.log(`msal-ts emulator listening on ${emulator.url}`);
  console.log(`  authority:           ${emulator.authority}`);
  if (domain) console.log(`                       ${emulator.authorityFor(domain)}`);
  console.log(`  instance discovery:  ${emulator.instanceDiscoveryUrl}`);
  console.log(`  protected API:       ${emulator.protectedApiUrl}   (Authorization: Bearer <user token>)`);
  for (const line of describeTenants(tenants)) console.log(line);
  console.log(`  CA certificate:      ${caPath}`);
  console.log(`    Node:   NODE_EXTRA_CA_CERTS=${caPath}   (msal-node: knownAuthorities ["${emulator.host}"])`);
  console.log(`    Python: REQUESTS_CA_BUNDLE=${caPath}   (or verify="${caPath}")`);
  console.log("Press Ctrl+C to stop.");

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`msal-ts-emulator: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`msal-ts-emulator: ${err instanceof Error ? err.message : String(err)}`);
  console.error(USAGE);
  process.exit(1);
});
