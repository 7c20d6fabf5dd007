// @msal-ts/emulator: a local, offline Microsoft identity platform (Entra ID) authority over HTTPS.

// The emulator
export { createEmulator } from "./server.js";
export type { Emulator } from "./server.js";
export type { RecordedRequest, TokenRequestFilter } from "./request-log.js";
export type { SecretKind, SeenSecret } from "./secrets-seen.js";
export type { TokenRequestFailure } from "./token-request-failures.js";

// Configuration
export { MFA_CODE, defaultTenant } from "./config.js";
export type { ApiConfig, AppConfig, DeviceCodeOptions, EmulatorOptions, TenantConfig, TrustedIssuerConfig, UserConfig } from "./config.js";

// Signing in without a browser (tests of the auth code flow)
export { SignInError, signInWithForm } from "./sign-in/form-client.js";
export type { FetchLike, SignInOptions, SignInResult } from "./sign-in/form-client.js";

// Approving a device code without a browser (tests of the device code flow)
export { completeDeviceLogin } from "./sign-in/device-login-client.js";
export type { DeviceLoginOptions, DeviceLoginOutcome } from "./sign-in/device-login-client.js";

// The protected demo API
export { PROTECTED_API_PATH } from "./endpoints/protected-api.js";
// The PoP-protected demo API
export { POP_API_PATH, POP_MAX_SKEW, POP_NONCE_PATH } from "./endpoints/pop-api.js";

// Fault injection (emulator.faults, the faults option, --fault specs)
export { FAULT_ENDPOINTS, FAULT_KINDS, FOREIGN_TENANT_ID, faultSpecHelp, formatFaultSpec, parseFaultSpec } from "./faults/index.js";
export type { EmulatorFaults, Fault, FaultEndpoint, FaultHandle, FaultKind } from "./faults/index.js";

// Running it as a program (the msal-ts-emulator and msal-ts emulator commands)
export { standaloneEmulatorArgs, standaloneEmulatorHelp, standaloneFaultHelp, startStandaloneEmulator } from "./standalone.js";
export type { StandaloneEmulator, StandaloneEmulatorSettings } from "./standalone.js";

// Managed identity endpoints (the managedIdentity option; emulator.managedIdentity)
export { MANAGED_IDENTITY_SOURCES } from "./managed-identity/options.js";
export type {
  ManagedIdentityOptions,
  ManagedIdentitySourceName,
  SystemAssignedIdentityConfig,
  UserAssignedIdentityConfig,
} from "./managed-identity/options.js";
export type {
  ManagedIdentityEnvironmentVariables,
  ManagedIdentityFault,
  ManagedIdentityHost,
  ManagedIdentityRequest,
} from "./managed-identity/host.js";
export type { ManagedIdentityInfo } from "./managed-identity/identities.js";

// Test certificates for certificate credentials
export { createCertificateAuthority, createTestCertificate } from "./certificates.js";
export type { CertificateAuthority, TestCertificate, TestCertificateOptions } from "./certificates.js";

// Not exported: the router, handlers and directory model are internal; endpoints are added in src/routes.ts.
