export { ClientApplication } from "./client-application.js";
export { ConfidentialClientApplication } from "./confidential-client-application.js";
export { PublicClientApplication } from "./public-client-application.js";
export { ApiId, CacheRefreshReason } from "./telemetry.js";
export type { Account, GetAccountsOptions } from "./accounts.js";
export type {
  AcquireTokenForClientOptions,
  ClientApplicationOptions,
  ConfidentialClientApplicationOptions,
  Logger,
} from "./options.js";
