import { resolveManagedIdentityOptions } from "./managed-identity/options.js";
import type { ManagedIdentityOptions, ResolvedManagedIdentityOptions } from "./managed-identity/options.js";
import { checkFault } from "./faults/index.js";
import type { Fault } from "./faults/index.js";
import { isRegionName } from "./regions.js";

// The emulator's typed configuration: what a test or the CLI's JSON file declares, with defaults and
// runtime validation (JSON files and JavaScript callers bypass the types).

/** A CA whose certificates may authenticate an app by subject name and issuer ("SNI", `x5c`). */
export interface TrustedIssuerConfig {
  /** The issuing CA certificate, PEM. */
  readonly issuerCertificate: string;
  /** The subject the client certificate must carry, e.g. `CN=daemon.contoso.com` (a bare value means CN). */
  readonly subject: string;
}

/** An app registration (and its service principal) in a tenant. */
export interface AppConfig {
  /** The application (client) id, usually a GUID. */
  readonly clientId: string;
  /** The app's name on the sign-in, consent and device-login pages and in error descriptions (default: the client id). */
  readonly displayName?: string;
  /** Client secrets the app may present (body `client_secret` or HTTP Basic). */
  readonly secrets?: readonly string[];
  /** Certificates (PEM) registered on the app; assertions name them by `x5t` or `x5t#S256`. */
  readonly certificates?: readonly string[];
  /** Subject-name-and-issuer trust: assertions carrying `x5c` chained to one of these CAs. */
  readonly trustedIssuers?: readonly TrustedIssuerConfig[];
  /**
   * Application permissions granted (admin-consented) to this app, keyed by API identifier (App ID URI)
   * or API app id; Microsoft Graph is `https://graph.microsoft.com`.
   */
  readonly appRoles?: Readonly<Record<string, readonly string[]>>;
  /** A public client (desktop/mobile): it may not present credentials. */
  readonly publicClient?: boolean;
  /**
   * Redirect URIs registered for sign-in. `http://localhost` (any port, as Entra allows for loopback)
   * matches every `http://localhost:{port}` and `http://127.0.0.1:{port}` URI with the same path.
   */
  readonly redirectUris?: readonly string[];
  /** A member of the family of client ids (FOCI): its refresh tokens are family tokens (`foci: "1"`). */
  readonly familyOfClientIds?: boolean;
}

/** A user account in a tenant. */
export interface UserConfig {
  /** The user principal name, e.g. `adele@contoso.onmicrosoft.com` (case-insensitive). */
  readonly username: string;
  /** The password the sign-in page, ROPC, and (for federated domains) WS-Trust accept. */
  readonly password: string;
  /** `name` claim (default: the part of the username before `@`). */
  readonly displayName?: string;
  /** `oid` (GUID; default: a stable GUID derived from tenant and username). */
  readonly objectId?: string;
  /** `email` claim, when set. */
  readonly email?: string;
  /**
   * Every sign-in needs a second factor: the sign-in page asks for it, while ROPC and refresh
   * answer `invalid_grant` + `suberror: basic_action` with a claims challenge (AADSTS50076).
   */
  readonly mfa?: boolean;
  /** The user has not consented to apps: the sign-in page asks, ROPC answers `consent_required` (AADSTS65001). */
  readonly consentRequired?: boolean;
  /** Every non-interactive request for this user answers `interaction_required` (AADSTS50079). */
  readonly interactionRequired?: boolean;
}

/** A web API (resource) registered in a tenant. */
export interface ApiConfig {
  /** The App ID URI, e.g. `api://orders`. */
  readonly identifier: string;
  /** The API's application id (GUID); when set it is the `aud` of tokens issued for the API. */
  readonly appId?: string;
  /** App roles the API defines; when set, grants must name only these. */
  readonly roles?: readonly string[];
  /** Delegated permissions (scope names, e.g. `Orders.Read`); when set, user tokens may name only these. */
  readonly scopes?: readonly string[];
}

