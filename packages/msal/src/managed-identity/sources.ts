/**
 * Where a managed identity's tokens come from on this host, told by its environment variables.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ManagedIdentityError } from "../errors.js";

/** The token sources of managed identity, one per kind of Azure host. */
export const ManagedIdentitySource = {
  /** Service Fabric's managed identity token service (HTTPS, pinned server certificate). */
  SERVICE_FABRIC: "service-fabric",
  /** App Service, Azure Functions, Container Apps and Azure Automation. */
  APP_SERVICE: "app-service",
  /** Azure Machine Learning compute. */
  MACHINE_LEARNING: "azure-ml",
  /** Azure Arc-enabled servers (the local agent's challenge with a key file). */
  AZURE_ARC: "azure-arc",
  /** Azure Cloud Shell: the signed-in user's tokens. */
  CLOUD_SHELL: "cloud-shell",
  /** The Instance Metadata Service of Azure VMs and scale sets: the default. */
  IMDS: "imds",
} as const;
export type ManagedIdentitySource = (typeof ManagedIdentitySource)[keyof typeof ManagedIdentitySource];

/** The environment variables a process sees, e.g. `process.env`. */
export type ManagedIdentityEnvironment = Readonly<Record<string, string | undefined>>;

/** A source, with what the environment says about reaching it. */
export type SourceLocation =
  | { readonly source: "service-fabric"; readonly endpoint: URL; readonly secret: string; readonly thumbprint: string }
  | { readonly source: "app-service"; readonly endpoint: URL; readonly secret: string }
  | { readonly source: "azure-ml"; readonly endpoint: URL; readonly secret: string }
  | { readonly source: "azure-arc"; readonly endpoint: URL }
  | { readonly source: "cloud-shell"; readonly endpoint: URL }
  | { readonly source: "imds"; readonly endpoint: URL };

/** What detection may learn from the machine besides the environment: whether the Arc agent is installed. */
export interface HostProbe {
  /** `process.platform`. */
  readonly platform: NodeJS.Platform;
  /** Whether a file exists. */
  readonly exists: (path: string) => boolean;
}

/** The machine this process runs on. */
export const LOCAL_HOST: HostProbe = { platform: process.platform, exists: existsSync };

/** Where the Arc agent listens (msal-node's choice of 127.0.0.1 over `localhost` avoids an IPv6 detour). */
export const ARC_DEFAULT_ENDPOINT = "http://127.0.0.1:40342/metadata/identity/oauth2/token";
/** Where Cloud Shell's token endpoint listens when `MSI_ENDPOINT` is not set. */
export const CLOUD_SHELL_DEFAULT_ENDPOINT = "http://localhost:50342/oauth2/token";
/** The Instance Metadata Service's token endpoint. */
export const IMDS_DEFAULT_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token";
const IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token";

/**
 * A variable's value, with an empty one counting as unset: a variable exported empty is meant to
 * be off. (MSAL Python tests presence, so it would take `IDENTITY_SERVER_THUMBPRINT=` as Service
 * Fabric.)
 */
