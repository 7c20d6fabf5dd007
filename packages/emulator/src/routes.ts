import type { EmulatorContext } from "./context.js";
import { createAuthorizeEndpoint } from "./endpoints/authorize.js";
import { createDeviceAuthorizationEndpoint } from "./endpoints/device-authorization.js";
import { createInstanceDiscoveryEndpoint, createOpenIdConfigurationEndpoint } from "./endpoints/discovery.js";
import { createKeysEndpoint } from "./endpoints/keys.js";
import { createLogoutEndpoint } from "./endpoints/logout.js";
import { POP_API_PATH, POP_NONCE_PATH, createPopApiEndpoint, createPopNonceEndpoint } from "./endpoints/pop-api.js";
import { PROTECTED_API_PATH, createProtectedApiEndpoint } from "./endpoints/protected-api.js";
import { createTokenEndpoint } from "./endpoints/token.js";
import { createAuthorizationCodeGrant } from "./grants/authorization-code.js";
import { createClientCredentialsGrant } from "./grants/client-credentials.js";
import { DEVICE_CODE_GRANT, createDeviceCodeGrant } from "./grants/device-code.js";
import { JWT_BEARER_GRANT, createOnBehalfOfGrant } from "./grants/on-behalf-of.js";
import { createPasswordGrant } from "./grants/password.js";
import { createRefreshTokenGrant } from "./grants/refresh-token.js";
import { samlBearerGrants } from "./grants/saml-bearer.js";
import { addFederationRoutes } from "./federation/routes.js";
import { createDeviceLoginEndpoint } from "./sign-in/device-login.js";
import { DEVICE_LOGIN_PATH } from "./sign-in/device-pages.js";
import { issueUserTokenResponse } from "./user-tokens.js";
import { Router } from "./router.js";

/** The emulator's endpoints. New endpoints and grants are registered here. */
export function createRouter(ctx: EmulatorContext): Router {
  const openIdConfiguration = createOpenIdConfigurationEndpoint(ctx);
  const keys = createKeysEndpoint(ctx);
  const authorize = createAuthorizeEndpoint(ctx);
  const logout = createLogoutEndpoint(ctx);
  const deviceLogin = createDeviceLoginEndpoint(ctx);
  const deviceCodeGrant = createDeviceCodeGrant(ctx);
  const popApi = createPopApiEndpoint(ctx);
  const router = addFederationRoutes(new Router(), ctx).add("GET", POP_NONCE_PATH, createPopNonceEndpoint(ctx));
  for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) router.add(method, `${POP_API_PATH}/:resource`, popApi);
  return router
    .add("GET", "/common/discovery/instance", createInstanceDiscoveryEndpoint(ctx))
    .add("GET", "/:tenant/v2.0/.well-known/openid-configuration", openIdConfiguration)
    .add("GET", "/:tenant/.well-known/openid-configuration", openIdConfiguration)
    .add("GET", "/:tenant/discovery/v2.0/keys", keys)
    .add("GET", "/:tenant/discovery/keys", keys)
    .add("GET", "/:tenant/oauth2/v2.0/authorize", authorize)
    .add("POST", "/:tenant/oauth2/v2.0/authorize", authorize)
    .add("GET", "/:tenant/oauth2/v2.0/logout", logout)
    .add("POST", "/:tenant/oauth2/v2.0/logout", logout)
    .add("GET", PROTECTED_API_PATH, createProtectedApiEndpoint(ctx))
    .add("POST", "/:tenant/oauth2/v2.0/devicecode", createDeviceAuthorizationEndpoint(ctx))
    .add("GET", DEVICE_LOGIN_PATH, deviceLogin)
    .add("POST", DEVICE_LOGIN_PATH, deviceLogin)
    .add(
      "POST",
      "/:tenant/oauth2/v2.0/token",
      createTokenEndpoint(ctx, {
        client_credentials: createClientCredentialsGrant(ctx),
        authorization_code: createAuthorizationCodeGrant(ctx),
        refresh_token: createRefreshTokenGrant(ctx),
        password: createPasswordGrant(ctx),
        [JWT_BEARER_GRANT]: createOnBehalfOfGrant(ctx),
        // RFC 8628's name, and the short one msal-common sends (Entra accepts both).
        [DEVICE_CODE_GRANT]: deviceCodeGrant,
        device_code: deviceCodeGrant,
        // SAML bearer grants (…:saml1_1-bearer, …:saml2-bearer): the federation service's assertion for a user.
        ...samlBearerGrants(ctx, (signIn) => issueUserTokenResponse(ctx, signIn.request, signIn)),
      }),
    );
}
