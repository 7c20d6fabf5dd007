import type { Api, App, Directory, Tenant, User } from "../directory.js";
import { stableGuid } from "../directory.js";
import type { ResolvedManagedIdentityOptions, SystemAssignedIdentityConfig } from "./options.js";

// The identities of the emulated Azure host: one system-assigned, any number of user-assigned, each a
// service principal in one tenant that tokens are issued to.

/** What a test may want to know about an identity, e.g. to build a `UserAssignedManagedIdentity`. */
export interface ManagedIdentityInfo {
  /** Whether it is the host's system-assigned identity or one of its user-assigned identities. */
  readonly kind: "system-assigned" | "user-assigned";
  /** Client (application) id of its service principal (`appid` in its tokens). */
  readonly clientId: string;
  /** Object (principal) id of its service principal (`oid` and `sub` in its tokens). */
  readonly objectId: string;
  /** Azure resource id (`xms_mirid` in its tokens). */
  readonly resourceId: string;
  /** Its name, as configured or defaulted (`emulated-host`, `identity-{n}`). */
  readonly displayName: string;
}

/** An identity with what token issuance needs. */
export interface HostIdentity extends ManagedIdentityInfo {
  /** The identity as the token code sees a service principal. */
  readonly app: App;
}

/** The resolved identities of the host. */
export interface HostIdentities {
  readonly tenant: Tenant;
  readonly systemAssigned: HostIdentity;
  readonly userAssigned: readonly HostIdentity[];
  /** Cloud Shell's signed-in user, when the tenant has users. */
  readonly cloudShellUser: User | undefined;
  /** Finds a user-assigned identity by an id of the given kind (case-insensitive). */
  find(kind: "clientId" | "objectId" | "resourceId", value: string): HostIdentity | undefined;
}

/** The subscription and resource group placeholders of default resource ids. */
const SUBSCRIPTION = "00000000-0000-0000-0000-00000000e40a";
const RESOURCE_GROUP = "msal-ts-emulator";

function roleGrants(tenant: Tenant, config: SystemAssignedIdentityConfig, where: string): Map<Api, readonly string[]> {
  const grants = new Map<Api, readonly string[]>();
  for (const [resource, roles] of Object.entries(config.appRoles ?? {})) {
    const api = tenant.findApi(resource);
    if (!api) throw new TypeError(`${where}.appRoles names "${resource}", which is not an API of tenant ${tenant.id}.`);
    const undefinedRole = api.roles && roles.find((r) => !api.roles?.includes(r));
    if (undefinedRole) throw new TypeError(`${where}.appRoles grants "${undefinedRole}", which API "${api.identifier}" does not define.`);
    grants.set(api, [...(grants.get(api) ?? []), ...roles]);
  }
  return grants;
}

function asServicePrincipal(info: ManagedIdentityInfo, grants: Map<Api, readonly string[]>): App {
  return {
    clientId: info.clientId,
    displayName: info.displayName,
    secrets: [],
    certificates: [],
    trustedIssuers: [],
    publicClient: false,
    servicePrincipalId: info.objectId,
    redirectUris: [],
    familyOfClientIds: false,
    rolesOn: (api) => grants.get(api) ?? [],
  };
}

/**
 * Resolves the configured identities in the directory.
 *
 * @throws TypeError for an unknown tenant or Cloud Shell user, a role grant on an unknown API or role,
 *   or an id used by two identities.
 */
export function resolveHostIdentities(directory: Directory, options: ResolvedManagedIdentityOptions): HostIdentities {
  const tenant = options.tenant === undefined ? directory.defaultTenant : directory.findTenant(options.tenant);
  if (!tenant) throw new TypeError(`Emulator option managedIdentity.tenant "${options.tenant}" names no tenant of the emulator.`);
  const sys = options.systemAssigned;
  const systemInfo: ManagedIdentityInfo = {
    kind: "system-assigned",
    clientId: (sys.clientId ?? stableGuid(`managed-identity:system:client:${tenant.id}`)).toLowerCase(),
    objectId: (sys.objectId ?? stableGuid(`managed-identity:system:object:${tenant.id}`)).toLowerCase(),
    resourceId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/emulated-host`,
    displayName: sys.displayName ?? "emulated-host",
  };
  const systemAssigned = { ...systemInfo, app: asServicePrincipal(systemInfo, roleGrants(tenant, sys, "managedIdentity.systemAssigned")) };

  const seen = new Set([systemInfo.clientId, systemInfo.objectId]);
  const userAssigned = options.identities.map((config, i): HostIdentity => {
    const where = `managedIdentity.identities[${i}]`;
    const name = config.displayName ?? `identity-${i + 1}`;
    const info: ManagedIdentityInfo = {
      kind: "user-assigned",
      clientId: config.clientId.toLowerCase(),
      objectId: (config.objectId ?? stableGuid(`managed-identity:user:object:${tenant.id}:${config.clientId.toLowerCase()}`)).toLowerCase(),
      resourceId:
        config.resourceId ??
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
      displayName: name,
    };
    for (const id of [info.clientId, info.objectId, info.resourceId.toLowerCase()]) {
      if (seen.has(id)) throw new TypeError(`${where} reuses the id "${id}" of another identity.`);
      seen.add(id);
    }
    return { ...info, app: asServicePrincipal(info, roleGrants(tenant, config, where)) };
  });

  let cloudShellUser: User | undefined = tenant.users[0];
  if (options.cloudShellUser !== undefined) {
    cloudShellUser = tenant.findUser(options.cloudShellUser);
    if (!cloudShellUser) throw new TypeError(`Emulator option managedIdentity.cloudShellUser "${options.cloudShellUser}" is not a user of tenant ${tenant.id}.`);
  }

  return {
    tenant,
    systemAssigned,
    userAssigned,
    cloudShellUser,
    find: (kind, value) => {
      const wanted = value.toLowerCase();
      return userAssigned.find((identity) => identity[kind].toLowerCase() === wanted);
    },
  };
}
