/** The endpoint URLs of one tenant segment on one host. */
export interface TenantEndpoints {
  readonly authority: string;
  readonly authorization: string;
  readonly token: string;
  readonly deviceAuthorization: string;
  readonly endSession: string;
  readonly jwks: string;
  readonly kerberos: string;
  readonly openidConfiguration: string;
}

/** Builds the v2.0 endpoint URLs for `https://{host}/{tenant}`. */
export function tenantEndpoints(host: string, tenant: string): TenantEndpoints {
  const authority = `https://${host}/${tenant}`;
  return {
    authority,
    authorization: `${authority}/oauth2/v2.0/authorize`,
    token: `${authority}/oauth2/v2.0/token`,
    deviceAuthorization: `${authority}/oauth2/v2.0/devicecode`,
    endSession: `${authority}/oauth2/v2.0/logout`,
    jwks: `${authority}/discovery/v2.0/keys`,
    kerberos: `${authority}/kerberos`,
    openidConfiguration: `${authority}/v2.0/.well-known/openid-configuration`,
  };
}

/** The v2.0 issuer for a tenant id (or the `{tenantid}` placeholder) on a host. */
export function issuerFor(host: string, tenantId: string): string {
  return `https://${host}/${tenantId}/v2.0`;
}
