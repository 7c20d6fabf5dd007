// The tenant discovery endpoint an instance discovery answer names must be a real https URL: a
// prefix test let "https:// host/…" through (found by the authority fuzz target).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAuthority } from "../../src/authority/parse-authority.js";
import { tenantDiscoveryEndpointOf } from "../../src/authority/instance-discovery.js";
import { MsalError } from "../../src/errors.js";

const authority = parseAuthority("https://login.microsoftonline.com/contoso.onmicrosoft.com");
const URL_ASKED = "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1";

describe("tenantDiscoveryEndpointOf", () => {
  it("takes an https URL with a host", () => {
    const endpoint = "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration";
    assert.equal(tenantDiscoveryEndpointOf({ status: 200, body: { tenant_discovery_endpoint: endpoint } }, URL_ASKED, authority), endpoint);
  });

  for (const endpoint of ["https:// evil.example/x", "https://", "http://login.example/x", "https://a b/x", 42]) {
    it(`refuses ${JSON.stringify(endpoint)} with ERR_DISCOVERY`, () => {
      assert.throws(
        () => tenantDiscoveryEndpointOf({ status: 200, body: { tenant_discovery_endpoint: endpoint } }, URL_ASKED, authority),
        (e: unknown) => e instanceof MsalError && e.code === "ERR_DISCOVERY",
      );
    });
  }
});