/** A directory (tenant). */
export interface TenantConfig {
  /** The tenant id (GUID). */
  readonly id: string;
  /** The tenant's name in error descriptions and the CLI's listing (default: its first domain, else its id). */
  readonly displayName?: string;
  /** Verified domains that resolve to this tenant, e.g. `contoso.onmicrosoft.com`. */
  readonly domains?: readonly string[];
  /** App registrations: the clients that may get tokens here, and APIs that call others on behalf of users. */
  readonly apps?: readonly AppConfig[];
  /** APIs besides Microsoft Graph, which every tenant has. */
  readonly apis?: readonly ApiConfig[];
  /** Users who can sign in. */
  readonly users?: readonly UserConfig[];
  /**
   * Domains (also verified domains of the tenant) whose users sign in at a federation service: the
   * emulator's own WS-Trust endpoint, found through user realm discovery and MEX.
   */
  readonly federatedDomains?: readonly string[];
}

/** Options for {@link createEmulator}. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** Extra DNS names or IPs for the server certificate, besides `localhost`, `127.0.0.1` and `::1`. */
  readonly hostnames?: readonly string[];
  /**
   * Azure regions whose regional endpoints (ESTS-R) the emulator also serves, e.g. `["westus2"]`:
   * for each region and each DNS name of the emulator, `{region}.{name}` (`westus2.localhost`), or
   * `{region}.login.microsoft.com` for the public cloud's central hosts, as MSALs build them. The
   * server certificate covers these names; requests sent to them get discovery documents whose
   * endpoints are regional, while issuers stay central. The host name must still reach 127.0.0.1
   * (a client's DNS lookup, or its hosts file). `managedIdentity.region` is served too.
   */
  readonly regions?: readonly string[];
  /** The directory (default: {@link defaultTenant} only). The first tenant is the default authority. */
  readonly tenants?: readonly TenantConfig[];
  /** Access-token lifetime in seconds (default 3599). */
  readonly tokenLifetime?: number;
  /**
   * Current time in epoch seconds (default the system clock), for tests of expiry. It stamps issued
   * tokens and errors, and judges client assertions' `exp`/`nbf` and certificates' validity.
   */
  readonly clock?: () => number;
  /**
   * `host[:port]` used in issuers and metadata URLs instead of the host a request was sent to, for an
   * emulator reached through a proxy or a different name.
   */
  readonly issuerHost?: string;
  /** Receives one line per request (method, path, grant, client id, status); never tokens or secrets. */
  readonly logger?: (line: string) => void;
  /**
   * `refresh_in` (seconds) in token responses, which tells MSALs to refresh early. Default: half the
   * access-token lifetime when that is 2 hours or more (as Entra does for long-lived tokens), else none.
   * Never more than the lifetime.
   */
  readonly refreshIn?: number;
  /** The device code flow (`/devicecode`, the `/devicelogin` page and the device code grant). */
  readonly deviceCode?: DeviceCodeOptions;
  /**
   * Managed identity endpoints (IMDS, App Service, Azure Machine Learning, Azure Arc, Cloud Shell,
   * Service Fabric), served on loopback ports of their own when given (even as `{}`); see
   * `emulator.managedIdentity`.
   */
  readonly managedIdentity?: ManagedIdentityOptions;
  /** Faults injected from the start, as if passed to `emulator.faults.inject` in this order. */
  readonly faults?: readonly Fault[];
}

/** How the emulator runs the device code flow (RFC 8628). */
export interface DeviceCodeOptions {
  /** Seconds a device code stays valid: its `expires_in` (default 900, Entra's 15 minutes). */
  readonly expiresIn?: number;
  /** Seconds a client must wait between polls: the `interval` sent (default 5). Tests may use 1. */
  readonly interval?: number;
  /**
   * Answer `slow_down` to a poll that comes sooner than `interval` seconds after the previous poll
   * of the same device code (the first poll: after the code was issued), and add 5 s to that device
   * code's interval, as RFC 8628 §3.5 says. Every such poll is answered so. Entra never sends
   * `slow_down` and msal-node treats it as fatal, so it is off by default (authority-wire-format §3.2).
   */
  readonly slowDown?: boolean;
}

