import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defaultTenant } from "../src/index.js";
import { createDirectory } from "../src/directory.js";
import { EntraError } from "../src/errors.js";
import { grantedScope, parseScopeRequest, resolveUserScopes } from "../src/scopes.js";

const tenant = createDirectory([
  { ...defaultTenant, apis: [...defaultTenant.apis, { identifier: "api://free" }] },
]).defaultTenant;

function summary(scope: string): string {
  const grant = resolveUserScopes(scope, tenant);
  return `${grant.api.identifier} [${grant.scopes.join(" ")}] {${[...grant.oidc].sort().join(" ")}} → ${grantedScope(grant)}`;
}

function rejects(scope: string | null, error: string, code: number): void {
  assert.throws(
    () => resolveUserScopes(scope, tenant),
    (err: unknown) => err instanceof EntraError && err.error === error && err.code === code,
    `${String(scope)} should fail with ${error} ${code}`,
  );
}

describe("user scopes", () => {
  test("resolve to one resource, canonical names, and the OIDC scopes", () => {
    const cases: [string, string][] = [
      ["openid profile offline_access User.Read", "https://graph.microsoft.com [User.Read] {offline_access openid profile} → User.Read openid profile"],
      ["https://graph.microsoft.com/Mail.Read User.Read", "https://graph.microsoft.com [Mail.Read User.Read] {} → Mail.Read User.Read"],
      ["openid email", "https://graph.microsoft.com [User.Read] {email openid} → User.Read openid email"],
      ["api://orders/orders.read openid", "api://orders [Orders.Read] {openid} → api://orders/Orders.Read openid"],
      ["0a0d3e45-0000-4b5c-9d00-0000000000a1/Orders.ReadWrite", "api://orders [Orders.ReadWrite] {} → api://orders/Orders.ReadWrite"],
      ["api://orders/.default", "api://orders [Orders.Read Orders.ReadWrite] {} → api://orders/Orders.Read api://orders/Orders.ReadWrite"],
      ["https://graph.microsoft.com/.default", "https://graph.microsoft.com [User.Read] {} → User.Read"],
      ["api://free/.default api://free/Anything", "api://free [user_impersonation Anything] {} → api://free/user_impersonation api://free/Anything"],
      ["User.Read  user.read   OPENID", "https://graph.microsoft.com [User.Read] {openid} → User.Read openid"],
    ];
    for (const [scope, expected] of cases) assert.equal(summary(scope), expected, scope);
  });

  test("errors: missing scope, unknown resource, undefined scope, two resources", () => {
    rejects(null, "invalid_request", 900144);
    rejects("  ", "invalid_request", 900144);
    rejects("api://nowhere/Read", "invalid_resource", 500011);
    rejects("api://orders/Orders.Delete", "invalid_scope", 70011);
    rejects("api://orders/", "invalid_scope", 70011);
    rejects("User.Read api://orders/Orders.Read", "invalid_scope", 700022);
  });

  test("an authorize request may name several resources (consent for all)", () => {
    const request = parseScopeRequest("openid User.Read api://orders/Orders.Read", tenant);
    assert.deepEqual(
      request.resources.map((r) => `${r.api.identifier}:${r.scopes.join(",")}`),
      ["https://graph.microsoft.com:User.Read", "api://orders:Orders.Read"],
    );
  });
});
