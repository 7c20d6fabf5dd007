import { createHash, X509Certificate } from "node:crypto";
import type { TenantConfig } from "./config.js";
import { canonicalDistinguishedName, thumbprints } from "./x509.js";

// The resolved directory: tenants, their app registrations and APIs, indexed for the endpoints.

/** Microsoft Graph, present in every tenant. */
export const MICROSOFT_GRAPH = {
  identifier: "https://graph.microsoft.com",
  appId: "00000003-0000-0000-c000-000000000000",
} as const;

/** The multi-tenant path segments (`/common`, `/organizations`, `/consumers`). */
export const MULTI_TENANT_SEGMENTS = ["common", "organizations", "consumers"] as const;
/** One of {@link MULTI_TENANT_SEGMENTS}. */
export type MultiTenantSegment = (typeof MULTI_TENANT_SEGMENTS)[number];

/** The Microsoft-account (consumer) tenant id. */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/** A web API tokens can be issued for. */
export interface Api {
  readonly identifier: string;
  readonly appId: string | undefined;
  readonly roles: readonly string[] | undefined;
  /** The `aud` of its tokens: the app id when known, else the identifier (Graph: its URL). */
  readonly audience: string;
  /** Delegated permissions it defines; undefined means any scope name is accepted (as for Graph). */
  readonly scopes: readonly string[] | undefined;
}

/** A user of a tenant. */
export interface User {
  /** The user principal name as configured. */
  readonly username: string;
  readonly password: string;
  /** `oid`. */
  readonly objectId: string;
  /** `name`. */
  readonly displayName: string;
  readonly email: string | undefined;
  readonly mfa: boolean;
  readonly consentRequired: boolean;
  readonly interactionRequired: boolean;
  /** The user's domain is federated: passwords are checked by the federation service (WS-Trust). */
  readonly federated: boolean;
}

/** A certificate registered on an app, with the thumbprints assertions name it by. */
export interface RegisteredCertificate {
  readonly certificate: X509Certificate;
  /** base64url SHA-1, unpadded. */
  readonly x5t: string;
  /** base64url SHA-256, unpadded. */
  readonly x5tS256: string;
}

/** A subject-name-and-issuer trust. */
export interface TrustedIssuer {
  readonly issuer: X509Certificate;
  /** Canonical subject (see {@link canonicalDistinguishedName}). */
  readonly subject: string;
}

/** An app registration with its service principal in one tenant. */
export interface App {
  readonly clientId: string;
  readonly displayName: string;
  readonly secrets: readonly string[];
  readonly certificates: readonly RegisteredCertificate[];
  readonly trustedIssuers: readonly TrustedIssuer[];
  readonly publicClient: boolean;
  /** Object id of the app's service principal in this tenant (stable per tenant and client id). */
  readonly servicePrincipalId: string;
  /** Registered redirect URIs, as configured. */
  readonly redirectUris: readonly string[];
  /** A member of the family of client ids. */
  readonly familyOfClientIds: boolean;
  /** Application permissions granted to the app on an API. */
  rolesOn(api: Api): readonly string[];
}

/** A resolved tenant. */
export interface Tenant {
  readonly id: string;
  readonly displayName: string;
  readonly domains: readonly string[];
  /** The app registrations, in configuration order. */
  readonly apps: readonly App[];
  findApp(clientId: string): App | undefined;
  /** Finds an API by App ID URI or app id (case-insensitive, one trailing slash ignored). */
  findApi(resource: string): Api | undefined;
  readonly users: readonly User[];
  /** Finds a user by user principal name (case-insensitive). */
  findUser(username: string): User | undefined;
  /** Finds a user by object id (`oid`, case-insensitive). */
  findUserById(objectId: string): User | undefined;
  /** Federated domains, lower-case. */
  readonly federatedDomains: readonly string[];
}

/** All tenants of one emulator. */
export interface Directory {
  readonly tenants: readonly Tenant[];
  readonly defaultTenant: Tenant;
  /** Resolves a path segment: a tenant GUID or one of its domains (case-insensitive). */
  findTenant(segment: string): Tenant | undefined;
  /** The tenant whose verified (or federated) domain is the username's domain, and the user if it exists. */
  findUserRealm(username: string): { readonly tenant: Tenant; readonly user: User | undefined; readonly federated: boolean } | undefined;
}

