/**
 * msal-ts: the Microsoft Authentication Library for Node.js.
 *
 * This file is the whole public surface: every name exported here is a promise; nothing else is.
 *
 * @module
 */

// Applications
export { ClientApplication, ConfidentialClientApplication, PublicClientApplication } from "./application/index.js";
// Proof-of-possession tokens
export { PopAuthScheme } from "./application/index.js";
export type { PopAuthSchemeOptions, PopHttpMethod } from "./application/index.js";
export type { PopKeyInput } from "./protocol/index.js";
export { userAssertionHash } from "./application/on-behalf-of.js";
export type {
  Account,
  AcquireTokenByAuthCodeFlowOptions,
  AcquireTokenByAuthorizationCodeOptions,
  AcquireTokenByDeviceFlowOptions,
  AcquireTokenByRefreshTokenOptions,
  AcquireTokenByUsernamePasswordOptions,
  AcquireTokenForClientOptions,
  AcquireTokenInteractiveOptions,
  AcquireTokenOnBehalfOfOptions,
  AcquireTokenSilentOptions,
  ClientApplicationOptions,
  ConfidentialClientApplicationOptions,
  GetAccountsOptions,
  GetAuthorizationRequestUrlOptions,
  InitiateAuthCodeFlowOptions,
  InitiateDeviceFlowOptions,
  Logger,
  PromptValue,
} from "./application/index.js";

// Results and wire shapes
export { TokenSource } from "./protocol/wire.js";
export type { AuthCodeFlow, AuthResponse, DeviceFlow, IdTokenClaims } from "./protocol/index.js";
export type {
  AuthenticationResult,
  ErrorResponse,
  ErrorResult,
  TokenEndpointResponse,
  TokenResult,
} from "./protocol/wire.js";

// Client credentials
export type {
  AssertionCredential,
  CertificateCredential,
  ClientCredential,
  Pkcs12Credential,
} from "./protocol/client-credential.js";

// Token cache
export { AuthorityType, CredentialType, SerializableTokenCache, TokenCache } from "./cache/index.js";
export type {
  AccessTokenEntry,
  AccessTokenLookupOptions,
  AccessTokenQuery,
  AccountEntry,
  AccountIdentity,
  AppMetadataEntry,
  CacheEntry,
  CacheEntryBySection,
  CacheableTokenResponse,
  IdTokenEntry,
  IdTokenQuery,
  RefreshTokenEntry,
  RefreshTokenQuery,
  SectionCounts,
  TokenCacheEvent,
  UserAssertionAccessTokenQuery,
} from "./cache/index.js";

// HTTP
export type { HttpCache, HttpCacheRecord, HttpClient, HttpRequestInit } from "./http/index.js";

// Persistence: caches in files shared by processes
export { FilePersistedHttpCache, FilePersistedTokenCache } from "./persistence/index.js";
export type { FilePersistedHttpCacheOptions, FilePersistenceOptions } from "./persistence/index.js";

// Managed identity
export {
  ManagedIdentityClient,
  ManagedIdentityIdType,
  ManagedIdentitySource,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  getManagedIdentitySource,
} from "./managed-identity/index.js";
export type {
  AcquireTokenForManagedIdentityOptions,
  GetManagedIdentitySourceOptions,
  ManagedIdentity,
  ManagedIdentityClientOptions,
  ManagedIdentityEnvironment,
  ManagedIdentityResult,
  ManagedIdentityTokenResult,
  UserAssignedIdType,
  UserAssignedManagedIdentityId,
} from "./managed-identity/index.js";

// Errors
export {
  ArcPlatformNotSupportedError,
  BrowserInteractionTimeoutError,
  IdTokenError,
  ManagedIdentityError,
  MsalError,
  NetworkError,
  isMsalError,
} from "./errors.js";
export type { CodedTypeError, MsalErrorCode } from "./errors.js";