/**
 * The one-time code the sign-in page accepts for multi-factor authentication (users with `mfa`).
 * The page shows it too: the emulator has no phones.
 */
export const MFA_CODE = "123456";

/**
 * The default tenant: Contoso (`contoso.onmicrosoft.com`, federated domain `contoso.example`).
 *
 * Apps: a daemon (secret; `Orders.Read.All` on `api://orders`, `User.Read.All` on Graph), a web app
 * (secret; redirect `http://localhost/auth/redirect`, any port), two public desktop apps in the family
 * of client ids (redirect `http://localhost`, any port), and the Orders API's own registration (secret),
 * which may call other APIs on behalf of its users.
 *
 * Users: Adele (password only), Megan (multi-factor: the code is {@link MFA_CODE}), Lee (must consent to
 * apps), and Alex on the federated domain (WS-Trust).
 */
export const defaultTenant = {
  /** The tenant id: the `{tenant}` of `https://{emulator}/{tenant}` and the `tid` of its tokens. */
  id: "7e57ab1e-0000-4c0d-8e5a-c0de70c0ffee",
  /** The tenant's name in error descriptions. */
  displayName: "Contoso",
  /** Its verified domain: an authority may name the tenant by it, and users sign in with it. */
  domains: ["contoso.onmicrosoft.com"],
  /** A domain whose users sign in through the emulator's WS-Trust endpoint (user realm `Federated`). */
  federatedDomains: ["contoso.example"],
  /** The app registrations, in this order: daemon, web app, desktop app, family app, Orders API. */
  apps: [
    {
      /** The daemon's client id, for the client credentials grant. */
      clientId: "d4e1c0de-0000-4a11-8c11-000000000001",
      /** Its name on the emulator's pages. */
      displayName: "Sample daemon",
      /** Its client secret. */
      secrets: ["sample-secret~emulator-only"],
      /** The application permissions granted to it, for `api://orders/.default` and Graph's `.default`. */
      appRoles: {
        /** Granted roles on the Orders API. */
        "api://orders": ["Orders.Read.All"],
        /** Granted roles on Microsoft Graph. */
        "https://graph.microsoft.com": ["User.Read.All"],
      },
    },
    {
      /** The web app's client id, for the auth code flow of a confidential client. */
      clientId: "d4e1c0de-0000-4a11-8c11-000000000002",
      /** Its name on the sign-in and consent pages. */
      displayName: "Sample web app",
      /** Its client secret. */
      secrets: ["web-secret~emulator-only"],
      /** The sign-in callback, and the home page to come back to after signing out (any port). */
      redirectUris: ["http://localhost/auth/redirect", "http://localhost/"],
    },
    {
      /** The desktop app's client id, for interactive, device code and username/password sign-ins. */
      clientId: "d4e1c0de-0000-4a11-8c11-000000000003",
      /** Its name on the sign-in, consent and device-login pages. */
      displayName: "Sample desktop app",
      /** A public client: it presents no credential. */
      publicClient: true,
      /** Any loopback port, as an interactive sign-in's listener picks one. */
      redirectUris: ["http://localhost"],
      /** In the family of client ids: its refresh tokens also serve the family app. */
      familyOfClientIds: true,
    },
    {
      /** The family app's client id: a second public client that can redeem the desktop app's family refresh tokens. */
      clientId: "d4e1c0de-0000-4a11-8c11-000000000004",
      /** Its name on the sign-in, consent and device-login pages. */
      displayName: "Sample family app",
      /** A public client: it presents no credential. */
      publicClient: true,
      /** Any loopback port, as an interactive sign-in's listener picks one. */
      redirectUris: ["http://localhost"],
      /** In the family of client ids, with the desktop app. */
      familyOfClientIds: true,
    },
    {
      /** The Orders API's own client id (its `appId`), for the on-behalf-of flow. */
      clientId: "0a0d3e45-0000-4b5c-9d00-0000000000a1",
      /** Its name in error descriptions. */
      displayName: "Orders API",
      /** Its client secret. */
      secrets: ["orders-api-secret~emulator-only"],
    },
  ],
  /** The web APIs besides Microsoft Graph. */
  apis: [
    {
      /** The Orders API's App ID URI: scopes are `api://orders/Orders.Read`, `api://orders/.default`, …. */
      identifier: "api://orders",
      /** The Orders API's app id: the `aud` of its tokens, and the client id it calls other APIs with. */
      appId: "0a0d3e45-0000-4b5c-9d00-0000000000a1",
      /** The application permissions it defines. */
      roles: ["Orders.Read.All", "Orders.ReadWrite.All"],
      /** The delegated permissions it defines. */
      scopes: ["Orders.Read", "Orders.ReadWrite"],
    },
  ],
  /** The users, in this order: Adele, Megan, Lee, Alex. */
  users: [
    {
      /** Adele signs in with her password alone. */
      username: "adele@contoso.onmicrosoft.com",
      /** Adele's password. */
      password: "adele-password~emulator",
      /** Her `name` claim. */
      displayName: "Adele Vance",
      /** Her `email` claim. */
      email: "adele@contoso.onmicrosoft.com",
    },
    {
      /** Megan needs a second factor. */
      username: "megan@contoso.onmicrosoft.com",
      /** Megan's password. */
      password: "megan-password~emulator",
      /** Her `name` claim. */
      displayName: "Megan Bowen",
      /** Multi-factor: the sign-in page asks for {@link MFA_CODE}; ROPC and refresh answer `basic_action`. */
      mfa: true,
    },
    {
      /** Lee has not consented to any app. */
      username: "lee@contoso.onmicrosoft.com",
      /** Lee's password. */
      password: "lee-password~emulator",
      /** His `name` claim. */
      displayName: "Lee Gu",
      /** The sign-in page asks for consent; ROPC answers `consent_required`. */
      consentRequired: true,
    },
    {
      /** Alex is on the federated domain: his password goes to the WS-Trust endpoint. */
      username: "alex@contoso.example",
      /** Alex's password. */
      password: "alex-password~emulator",
      /** His `name` claim. */
      displayName: "Alex Wilber",
    },
  ],
} as const satisfies TenantConfig;

