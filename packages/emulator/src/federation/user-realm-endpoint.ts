import type { EmulatorContext } from "../context.js";
import { json } from "../http.js";
import type { Handler } from "../http.js";
import { MICROSOFT_ONLINE } from "./names.js";
import { federationUrls } from "./realm.js";

// `GET /common/userrealm/{username}?api-version=1.0` (authority-wire-format §1.7): which identity
// provider a user's domain signs in at. Entra answers 200 for every name; the body says Managed,
// Federated or Unknown.

const CLOUD = { cloud_instance_name: "microsoftonline.com", cloud_audience_urn: MICROSOFT_ONLINE } as const;

/**
 * The user realm endpoint.
 *
 * - A federated domain of a tenant: `Federated`, with the emulator's own WS-Trust federation
 *   service for that domain (`federation_metadata_url` = its MEX document,
 *   `federation_active_auth_url` = its WS-Trust 1.3 username endpoint). The user need not exist:
 *   Entra answers from the domain alone.
 * - Another verified domain: `Managed`.
 * - A domain no tenant has (or a name without `@`): `Unknown`, without `domain_name`, still 200,
 *   as Entra answers for domains it does not know.
 *
 * Only the `api-version=1.0` shape is served, whatever the `api-version`.
 */
export function createUserRealmEndpoint(ctx: EmulatorContext): Handler {
  return (request) => {
    const username = request.params.username ?? "";
    const realm = ctx.directory.findUserRealm(username);
    if (!realm) return json(200, { ver: "1.0", account_type: "Unknown", ...CLOUD });
    const domain = username.slice(username.lastIndexOf("@") + 1).toLowerCase();
    if (!realm.federated) return json(200, { ver: "1.0", account_type: "Managed", domain_name: domain, ...CLOUD });
    const urls = federationUrls(request.host, domain);
    return json(200, {
      ver: "1.0",
      account_type: "Federated",
      domain_name: domain,
      federation_protocol: "WSTrust",
      federation_metadata_url: urls.mex,
      federation_active_auth_url: urls.usernameMixed13,
      ...CLOUD,
    });
  };
}
