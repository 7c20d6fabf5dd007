import type { Directory, MultiTenantSegment, Tenant } from "./directory.js";
import { isMultiTenantSegment } from "./directory.js";
import { invalidTenant } from "./errors.js";
import type { EmulatorRequest } from "./http.js";

/** What a `{tenant}` path segment names. */
export type TenantSelection =
  | { readonly kind: "tenant"; readonly tenant: Tenant; readonly segment: string }
  | { readonly kind: "multi-tenant"; readonly segment: MultiTenantSegment };

/**
 * Resolves the request's `tenant` route parameter and notes it for the request log.
 *
 * @throws EntraError invalid_tenant (AADSTS90002) when it names no tenant.
 */
export function selectTenant(directory: Directory, request: EmulatorRequest): TenantSelection {
  const segment = request.params.tenant ?? "";
  if (isMultiTenantSegment(segment)) {
    const lower = segment.toLowerCase() as MultiTenantSegment;
    request.notes.tenant = lower;
    return { kind: "multi-tenant", segment: lower };
  }
  const tenant = directory.findTenant(segment);
  if (!tenant) {
    request.notes.tenant = segment;
    throw invalidTenant(segment);
  }
  request.notes.tenant = tenant.id;
  return { kind: "tenant", tenant, segment };
}