/** Options after defaults, validated. */
export interface ResolvedOptions {
  readonly port: number;
  readonly hostnames: readonly string[];
  readonly regions: readonly string[];
  readonly tenants: readonly TenantConfig[];
  readonly tokenLifetime: number;
  readonly clock: () => number;
  readonly issuerHost: string | undefined;
  readonly logger: ((line: string) => void) | undefined;
  readonly refreshIn: number | undefined;
  readonly deviceCode: Required<DeviceCodeOptions>;
  readonly managedIdentity: ResolvedManagedIdentityOptions | undefined;
  readonly faults: readonly Fault[];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a GUID in the 8-4-4-4-12 form. */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

function fail(path: string, expected: string): never {
  throw new TypeError(`Emulator option ${path} must be ${expected}.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(obj: Record<string, unknown>, key: string, path: string): void {
  if (obj[key] !== undefined && (typeof obj[key] !== "string" || obj[key] === "")) fail(`${path}.${key}`, "a non-empty string");
}

function optionalStringArray(obj: Record<string, unknown>, key: string, path: string): void {
  const value = obj[key];
  if (value === undefined) return;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
    fail(`${path}.${key}`, "an array of non-empty strings");
  }
}

function validateApp(app: unknown, path: string): void {
  if (!isRecord(app)) fail(path, "an object");
  if (typeof app.clientId !== "string" || app.clientId === "") fail(`${path}.clientId`, "a non-empty string");
  optionalString(app, "displayName", path);
  optionalStringArray(app, "secrets", path);
  optionalStringArray(app, "certificates", path);
  if (app.trustedIssuers !== undefined) {
    if (!Array.isArray(app.trustedIssuers)) fail(`${path}.trustedIssuers`, "an array");
    app.trustedIssuers.forEach((t: unknown, i) => {
      if (!isRecord(t) || typeof t.issuerCertificate !== "string" || typeof t.subject !== "string" || t.subject === "") {
        fail(`${path}.trustedIssuers[${i}]`, "{ issuerCertificate: PEM string, subject: string }");
      }
    });
  }
  if (app.appRoles !== undefined) {
    if (!isRecord(app.appRoles)) fail(`${path}.appRoles`, "an object of API identifier → role names");
    for (const [api, roles] of Object.entries(app.appRoles)) {
      if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && r !== "")) {
        fail(`${path}.appRoles["${api}"]`, "an array of role names");
      }
    }
  }
  optionalBoolean(app, "publicClient", path);
  optionalStringArray(app, "redirectUris", path);
  optionalBoolean(app, "familyOfClientIds", path);
}

function optionalBoolean(obj: Record<string, unknown>, key: string, path: string): void {
  if (obj[key] !== undefined && typeof obj[key] !== "boolean") fail(`${path}.${key}`, "a boolean");
}

function validateUser(user: unknown, path: string): void {
  if (!isRecord(user)) fail(path, "an object");
  if (typeof user.username !== "string" || !/^[^@\s]+@[^@\s]+$/.test(user.username)) fail(`${path}.username`, "a user principal name (name@domain)");
  if (typeof user.password !== "string" || user.password === "") fail(`${path}.password`, "a non-empty string");
  optionalString(user, "displayName", path);
  optionalString(user, "email", path);
  if (user.objectId !== undefined && (typeof user.objectId !== "string" || !isGuid(user.objectId))) fail(`${path}.objectId`, "a GUID");
  optionalBoolean(user, "mfa", path);
  optionalBoolean(user, "consentRequired", path);
  optionalBoolean(user, "interactionRequired", path);
}

function validateTenant(tenant: unknown, path: string): void {
  if (!isRecord(tenant)) fail(path, "an object");
  if (typeof tenant.id !== "string" || !isGuid(tenant.id)) fail(`${path}.id`, "a GUID");
  optionalString(tenant, "displayName", path);
  optionalStringArray(tenant, "domains", path);
  if (tenant.apps !== undefined) {
    if (!Array.isArray(tenant.apps)) fail(`${path}.apps`, "an array");
    tenant.apps.forEach((a: unknown, i) => validateApp(a, `${path}.apps[${i}]`));
  }
  if (tenant.apis !== undefined) {
    if (!Array.isArray(tenant.apis)) fail(`${path}.apis`, "an array");
    tenant.apis.forEach((api: unknown, i) => {
      const p = `${path}.apis[${i}]`;
      if (!isRecord(api)) fail(p, "an object");
      if (typeof api.identifier !== "string" || api.identifier === "") fail(`${p}.identifier`, "a non-empty string");
      if (api.appId !== undefined && (typeof api.appId !== "string" || !isGuid(api.appId))) fail(`${p}.appId`, "a GUID");
      optionalStringArray(api, "roles", p);
      optionalStringArray(api, "scopes", p);
    });
  }
  if (tenant.users !== undefined) {
    if (!Array.isArray(tenant.users)) fail(`${path}.users`, "an array");
    tenant.users.forEach((u: unknown, i) => validateUser(u, `${path}.users[${i}]`));
  }
  optionalStringArray(tenant, "federatedDomains", path);
}

/**
 * Checks options read from JSON (the CLI's `--config` file).
 *
 * @throws TypeError naming the first offending option.
 */
export function assertEmulatorOptions(input: unknown): asserts input is EmulatorOptions {
  resolveOptions(input);
}

/**
 * Validates emulator options from code or a parsed JSON file and fills in defaults.
 *
 * @throws TypeError naming the first offending option.
 */
export function resolveOptions(options: unknown = {}): ResolvedOptions {
  if (!isRecord(options)) fail("(root)", "an object");
  const { port, hostnames, regions, tenants, tokenLifetime, clock, issuerHost, logger, refreshIn, deviceCode, managedIdentity, faults } = options;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535)) {
    fail("port", "an integer from 0 to 65535");
  }
  optionalStringArray(options, "hostnames", "");
  if (regions !== undefined && (!Array.isArray(regions) || !regions.every(isRegionName))) {
    fail("regions", "an array of lower-case Azure region names such as \"westus2\"");
  }
  if (tenants !== undefined) {
    if (!Array.isArray(tenants) || tenants.length === 0) fail("tenants", "a non-empty array");
    tenants.forEach((t: unknown, i) => validateTenant(t, `tenants[${i}]`));
  }
  if (tokenLifetime !== undefined && (typeof tokenLifetime !== "number" || !Number.isInteger(tokenLifetime) || tokenLifetime <= 0)) {
    fail("tokenLifetime", "a positive integer (seconds)");
  }
  if (clock !== undefined && typeof clock !== "function") fail("clock", "a function returning epoch seconds");
  if (issuerHost !== undefined && (typeof issuerHost !== "string" || !/^[A-Za-z0-9.\-[\]:]+$/.test(issuerHost))) {
    fail("issuerHost", "a host[:port] string");
  }
  if (logger !== undefined && typeof logger !== "function") fail("logger", "a function");
  if (refreshIn !== undefined && (typeof refreshIn !== "number" || !Number.isInteger(refreshIn) || refreshIn <= 0)) {
    fail("refreshIn", "a positive integer (seconds)");
  }
  let device: Record<string, unknown> = {};
  if (deviceCode !== undefined) {
    if (!isRecord(deviceCode)) fail("deviceCode", "an object");
    device = deviceCode;
  }
  for (const key of ["expiresIn", "interval"]) {
    const value = device[key];
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value <= 0)) {
      fail(`deviceCode.${key}`, "a positive integer (seconds)");
    }
  }
  optionalBoolean(device, "slowDown", "deviceCode");
  const resolvedManagedIdentity = resolveManagedIdentityOptions(managedIdentity);
  if (faults !== undefined && !Array.isArray(faults)) fail("faults", "an array of faults");
  const resolvedFaults = ((faults as unknown[] | undefined) ?? []).map((f, i) => checkFault(f, `Emulator option faults[${i}]`));
  return {
    port: (port as number | undefined) ?? 0,
    hostnames: (hostnames as readonly string[] | undefined) ?? [],
    regions: [...new Set([...((regions as readonly string[] | undefined) ?? []), ...(resolvedManagedIdentity?.region ? [resolvedManagedIdentity.region] : [])])],
    tenants: (tenants as readonly TenantConfig[] | undefined) ?? [defaultTenant],
    tokenLifetime: (tokenLifetime as number | undefined) ?? 3599,
    clock: (clock as (() => number) | undefined) ?? (() => Date.now() / 1000),
    issuerHost: issuerHost as string | undefined,
    logger: logger as ((line: string) => void) | undefined,
    refreshIn: refreshIn as number | undefined,
    deviceCode: {
      expiresIn: (device.expiresIn as number | undefined) ?? 900,
      interval: (device.interval as number | undefined) ?? 5,
      slowDown: (device.slowDown as boolean | undefined) ?? false,
    },
    managedIdentity: resolvedManagedIdentity,
    faults: resolvedFaults,
  };
}