function read(env: ManagedIdentityEnvironment, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function endpointUrl(value: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ManagedIdentityError(`${variable} is not an absolute URL, so the managed identity endpoint cannot be reached.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ManagedIdentityError(`${variable} must be an http:// or https:// URL; got ${url.protocol}//${url.host}.`);
  }
  return url;
}

/** Whether the Azure Connected Machine agent (himds) is installed here. */
function arcAgentInstalled(env: ManagedIdentityEnvironment, probe: HostProbe): boolean {
  if (probe.platform === "linux") {
    // MSAL Python 1.31 looked under /var/opt, msal-node and later Pythons under /opt, where the agent installs.
    return probe.exists("/opt/azcmagent/bin/himds") || probe.exists("/var/opt/azcmagent/bin/himds");
  }
  if (probe.platform === "win32") {
    const programFiles = read(env, "ProgramFiles") ?? read(env, "PROGRAMFILES");
    return programFiles !== undefined && probe.exists(join(programFiles, "AzureConnectedMachineAgent", "himds.exe"));
  }
  return false;
}

/**
 * Tells the source from the environment, first match winning, in MSAL's order:
 *
 * 1. Service Fabric: `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` and `IDENTITY_SERVER_THUMBPRINT`.
 * 2. App Service: `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`.
 * 3. Azure Machine Learning: `MSI_ENDPOINT` and `MSI_SECRET`.
 * 4. Azure Arc: `IDENTITY_ENDPOINT` and `IMDS_ENDPOINT`, or the Arc agent installed on this machine.
 * 5. Cloud Shell: `MSI_ENDPOINT` alone, or `AZUREPS_HOST_ENVIRONMENT` starting with `cloud-shell`.
 * 6. Otherwise IMDS, at `MSAL_MANAGED_IDENTITY_ENDPOINT` when set, else at
 *    `AZURE_POD_IDENTITY_AUTHORITY_HOST` + `/metadata/identity/oauth2/token`, else at 169.254.169.254.
 *
 * @param env - The environment variables.
 * @param probe - The platform and a file check (for the Arc agent).
 * @returns The source and its endpoint (and secret, thumbprint where the source has them).
 * @throws {@link ManagedIdentityError} when a variable that selects the source holds no usable URL,
 *   or Service Fabric's thumbprint is not a SHA-1 thumbprint.
 */
export function locateSource(env: ManagedIdentityEnvironment, probe: HostProbe = LOCAL_HOST): SourceLocation {
  const identityEndpoint = read(env, "IDENTITY_ENDPOINT");
  const identityHeader = read(env, "IDENTITY_HEADER");
  const thumbprint = read(env, "IDENTITY_SERVER_THUMBPRINT");
  if (identityEndpoint && identityHeader && thumbprint) {
    const normalized = thumbprint.replace(/[\s:]/g, "").toUpperCase();
    if (!/^[0-9A-F]{40}$/.test(normalized)) {
      throw new ManagedIdentityError(
        "IDENTITY_SERVER_THUMBPRINT must be the SHA-1 thumbprint of Service Fabric's server certificate: 40 hexadecimal digits.",
      );
    }
    return {
      source: "service-fabric",
      endpoint: endpointUrl(identityEndpoint, "IDENTITY_ENDPOINT"),
      secret: identityHeader,
      thumbprint: normalized,
    };
  }
  if (identityEndpoint && identityHeader) {
    return { source: "app-service", endpoint: endpointUrl(identityEndpoint, "IDENTITY_ENDPOINT"), secret: identityHeader };
  }
  const msiEndpoint = read(env, "MSI_ENDPOINT");
  const msiSecret = read(env, "MSI_SECRET");
  if (msiEndpoint && msiSecret) {
    return { source: "azure-ml", endpoint: endpointUrl(msiEndpoint, "MSI_ENDPOINT"), secret: msiSecret };
  }
  if (identityEndpoint && read(env, "IMDS_ENDPOINT")) {
    return { source: "azure-arc", endpoint: endpointUrl(identityEndpoint, "IDENTITY_ENDPOINT") };
  }
  if (arcAgentInstalled(env, probe)) return { source: "azure-arc", endpoint: new URL(ARC_DEFAULT_ENDPOINT) };
  if (msiEndpoint) return { source: "cloud-shell", endpoint: endpointUrl(msiEndpoint, "MSI_ENDPOINT") };
  if (read(env, "AZUREPS_HOST_ENVIRONMENT")?.toLowerCase().startsWith("cloud-shell")) {
    return { source: "cloud-shell", endpoint: new URL(CLOUD_SHELL_DEFAULT_ENDPOINT) };
  }
  const custom = read(env, "MSAL_MANAGED_IDENTITY_ENDPOINT");
  if (custom) return { source: "imds", endpoint: endpointUrl(custom, "MSAL_MANAGED_IDENTITY_ENDPOINT") };
  const podIdentity = read(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST");
  if (podIdentity) {
    return {
      source: "imds",
      endpoint: endpointUrl(podIdentity.replace(/\/+$/, "") + IMDS_TOKEN_PATH, "AZURE_POD_IDENTITY_AUTHORITY_HOST"),
    };
  }
  return { source: "imds", endpoint: new URL(IMDS_DEFAULT_ENDPOINT) };
}

/** Options of {@link getManagedIdentitySource}. */
export interface GetManagedIdentitySourceOptions {
  /** The environment variables to read; default `process.env`. */
  readonly environment?: ManagedIdentityEnvironment;
}

/**
 * Tells which managed identity source a {@link ManagedIdentityClient} would use here, from the
 * environment (and, for Azure Arc, whether its agent is installed). Nothing is sent anywhere.
 *
 * `"imds"` is also the answer on a machine that is not in Azure at all: IMDS is the fallback.
 *
 * @param options - The environment to read instead of `process.env`.
 * @returns One of {@link ManagedIdentitySource}'s values.
 * @throws {@link ManagedIdentityError} when a variable that selects a source is malformed.
 * @example
 * ```ts
 * if (getManagedIdentitySource() === ManagedIdentitySource.CLOUD_SHELL) {
 *   // tokens here are the signed-in user's, not an app's
 * }
 * ```
 */
export function getManagedIdentitySource(options: GetManagedIdentitySourceOptions = {}): ManagedIdentitySource {
  return locateSource(options.environment ?? process.env).source;
}
