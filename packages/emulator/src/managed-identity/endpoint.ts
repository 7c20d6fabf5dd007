import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorContext } from "../context.js";
import type { Api } from "../directory.js";
import type { HostIdentities, HostIdentity } from "./identities.js";
import type { ManagedIdentitySourceName } from "./options.js";
import type { IssueContext } from "./tokens.js";

// What every managed identity source endpoint is made of: a request in, a response in that source's
// own shape out. Each source differs in headers, secrets, parameter names, api-version, success and
// error bodies; those differences live in the source's own file.

/** A request to a managed identity endpoint. */
export interface SourceRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-cased names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  /** The form body of a POST (Cloud Shell). */
  readonly form: URLSearchParams;
  /** Arrival time, epoch seconds. */
  readonly now: number;
}

/** A response: a JSON body, or raw text (injected faults). */
export interface SourceResponse {
  readonly status: number;
  readonly body: unknown;
  /** Send `body` as it is, with this content type, instead of as JSON. */
  readonly rawContentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The identity a token was issued to, for the request log. */
  readonly clientId?: string;
}

/** One source's endpoint. */
export interface SourceEndpoint {
  readonly source: ManagedIdentitySourceName;
  readonly method: "GET" | "POST";
  /** Path on its listener. */
  readonly path: string;
  handle(request: SourceRequest): Promise<SourceResponse>;
  /** A failure in this source's error shape: what an injected fault answers. */
  failure(status: number, message: string): SourceResponse;
}

/** What the source endpoints share. */
export interface SourceServices {
  readonly ctx: EmulatorContext;
  readonly identities: HostIdentities;
  readonly lifetime: number;
  /** `host[:port]` of the emulator's token issuer. */
  readonly issuerHost: string;
}

/** The issue context of a request. */
export function issueContext(services: SourceServices, now: number): IssueContext {
  return { ctx: services.ctx, tenant: services.identities.tenant, issuerHost: services.issuerHost, lifetime: services.lifetime, now };
}

/** A header's single value. */
export function header(request: SourceRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Which identity a request asks for, by the source's parameter names. */
export type IdentitySelection =
  | { readonly kind: "found"; readonly identity: HostIdentity }
  | { readonly kind: "ambiguous"; readonly names: readonly string[] }
  | { readonly kind: "unknown"; readonly name: string; readonly value: string };

/**
 * Picks the identity named by one of `params` (parameter name → id kind); the system-assigned one when
 * none is given.
 */
export function selectIdentity(
  services: SourceServices,
  query: URLSearchParams,
  params: Readonly<Record<string, "clientId" | "objectId" | "resourceId">>,
): IdentitySelection {
  const given = Object.keys(params).filter((name) => (query.get(name) ?? "") !== "");
  if (given.length > 1) return { kind: "ambiguous", names: given };
  const [name] = given;
  if (name === undefined) return { kind: "found", identity: services.identities.systemAssigned };
  const kind = params[name] ?? "clientId";
  const value = query.get(name) ?? "";
  const identity = services.identities.find(kind, value);
  return identity ? { kind: "found", identity } : { kind: "unknown", name, value };
}

/** The API a `resource` names in the identities' tenant. */
export function findResource(services: SourceServices, resource: string): Api | undefined {
  return services.identities.tenant.findApi(resource);
}

/** Entra's text for a resource unknown in the tenant (AADSTS500011). */
export function unknownResourceText(services: SourceServices, resource: string): string {
  return (
    `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ` +
    `${services.identities.tenant.displayName}. This can happen if the application has not been installed ` +
    "by the administrator of the tenant or consented to by any user in the tenant."
  );
}

/** True when two secrets are equal, compared in constant time. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
