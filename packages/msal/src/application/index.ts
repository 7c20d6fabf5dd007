export { ClientApplication } from "./client-application.js";
export { ConfidentialClientApplication } from "./confidential-client-application.js";
export { PublicClientApplication } from "./public-client-application.js";
export { ApiId, CacheRefreshReason } from "./telemetry.js";
export { PopAuthScheme } from "./pop-auth-scheme.js";
export type { PopAuthSchemeOptions, PopHttpMethod } from "./pop-auth-scheme.js";
export type { Account, GetAccountsOptions } from "./accounts.js";
export type {
  AcquireTokenForClientOptions,
  ClientApplicationOptions,
  ConfidentialClientApplicationOptions,
  Logger,
} from "./options.js";
export type {
  AcquireTokenByAuthCodeFlowOptions,
  AcquireTokenByAuthorizationCodeOptions,
  GetAuthorizationRequestUrlOptions,
  InitiateAuthCodeFlowOptions,
  PromptValue,
} from "./auth-code.js";
export type { AcquireTokenSilentOptions } from "./silent.js";
export type { AcquireTokenByRefreshTokenOptions } from "./refresh.js";
export type { AcquireTokenByUsernamePasswordOptions } from "./username-password.js";
export type { AcquireTokenOnBehalfOfOptions } from "./on-behalf-of.js";
export type { AcquireTokenInteractiveOptions } from "./interactive.js";
export type { AcquireTokenByDeviceFlowOptions, InitiateDeviceFlowOptions } from "./device-flow.js";
// Shared with the managed identity client: the cache-hit margin and the shape of a cache hit.
export { EXPIRY_MARGIN } from "./client-credentials.js";
export { resultFromCache } from "./results.js";
export { SingleFlight, flightKey } from "./single-flight.js";
