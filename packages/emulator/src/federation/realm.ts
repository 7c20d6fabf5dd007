import type { Directory, Tenant } from "../directory.js";

// The emulator is also the federation service of every federated domain: one per domain, under
// /federation/{domain}/, laid out as AD FS lays out /adfs/services/trust/.

/** A federated domain and the tenant it belongs to. */
export interface FederationRealm {
  readonly tenant: Tenant;
  /** The federated domain, lower-case. */
  readonly domain: string;
}

/** The federation service's URLs for one domain on one host. */
export interface FederationUrls {
  /** The WS-MetadataExchange document. */
  readonly mex: string;
  readonly usernameMixed13: string;
  readonly usernameMixed2005: string;
  /** Advertised in the MEX document only (Windows integrated authentication is not emulated). */
  readonly windowsTransport13: string;
  /** Advertised in the MEX document only (certificate authentication is not emulated). */
  readonly certificateMixed13: string;
  /** The issuer of its SAML assertions; AD FS's have the form `http://{host}/adfs/services/trust`. */
  readonly issuer: string;
}

/** Finds the realm a `/federation/{domain}/…` path segment names: a federated domain of some tenant. */
export function findFederationRealm(directory: Directory, segment: string): FederationRealm | undefined {
  const domain = segment.toLowerCase();
  const tenant = directory.findTenant(domain);
  return tenant?.federatedDomains.includes(domain) ? { tenant, domain } : undefined;
}

/** Builds a domain's federation URLs for a `host[:port]`. */
export function federationUrls(host: string, domain: string): FederationUrls {
  const base = `https://${host}/federation/${encodeURIComponent(domain)}`;
  return {
    mex: `${base}/mex`,
    usernameMixed13: `${base}/trust/13/usernamemixed`,
    usernameMixed2005: `${base}/trust/2005/usernamemixed`,
    windowsTransport13: `${base}/trust/13/windowstransport`,
    certificateMixed13: `${base}/trust/13/certificatemixed`,
    issuer: `http://${host}/federation/${encodeURIComponent(domain)}/services/trust`,
  };
}
