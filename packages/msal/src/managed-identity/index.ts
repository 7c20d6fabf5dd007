/**
 * Managed identity: what the rest of msal-ts may use from this folder.
 *
 * @module
 */

export { ManagedIdentityClient, MANAGED_IDENTITY_REALM, SYSTEM_ASSIGNED_CLIENT_ID } from "./managed-identity-client.js";
export type {
  AcquireTokenForManagedIdentityOptions,
  ManagedIdentityClientOptions,
  ManagedIdentityResult,
  ManagedIdentityTokenResult,
} from "./managed-identity-client.js";
export {
  ManagedIdentityIdType,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  normalizeManagedIdentity,
} from "./managed-identity.js";
export type { ManagedIdentity, UserAssignedIdType, UserAssignedManagedIdentityId } from "./managed-identity.js";
export { ManagedIdentitySource, getManagedIdentitySource, locateSource } from "./sources.js";
export type { GetManagedIdentitySourceOptions, HostProbe, ManagedIdentityEnvironment, SourceLocation } from "./sources.js";
