import type { EmulatorContext } from "../context.js";
import type { Handler } from "../http.js";
import type { Router } from "../router.js";
import { mexDocument } from "./mex-document.js";
import { federationUrls, findFederationRealm } from "./realm.js";
import { createUserRealmEndpoint } from "./user-realm-endpoint.js";
import { createWsTrustEndpoint } from "./ws-trust-endpoint.js";

// Username/password sign-in for federated users: user realm discovery, and the emulator's own
// federation service per federated domain (MEX and the WS-Trust 1.3 and 2005 username endpoints).

/** `GET /federation/{domain}/mex`: the domain's WS-MetadataExchange document (404 for other paths). */
export function createMexEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    const realm = findFederationRealm(ctx.directory, request.params.domain ?? "");
    if (!realm) return { type: "text", status: 404, body: "Not Found", contentType: "text/plain; charset=utf-8" };
    return { type: "text", status: 200, body: mexDocument(federationUrls(request.host, realm.domain)), contentType: "text/xml; charset=utf-8" };
  };
}

/**
 * Registers the federation endpoints on a router:
 *
 * - `GET /common/userrealm/{username}`
 * - `GET /federation/{domain}/mex`
 * - `POST /federation/{domain}/trust/13/usernamemixed` and `POST /federation/{domain}/trust/2005/usernamemixed`
 */
export function addFederationRoutes(router: Router, ctx: EmulatorContext): Router {
  return router
    .add("GET", "/common/userrealm/:username", createUserRealmEndpoint(ctx))
    .add("GET", "/federation/:domain/mex", createMexEndpoint(ctx))
    .add("POST", "/federation/:domain/trust/13/usernamemixed", createWsTrustEndpoint(ctx, "13"))
    .add("POST", "/federation/:domain/trust/2005/usernamemixed", createWsTrustEndpoint(ctx, "2005"));
}
