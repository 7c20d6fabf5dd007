// The API's settings from environment variables, so the same code runs against a real tenant, the
// emulator, or anything in between.
import type { OboApiConfig } from "./api.js";

/** A configuration mistake: says which variable is missing. */
export class OboApiConfigError extends Error {
  override readonly name = "OboApiConfigError";
}

/**
 * Reads the configuration from environment variables:
 *
 * - `AUTHORITY`, `CLIENT_ID`, `CLIENT_SECRET`: the tenant, and the API's app registration;
 * - `REQUIRED_SCOPE`: the delegated permission callers' tokens must carry (default `access_as_user`);
 * - `AUDIENCES`: the accepted `aud` values, comma-separated (default `CLIENT_ID`);
 * - `DOWNSTREAM_URL` and `DOWNSTREAM_SCOPES`: the API to call on the user's behalf (default Microsoft
 *   Graph's `/me` with `User.Read`);
 * - `CA_FILE`: a PEM bundle to trust instead of the system's, for a private authority;
 * - `INSTANCE_DISCOVERY`: `false`, or another instance discovery endpoint.
 *
 * @throws OboApiConfigError naming the first missing variable.
 */
export function oboApiConfigFromEnv(env: Readonly<Record<string, string | undefined>>): OboApiConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new OboApiConfigError(`Set ${name} (see examples/obo-api/README.md).`);
    return value;
  };
  const list = (value: string): string[] => value.split(/[\s,]+/).filter(Boolean);
  const instanceDiscovery = env.INSTANCE_DISCOVERY;
  return {
    authority: required("AUTHORITY"),
    clientId: required("CLIENT_ID"),
    clientCredential: required("CLIENT_SECRET"),
    requiredScope: env.REQUIRED_SCOPE ?? "access_as_user",
    ...(env.AUDIENCES ? { audiences: list(env.AUDIENCES) } : {}),
    downstream: {
      url: env.DOWNSTREAM_URL ?? "https://graph.microsoft.com/v1.0/me",
      scopes: list(env.DOWNSTREAM_SCOPES ?? "User.Read"),
    },
    ...(env.CA_FILE ? { caFile: env.CA_FILE } : {}),
    ...(instanceDiscovery ? { msal: { instanceDiscovery: instanceDiscovery === "false" ? false : instanceDiscovery } } : {}),
  };
}
