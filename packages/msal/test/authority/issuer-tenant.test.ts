// A tenant's OpenID configuration whose issuer names another tenant is refused at discovery, so it is
// never memoised (it would fail every ID token of the process for a day); the next discovery asks again.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { _clearDiscoveryCache, discoverAuthority, parseAuthority } from "../../src/authority/index.js";
import { MsalError } from "../../src/errors.js";
import { fakeHttpClient, json, openIdDocument } from "./fake-http-client.js";

const WW = "https://login.microsoftonline.com";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OTHER = "f0f0f0f0-0000-4000-8000-00000000fa17";
const CONSUMERS = "9188040d-6c67-4c5b-b112-36a304b66dad";
const docUrl = (tenant: string): string => `${WW}/${tenant}/v2.0/.well-known/openid-configuration`;

beforeEach(() => _clearDiscoveryCache());

describe("the issuer of a tenant's OpenID configuration", () => {
  it("naming another tenant GUID: ERR_DISCOVERY, not memoised; the next discovery asks again", async () => {
    const http = fakeHttpClient({
      [docUrl(TENANT)]: [json(openIdDocument(`${WW}/${TENANT}`, { issuer: `${WW}/${OTHER}/v2.0` })), json(openIdDocument(`${WW}/${TENANT}`))],
    });
    await assert.rejects(
      discoverAuthority(parseAuthority(`${WW}/${TENANT}`), { httpClient: http }),
      (e: unknown) => e instanceof MsalError && e.code === "ERR_DISCOVERY" && e.message.includes(`issuer ${WW}/${OTHER}/v2.0 names another tenant`),
    );
    const m = await discoverAuthority(parseAuthority(`${WW}/${TENANT}`), { httpClient: http });
    assert.equal(m.issuer, `${WW}/${TENANT}/v2.0`);
    assert.equal(http.requests.length, 2);
  });

  it("accepted: the same GUID in another case, the multi-tenant placeholder, consumers, a non-GUID path", async () => {
    const cases: Array<[string, string]> = [
      [TENANT, `https://login.microsoftonline.us/${TENANT.toUpperCase()}/v2.0`],
      ["common", `${WW}/{tenantid}/v2.0`],
      ["consumers", `${WW}/${CONSUMERS}/v2.0`],
      [TENANT, `https://sts.example/tfp/${OTHER}/policy/v2.0/`],
    ];
    for (const [tenant, issuer] of cases) {
      const http = fakeHttpClient({ [docUrl(tenant)]: json(openIdDocument(`${WW}/${tenant}`, { issuer })) });
      const m = await discoverAuthority(parseAuthority(`${WW}/${tenant}`), { httpClient: http });
      assert.equal(m.issuer, issuer, `${tenant} with ${issuer}`);
      _clearDiscoveryCache();
    }
  });
});
