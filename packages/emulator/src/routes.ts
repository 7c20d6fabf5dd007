import type { EmulatorContext } from "./context.js";
import { createInstanceDiscoveryEndpoint, createOpenIdConfigurationEndpoint } from "./endpoints/discovery.js";
import { createKeysEndpoint } from "./endpoints/keys.js";
import { createTokenEndpoint } from "./endpoints/token.js";
import { createClientCredentialsGrant } from "./grants/client-credentials.js";
import { Router } from "./router.js";

/** The emulator's endpoints. New endpoints and grants are registered here. */
export function createRouter(ctx: EmulatorContext): Router {
  const openIdConfiguration = createOpenIdConfigurationEndpoint(ctx);
  const keys = createKeysEndpoint(ctx);
  return new Router()
    .add("GET", "/common/discovery/instance", createInstanceDiscoveryEndpoint(ctx))
    .add("GET", "/:tenant/v2.0/.well-known/openid-configuration", openIdConfiguration)
    .add("GET", "/:tenant/.well-known/openid-configuration", openIdConfiguration)
    .add("GET", "/:tenant/discovery/v2.0/keys", keys)
    .add("GET", "/:tenant/discovery/keys", keys)
    .add(
      "POST",
      "/:tenant/oauth2/v2.0/token",
      createTokenEndpoint(ctx, {
        client_credentials: createClientCredentialsGrant(ctx),
      }),
    );
}