/** A name-based GUID (RFC 9562 version 8 layout) so ids stay stable across runs. */
export function stableGuid(name: string): string {
  const h = createHash("sha256").update(name).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function normalizeResource(resource: string): string {
  return resource.replace(/\/$/, "").toLowerCase();
}

function parseCertificate(pem: string, where: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (cause) {
    throw new TypeError(`${where} is not a PEM certificate.`, { cause });
  }
}

function buildTenant(config: TenantConfig, index: number): Tenant {
  const apis: Api[] = [
    {
      identifier: MICROSOFT_GRAPH.identifier,
      appId: MICROSOFT_GRAPH.appId,
      roles: undefined,
      audience: MICROSOFT_GRAPH.identifier,
      scopes: undefined,
    },
    ...(config.apis ?? []).map((a) => ({
      identifier: a.identifier,
      appId: a.appId?.toLowerCase(),
      roles: a.roles,
      audience: a.appId?.toLowerCase() ?? a.identifier,
      scopes: a.scopes,
    })),
  ];
  const findApi = (resource: string): Api | undefined => {
    const key = normalizeResource(resource);
    return apis.find((a) => normalizeResource(a.identifier) === key || a.appId === key);
  };

  const apps = new Map<string, App>();
  (config.apps ?? []).forEach((appConfig, appIndex) => {
    const where = `tenants[${index}].apps[${appIndex}]`;
    const grants = new Map<Api, readonly string[]>();
    for (const [resource, roles] of Object.entries(appConfig.appRoles ?? {})) {
      const api = findApi(resource);
      if (!api) throw new TypeError(`${where}.appRoles names "${resource}", which is not an API of tenant ${config.id}.`);
      const undefinedRole = api.roles && roles.find((r) => !api.roles?.includes(r));
      if (undefinedRole) {
        throw new TypeError(`${where}.appRoles grants "${undefinedRole}", which API "${api.identifier}" does not define.`);
      }
      grants.set(api, [...(grants.get(api) ?? []), ...roles]);
    }
    const certificates = (appConfig.certificates ?? []).map((pem, i) => {
      const certificate = parseCertificate(pem, `${where}.certificates[${i}]`);
      const prints = thumbprints(Buffer.from(certificate.raw));
      return { certificate, x5t: prints.sha1.toString("base64url"), x5tS256: prints.sha256.toString("base64url") };
    });
    const trustedIssuers = (appConfig.trustedIssuers ?? []).map((t, i) => ({
      issuer: parseCertificate(t.issuerCertificate, `${where}.trustedIssuers[${i}].issuerCertificate`),
      subject: canonicalDistinguishedName(t.subject),
    }));
    const key = appConfig.clientId.toLowerCase();
    if (apps.has(key)) throw new TypeError(`${where}.clientId "${appConfig.clientId}" is registered twice in tenant ${config.id}.`);
    apps.set(key, {
      clientId: appConfig.clientId,
      displayName: appConfig.displayName ?? appConfig.clientId,
      secrets: appConfig.secrets ?? [],
      certificates,
      trustedIssuers,
      publicClient: appConfig.publicClient ?? false,
      servicePrincipalId: stableGuid(`service-principal:${config.id.toLowerCase()}:${key}`),
      redirectUris: appConfig.redirectUris ?? [],
      familyOfClientIds: appConfig.familyOfClientIds ?? false,
      rolesOn: (api) => grants.get(api) ?? [],
    });
  });

  const domains = [...(config.domains ?? [])];
  const federatedDomains = (config.federatedDomains ?? []).map((d) => d.toLowerCase());
  for (const d of federatedDomains) if (!domains.some((v) => v.toLowerCase() === d)) domains.push(d);
  const users = new Map<string, User>();
  (config.users ?? []).forEach((u, i) => {
    const key = u.username.toLowerCase();
    if (users.has(key)) throw new TypeError(`tenants[${index}].users[${i}].username "${u.username}" is used twice.`);
    const domain = key.slice(key.indexOf("@") + 1);
    users.set(key, {
      username: u.username,
      password: u.password,
      objectId: u.objectId?.toLowerCase() ?? stableGuid(`user:${config.id.toLowerCase()}:${key}`),
      displayName: u.displayName ?? u.username.slice(0, u.username.indexOf("@")),
      email: u.email,
      mfa: u.mfa ?? false,
      consentRequired: u.consentRequired ?? false,
      interactionRequired: u.interactionRequired ?? false,
      federated: federatedDomains.includes(domain),
    });
  });
  return {
    id: config.id.toLowerCase(),
    displayName: config.displayName ?? domains[0] ?? config.id,
    domains,
    apps: [...apps.values()],
    findApp: (clientId) => apps.get(clientId.toLowerCase()),
    findApi,
    users: [...users.values()],
    findUser: (username) => users.get(username.toLowerCase()),
    findUserById: (objectId) => {
      const id = objectId.toLowerCase();
      return [...users.values()].find((u) => u.objectId === id);
    },
    federatedDomains,
  };
}

/**
 * Builds the directory from validated tenant configs.
 *
 * @throws TypeError for a duplicate tenant or domain, an unparsable certificate, or a grant on an
 *   unknown API or role.
 */
export function createDirectory(configs: readonly TenantConfig[]): Directory {
  const tenants = configs.map(buildTenant);
  const bySegment = new Map<string, Tenant>();
  for (const tenant of tenants) {
    for (const name of [tenant.id, ...tenant.domains.map((d) => d.toLowerCase())]) {
      if (bySegment.has(name) || (MULTI_TENANT_SEGMENTS as readonly string[]).includes(name)) {
        throw new TypeError(`Tenant id or domain "${name}" is used twice or is reserved.`);
      }
      bySegment.set(name, tenant);
    }
  }
  const defaultTenant = tenants[0];
  if (!defaultTenant) throw new TypeError("The emulator needs at least one tenant.");
  return {
    tenants,
    defaultTenant,
    findTenant: (segment) => bySegment.get(segment.toLowerCase()),
    findUserRealm: (username) => {
      const at = username.lastIndexOf("@");
      if (at < 0) return undefined;
      const domain = username.slice(at + 1).toLowerCase();
      const tenant = bySegment.get(domain);
      if (!tenant || isGuidLike(domain)) return undefined;
      return { tenant, user: tenant.findUser(username), federated: tenant.federatedDomains.includes(domain) };
    },
  };
}

function isGuidLike(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value);
}

/** True for `common`, `organizations` and `consumers` (case-insensitive). */
export function isMultiTenantSegment(segment: string): boolean {
  return (MULTI_TENANT_SEGMENTS as readonly string[]).includes(segment.toLowerCase());
}
