import { authenticateUserClient } from "../client-auth.js";
import type { ClientAuthentication } from "../client-auth.js";
import type { EmulatorContext } from "../context.js";
import type { App, Tenant, User } from "../directory.js";
import type { GrantHandler } from "../endpoints/token.js";
import { missingParameter } from "../errors.js";
import { assertionTenant, verifySamlBearerAssertion } from "../federation/issued-assertions.js";
import type { EmulatorRequest, HandlerResult } from "../http.js";
import { passwordGrantNeedsTenant } from "../user-errors.js";

/** The SAML bearer grant types (RFC 7522): SAML 1.1 and SAML 2.0 assertions. */
export const SAML_BEARER_GRANT_TYPES = [
  "urn:ietf:params:oauth:grant-type:saml1_1-bearer",
  "urn:ietf:params:oauth:grant-type:saml2-bearer",
] as const;

/** What the SAML grant hands to the user-token issuer once the client and the assertion check out. */
export interface SamlSignIn {
  readonly tenant: Tenant;
  readonly app: App;
  /** The client and how it authenticated (`azpacr`). */
  readonly client: ClientAuthentication;
  /** The user the assertion vouches for. */
  readonly user: User;
  /** The request's `scope`. */
  readonly scope: string | null;
  readonly request: EmulatorRequest;
}

/** Issues the user's token response (applying the user's MFA, consent and interaction requirements). */
export type IssueUserTokens = (signIn: SamlSignIn) => Promise<HandlerResult>;

/**
 * The `urn:ietf:params:oauth:grant-type:saml1_1-bearer` and `…:saml2-bearer` grants (authority-wire-format
 * §1.4, client-behavior §3.7): a federated user's SAML assertion from the emulator's WS-Trust endpoint,
 * base64url in `assertion`, exchanged for user tokens by a public client or an authenticated
 * confidential one.
 *
 * On `/organizations` the tenant is the one whose federated domain issued the assertion; `/common` and
 * `/consumers` are refused as for the password grant (AADSTS9001023).
 *
 * @param issue - Issues the token response for the verified user.
 * @throws EntraError invalid_request for a missing `assertion`; the client authentication errors;
 *   invalid_grant AADSTS50008 / 50013 / 50107 from {@link verifySamlBearerAssertion}.
 */
export function createSamlBearerGrant(ctx: EmulatorContext, issue: IssueUserTokens): GrantHandler {
  return async (request, selection) => {
    if (selection.kind === "multi-tenant" && selection.segment !== "organizations") throw passwordGrantNeedsTenant();
    const assertion = request.form.get("assertion");
    if (!assertion) throw missingParameter("assertion");
    const tenant = selection.kind === "tenant" ? selection.tenant : assertionTenant(ctx, assertion, request.now);
    request.notes.tenant = tenant.id;
    const client = await authenticateUserClient(ctx, request, tenant);
    const user = verifySamlBearerAssertion(ctx, tenant, assertion, request.now);
    return issue({ tenant, app: client.app, client, user, scope: request.form.get("scope"), request });
  };
}

/**
 * Both SAML bearer grants, keyed by grant type, for {@link createTokenEndpoint}'s grant table.
 *
 * @param issue - Issues the token response for the verified user.
 */
export function samlBearerGrants(ctx: EmulatorContext, issue: IssueUserTokens): Record<(typeof SAML_BEARER_GRANT_TYPES)[number], GrantHandler> {
  const grant = createSamlBearerGrant(ctx, issue);
  return { [SAML_BEARER_GRANT_TYPES[0]]: grant, [SAML_BEARER_GRANT_TYPES[1]]: grant };
}
