// The managed identity options of the emulator: which identities the emulated Azure host has, how
// long their tokens live, and where Azure Arc's challenge files go. Validated like the rest of
// EmulatorOptions (JSON config files bypass the types).

import { isRegionName } from "../regions.js";

/** The managed identity sources the emulator serves, by the names `@msal-ts/msal` uses. */
export type ManagedIdentitySourceName = "imds" | "app-service" | "azure-ml" | "azure-arc" | "cloud-shell" | "service-fabric";

/** Every source, in MSAL's detection order. */
export const MANAGED_IDENTITY_SOURCES: readonly ManagedIdentitySourceName[] = [
  "service-fabric",
  "app-service",
  "azure-ml",
  "azure-arc",
  "cloud-shell",
  "imds",
];

/** The host's system-assigned identity (its ids default to stable GUIDs derived from the tenant). */
export interface SystemAssignedIdentityConfig {
  /** Client (application) id of the identity's service principal. */
  readonly clientId?: string;
  /** Object (principal) id of the identity's service principal. */
  readonly objectId?: string;
  /**
   * The identity's name, as its service principal's display name (default `emulated-host` for the
   * system-assigned identity, `identity-{n}` for the n-th user-assigned one). A user-assigned
   * identity's default `resourceId` ends with it.
   */
  readonly displayName?: string;
  /** Application permissions granted to the identity, keyed by API identifier (as `AppConfig.appRoles`). */
  readonly appRoles?: Readonly<Record<string, readonly string[]>>;
}

/** A user-assigned identity attached to the emulated host. */
export interface UserAssignedIdentityConfig extends SystemAssignedIdentityConfig {
  /** Client (application) id of the identity's service principal (required: it is how most callers name it). */
  readonly clientId: string;
  /**
   * Azure resource id, `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}`;
   * by default one under a placeholder subscription, named after `displayName` (or the client id).
   */
  readonly resourceId?: string;
}

/**
 * Managed identity endpoints: given (even as `{}`), the emulator also listens on a loopback HTTP port
 * for IMDS, App Service, Azure Machine Learning, Azure Arc and Cloud Shell, and on a loopback HTTPS
 * port with its own self-signed certificate for Service Fabric. `emulator.managedIdentity` then gives
 * their URLs, secrets and the environment variables that point a source at them.
 */
export interface ManagedIdentityOptions {
  /** The tenant (GUID or domain) the identities belong to; default the first tenant. */
  readonly tenant?: string;
  /** The host's system-assigned identity. */
  readonly systemAssigned?: SystemAssignedIdentityConfig;
  /** User-assigned identities attached to the host. */
  readonly identities?: readonly UserAssignedIdentityConfig[];
  /**
   * Lifetime of managed identity tokens, seconds. Default 86399: Azure's managed identity tokens
   * live about a day, which is also what makes MSALs schedule a refresh at half-life.
   */
  readonly tokenLifetime?: number;
  /**
   * The directory the Azure Arc endpoint writes its challenge key files to (a client must be given
   * the same directory). Default: a new directory under the system's temp directory, removed when
   * the emulator closes.
   */
  readonly arcKeyDirectory?: string;
  /** The user Cloud Shell is signed in as (a username of the tenant); default its first user. */
  readonly cloudShellUser?: string;
  /**
   * The Azure region the emulated host runs in, e.g. `"westus2"`: what IMDS's
   * `/metadata/instance/compute/location` answers (the region MSALs detect for ESTS-R). The emulator
   * then also serves that region's regional endpoints (see `EmulatorOptions.regions`). Without it,
   * the location endpoint answers 404.
   */
  readonly region?: string;
}

/** Options after defaults. */
export interface ResolvedManagedIdentityOptions {
  readonly tenant: string | undefined;
  readonly systemAssigned: SystemAssignedIdentityConfig;
  readonly identities: readonly UserAssignedIdentityConfig[];
  readonly tokenLifetime: number;
  readonly arcKeyDirectory: string | undefined;
  readonly cloudShellUser: string | undefined;
  readonly region: string | undefined;
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

function validateIdentity(value: unknown, path: string, userAssigned: boolean): void {
  if (!isRecord(value)) fail(path, "an object");
  if (userAssigned && (typeof value.clientId !== "string" || value.clientId === "")) fail(`${path}.clientId`, "a non-empty string");
  for (const key of ["clientId", "objectId", "displayName", ...(userAssigned ? ["resourceId"] : [])]) optionalString(value, key, path);
  if (value.appRoles !== undefined) {
    if (!isRecord(value.appRoles)) fail(`${path}.appRoles`, "an object of API identifier → role names");
    for (const [api, roles] of Object.entries(value.appRoles)) {
      if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && r !== "")) fail(`${path}.appRoles["${api}"]`, "an array of role names");
    }
  }
}

/**
 * Validates `managedIdentity` options and fills in defaults.
 *
 * @throws TypeError naming the first offending option.
 */
export function resolveManagedIdentityOptions(value: unknown): ResolvedManagedIdentityOptions | undefined {
  if (value === undefined) return undefined;
  const path = "managedIdentity";
  if (!isRecord(value)) fail(path, "an object");
  optionalString(value, "tenant", path);
  optionalString(value, "arcKeyDirectory", path);
  optionalString(value, "cloudShellUser", path);
  if (value.region !== undefined && !isRegionName(value.region)) fail(`${path}.region`, "a lower-case Azure region name such as \"westus2\"");
  if (value.systemAssigned !== undefined) validateIdentity(value.systemAssigned, `${path}.systemAssigned`, false);
  if (value.identities !== undefined) {
    if (!Array.isArray(value.identities)) fail(`${path}.identities`, "an array");
    value.identities.forEach((identity: unknown, i) => validateIdentity(identity, `${path}.identities[${i}]`, true));
  }
  const lifetime = value.tokenLifetime;
  if (lifetime !== undefined && (typeof lifetime !== "number" || !Number.isInteger(lifetime) || lifetime <= 0)) {
    fail(`${path}.tokenLifetime`, "a positive integer (seconds)");
  }
  return {
    tenant: value.tenant as string | undefined,
    systemAssigned: (value.systemAssigned as SystemAssignedIdentityConfig | undefined) ?? {},
    identities: (value.identities as readonly UserAssignedIdentityConfig[] | undefined) ?? [],
    tokenLifetime: (lifetime as number | undefined) ?? 86399,
    arcKeyDirectory: value.arcKeyDirectory as string | undefined,
    cloudShellUser: value.cloudShellUser as string | undefined,
    region: value.region as string | undefined,
  };
}
