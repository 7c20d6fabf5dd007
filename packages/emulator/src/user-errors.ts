import { EntraError, entraTimestamp } from "./errors.js";

// Entra's errors for user sign-in and the grants that act for a user (authority-wire-format §1.3, §3.2).
// Codes are Entra's; texts paraphrase its messages.

// ---- Clients -------------------------------------------------------------------------------------

/** 401 invalid_client AADSTS7000218: a confidential app presented no credential. */
export function credentialRequired(): EntraError {
  return new EntraError(
    401,
    "invalid_client",
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  );
}

// ---- Scopes --------------------------------------------------------------------------------------

/** 400 invalid_scope AADSTS70011: a scope the resource does not define. */
export function invalidScope(scope: string, detail: string): EntraError {
  return new EntraError(400, "invalid_scope", 70011, `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' ${detail}`);
}

// ---- Authorization codes -------------------------------------------------------------------------

/** 400 invalid_grant AADSTS70000: the grant is unknown, malformed or not this client's. */
export function invalidGrant(detail: string, extra: { suberror?: string; error_additional_info?: readonly string[] } = {}): EntraError {
  return new EntraError(400, "invalid_grant", 70000, `Provided grant is invalid or malformed. ${detail}`, {}, extra);
}

/** 400 invalid_grant AADSTS70008: the code (or refresh token) expired. */
export function grantExpired(): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    70008,
    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive " +
      "authorization request for this user and resource.",
  );
}

/** 400 invalid_grant AADSTS54005: the code was redeemed before. */
export function codeAlreadyRedeemed(): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    54005,
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
  );
}

/** 400 invalid_grant AADSTS700005: the code belongs to another tenant. */
export function codeForOtherTenant(): EntraError {
  return new EntraError(400, "invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected.");
}

/** 400 invalid_grant AADSTS500112: the redemption's redirect_uri is not the authorize request's. */
export function redemptionRedirectMismatch(given: string, expected: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    500112,
    `The reply address '${given}' does not match the reply address '${expected}' provided when requesting Authorization code.`,
  );
}

/** 400 invalid_grant AADSTS501481: the PKCE verifier is missing or does not match. */
export function pkceMismatch(detail: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    501481,
    `The Code_Verifier does not match the code_challenge supplied in the authorization request. ${detail}`,
  );
}

// ---- Users ---------------------------------------------------------------------------------------

/** 400 invalid_grant AADSTS50020: the user is not a member of the tenant asked for. */
export function userNotInTenant(username: string, tenantName: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    50020,
    `User account '${username}' does not exist in tenant '${tenantName}' and cannot access the application in that tenant.`,
  );
}

/** 400 invalid_request AADSTS9001023: ROPC on `/common` or `/consumers`. */
export function passwordGrantNeedsTenant(): EntraError {
  return new EntraError(
    400,
    "invalid_request",
    9001023,
    "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
  );
}

/** 400 invalid_grant AADSTS50034: no such user. */
export function userNotFound(username: string, tenantName: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    50034,
    `The user account ${username} does not exist in the ${tenantName} directory. To sign into this application, the ` +
      "account must be added to the directory.",
  );
}

/** 400 invalid_grant AADSTS50126: wrong username or password. */
export function invalidCredentials(): EntraError {
  return new EntraError(400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password.");
}

/**
 * 400 invalid_grant AADSTS50126 for a federated user: Entra holds no password for the account (no
 * password hash sync), so only the federation service can check it.
 */
export function federatedUserPassword(domain: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    50126,
    `Error validating credentials due to invalid username or password. The domain '${domain}' is federated: ` +
      "authenticate at its federation service (WS-Trust, found through user realm discovery) and redeem the SAML " +
      "assertion with the saml1_1-bearer or saml2-bearer grant.",
  );
}

/** 400 invalid_grant AADSTS50076 + basic_action: the user must pass multi-factor authentication. */
export function mfaRequired(resource: string, claims: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    50076,
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must use " +
      `multi-factor authentication to access '${resource}'.`,
    {},
    { suberror: "basic_action", claims },
  );
}

/**
 * AADSTS50079 + basic_action: the user must complete an interactive step. `error` is `invalid_grant`
 * on refresh and `interaction_required` on ROPC and OBO (authority-wire-format §3.2).
 */
export function interactionRequired(error: "invalid_grant" | "interaction_required", resource: string, claims: string): EntraError {
  return new EntraError(
    400,
    error,
    50079,
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must " +
      `enroll in multi-factor authentication to access '${resource}'.`,
    {},
    { suberror: "basic_action", claims },
  );
}

/** 400 invalid_grant AADSTS65001 + consent_required: the user has not consented to the app. */
export function consentRequired(clientId: string, appName: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    65001,
    `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. ` +
      "Send an interactive authorization request for this user and resource.",
    {},
    { suberror: "consent_required" },
  );
}

// ---- On-behalf-of --------------------------------------------------------------------------------

/** 400 invalid_grant AADSTS50013: the user assertion is not acceptable. */
export function userAssertionInvalid(detail: string): EntraError {
  return new EntraError(400, "invalid_grant", 50013, `Assertion failed signature validation. ${detail}`);
}

/** 400 invalid_grant AADSTS500133: the user assertion expired. */
export function userAssertionExpired(now: number, exp: number | undefined): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    500133,
    "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for " +
      `user assertion, or request a new token. Current time: ${entraTimestamp(now)}` +
      (exp === undefined ? "." : `, expiry time of assertion ${entraTimestamp(exp)}.`),
  );
}

// ---- Authorize -----------------------------------------------------------------------------------

/** 400 invalid_request AADSTS50011: the redirect URI is not registered (shown on a page, never redirected). */
export function redirectUriMismatch(redirectUri: string, clientId: string): EntraError {
  return new EntraError(
    400,
    "invalid_request",
    50011,
    `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the ` +
      `application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application.`,
  );
}

/** unsupported_response_type AADSTS70005. */
export function unsupportedResponseType(responseType: string): EntraError {
  return new EntraError(
    400,
    "unsupported_response_type",
    70005,
    `The app requested an unsupported response type '${responseType}'. The emulator issues authorization codes only ('code').`,
  );
}

/** login_required AADSTS50058: prompt=none but nobody (usable) is signed in. */
export function loginRequired(detail: string): EntraError {
  return new EntraError(400, "login_required", 50058, `A silent sign-in request was sent but no user is signed in. ${detail}`);
}

/** interaction_required for prompt=none when the sign-in needs a step the user must see. */
export function silentInteractionRequired(code: 50076 | 50079, detail: string): EntraError {
  return new EntraError(400, "interaction_required", code, `The sign-in needs the user: ${detail}`);
}

/** consent_required AADSTS65001 for prompt=none when the user must consent first. */
export function silentConsentRequired(clientId: string, appName: string): EntraError {
  return new EntraError(
    400,
    "consent_required",
    65001,
    `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'.`,
  );
}

/** access_denied AADSTS65004: the user declined consent. */
export function consentDeclined(): EntraError {
  return new EntraError(400, "access_denied", 65004, "User declined to consent to access the app.");
}

/** AADSTS50089: the in-flight sign-in is unknown or expired (shown on a page). */
export function signInExpired(): EntraError {
  return new EntraError(400, "invalid_request", 50089, "Flow token expired. Authentication failed: start the sign-in again.");
}
