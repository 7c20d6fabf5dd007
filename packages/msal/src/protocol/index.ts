/**
 * The OAuth 2.0 / OpenID Connect wire work: what the rest of msal-ts may use from this folder.
 * Stateless functions only; nothing here knows the cache, accounts or telemetry.
 *
 * @module
 */

// Token endpoint
export { postTokenRequest } from "./token-request.js";
export type { TokenOutcome } from "./token-request.js";
export { TokenSource } from "./wire.js";
export type { AuthenticationResult, ErrorResponse, ErrorResult, TokenEndpointResponse, TokenResult } from "./wire.js";
export { classifyError } from "./classification.js";

// Claims requests
export { mergeClaims } from "./claims.js";

// Client authentication
export { createClientAuth, JWT_BEARER_ASSERTION_TYPE, signClientAssertion } from "./client-assertion.js";
export type { ClientAuthParams } from "./client-assertion.js";
export { normalizeClientCredential, pemCertificatesToX5c } from "./client-credential.js";
export type {
  AssertionCredential,
  CertificateCredential,
  ClientCredential,
  NormalizedCredential,
  Pkcs12Credential,
} from "./client-credential.js";

// Authorization code flow
export {
  buildAuthorizationRequestUrl,
  createAuthCodeFlow,
  parseAuthCodeResponse,
  PROMPT_VALUES,
  RESPONSE_MODES,
} from "./auth-code-flow.js";
export type {
  AuthCodeFlow,
  AuthCodeResponseOutcome,
  AuthorizationCodeGrant,
  AuthorizationError,
  AuthorizationRequestOptions,
  AuthResponse,
  BuildAuthorizationRequestUrlOptions,
  CreateAuthCodeFlowOptions,
  PromptValue,
  ResponseMode,
} from "./auth-code-flow.js";
export { createPkce, pkceChallenge } from "./pkce.js";
export type { Pkce } from "./pkce.js";
export { hashNonce, randomNonce, randomState } from "./random.js";

// ID tokens and client_info
export { decodeIdToken, validateIdTokenClaims } from "./id-token.js";
export type { IdTokenClaims, IdTokenExpectations } from "./id-token.js";
export { decodeClientInfo, homeAccountIdFromClientInfo, parseClientInfo } from "./client-info.js";
export type { ClientInfo } from "./client-info.js";

// Device code flow
export {
  DEFAULT_DEVICE_FLOW_EXPIRES_IN,
  DEFAULT_DEVICE_FLOW_INTERVAL,
  DEVICE_CODE_GRANT_TYPE,
  requestDeviceFlow,
} from "./device-code.js";
export type { DeviceFlow, DeviceFlowOutcome, DeviceFlowRequest } from "./device-code.js";

// Username and password: user realm discovery, and WS-Trust for federated users
export { discoverUserRealm } from "./user-realm.js";
export type { UserRealm, UserRealmOptions } from "./user-realm.js";
export { fetchMexEndpoint, parseMex, wsTrustEndpointFromActiveAuthUrl } from "./mex.js";
export type { WsTrustEndpoint, WsTrustVersion } from "./mex.js";
export { requestSamlAssertion, samlGrantType, SamlGrantType } from "./ws-trust.js";
export type { SamlAssertion, SamlAssertionRequest, SoapFault } from "./ws-trust.js";

// Proof-of-possession: PoP keys, req_cnf and Signed HTTP Requests
export { generatePopKey, preparePopKey, requestConfirmation, signHttpRequest } from "./signed-http-request.js";
export type { PopKeyInput, PopSigningAlgorithm, PopSigningKey, SignedHttpRequestParams } from "./signed-http-request.js";
