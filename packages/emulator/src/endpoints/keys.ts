import type { EmulatorContext } from "../context.js";
import { DISCOVERY_HEADERS, json } from "../http.js";
import type { Handler } from "../http.js";
import { selectTenant } from "../tenant-selection.js";
import { issuerFor } from "../urls.js";

/** `GET /{tenant}/discovery/v2.0/keys`: the JWKS with the emulator's token-signing key. */
export function createKeysEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    const selection = selectTenant(ctx.directory, request);
    const issuer = issuerFor(request.host, selection.kind === "tenant" ? selection.tenant.id : "{tenantid}");
    return json(200, { keys: [{ ...ctx.signingKey.jwk, issuer }] }, DISCOVERY_HEADERS);
  };
}
