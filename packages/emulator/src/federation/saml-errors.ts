import { EntraError, entraTimestamp } from "../errors.js";

// Entra's refusals of a SAML bearer assertion at the token endpoint (authority-wire-format §1.4).
// Codes are Entra's; texts paraphrase its messages.

/** 400 invalid_grant AADSTS50008: the assertion is malformed, unknown to its issuer, or altered. */
export function samlAssertionInvalid(detail: string): EntraError {
  return new EntraError(400, "invalid_grant", 50008, `SAML token is invalid. ${detail}`);
}

/** 400 invalid_grant AADSTS50013: the assertion is past its NotOnOrAfter. */
export function samlAssertionExpired(now: number, notOnOrAfter: number): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    50013,
    `Assertion is not within its valid time range: it expired at ${entraTimestamp(notOnOrAfter)}; current time ` +
      `${entraTimestamp(now)}. Sign in at the federation service again for a new assertion.`,
  );
}

/** 400 invalid_grant AADSTS50107: the assertion's federation realm is not one of this tenant's. */
export function samlRealmNotInTenant(tenantName: string): EntraError {
  return new EntraError(
    400,
    "invalid_grant",
    50107,
    `The requested federation realm object does not exist: the assertion's issuer is not a federated domain of tenant '${tenantName}'.`,
  );
}
