import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AZURE_CHINA,
  AZURE_PUBLIC,
  AZURE_US_GOVERNMENT,
  AzureCloudInstance,
  buildAuthorityUrl,
  DEFAULT_AUTHORITY,
  parseAuthority,
  parseOidcAuthority,
  resolveAuthorityConfig,
  WELL_KNOWN_AUTHORITY_HOSTS,
} from "../../src/authority/index.js";
import type { AuthorityDescriptor } from "../../src/authority/index.js";
import { MsalError } from "../../src/errors.js";

const GUID = "72f988bf-86f1-41af-91ab-2d7cd011db47";

type Expect = Partial<AuthorityDescriptor>;

const table: [string, Expect][] = [
  [
    "https://login.microsoftonline.com/common",
    {
      kind: "aad",
      url: "https://login.microsoftonline.com/common",
      host: "login.microsoftonline.com",
      instance: "login.microsoftonline.com",
      tenant: "common",
      path: "/common",
      isKnownToDeveloper: false,
      isB2c: false,
      isAdfs: false,
      openIdConfigurationUrl: "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
    },
  ],
  ["https://login.microsoftonline.com/organizations", { kind: "aad", tenant: "organizations" }],
  ["https://login.microsoftonline.com/consumers", { kind: "aad", tenant: "consumers" }],
  [`https://login.microsoftonline.com/${GUID}`, { kind: "aad", tenant: GUID }],
  [
    "https://Login.MicrosoftOnline.com/Contoso.onmicrosoft.com/",
    {
      kind: "aad",
      host: "login.microsoftonline.com",
      tenant: "Contoso.onmicrosoft.com",
      url: "https://login.microsoftonline.com/Contoso.onmicrosoft.com",
      openIdConfigurationUrl:
        "https://login.microsoftonline.com/Contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
    },
  ],
  [`https://${AZURE_CHINA}/organizations`, { kind: "aad", host: AZURE_CHINA, tenant: "organizations" }],
  [`https://${AZURE_US_GOVERNMENT}/common`, { kind: "aad", host: AZURE_US_GOVERNMENT }],
  ["https://login-us.microsoftonline.com/common", { kind: "aad", host: "login-us.microsoftonline.com" }],
  [
    "https://localhost:8443/contoso/",
    {
      kind: "aad",
      host: "localhost",
      instance: "localhost:8443",
      url: "https://localhost:8443/contoso",
      openIdConfigurationUrl: "https://localhost:8443/contoso/v2.0/.well-known/openid-configuration",
    },
  ],
  ["https://login.microsoftonline.com:443/common", { instance: "login.microsoftonline.com", url: DEFAULT_AUTHORITY }],
  [
    "https://example.com/tenant/subpath?foo=bar#fragment",
    {
      kind: "aad",
      tenant: "tenant",
      path: "/tenant/subpath",
      query: "?foo=bar",
      url: "https://example.com/tenant/subpath",
      openIdConfigurationUrl: "https://example.com/tenant/subpath/v2.0/.well-known/openid-configuration?foo=bar",
    },
  ],
  ["https://example.com/tenant#fragment", { tenant: "tenant", query: "", url: "https://example.com/tenant" }],
  [
    "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/b2c_1_signupsignin",
    {
      kind: "b2c",
      tenant: "fabrikamb2c.onmicrosoft.com",
      isB2c: true,
      isKnownToDeveloper: true,
      openIdConfigurationUrl:
        "https://fabrikamb2c.b2clogin.com/fabrikamb2c.onmicrosoft.com/b2c_1_signupsignin/v2.0/.well-known/openid-configuration",
    },
  ],
  ["https://login.b2clogin.com/contoso/b2c_policy", { kind: "b2c", isKnownToDeveloper: true }],
  ["https://fabrikam.b2clogin.cn/fabrikam.partner.onmschina.cn/policy", { kind: "b2c" }],
  // Any host, when the path is exactly /tenant/b2c_policy.
  ["https://auth.contoso.com/contoso.onmicrosoft.com/B2C_1_SignIn", { kind: "b2c", isKnownToDeveloper: true }],
  ["https://auth.contoso.com/contoso.onmicrosoft.com/B2C_1_SignIn/extra", { kind: "aad", isKnownToDeveloper: false }],
  [
    "https://fs.contoso.com/adfs",
    {
      kind: "adfs",
      tenant: "adfs",
      isAdfs: true,
      isKnownToDeveloper: true,
      openIdConfigurationUrl: "https://fs.contoso.com/adfs/.well-known/openid-configuration",
    },
  ],
  ["https://fs.contoso.com/ADFS/", { kind: "adfs", tenant: "ADFS", isAdfs: true }],
  [
    "https://contoso.ciamlogin.com",
    {
      kind: "ciam",
      tenant: "contoso.onmicrosoft.com",
      path: "/contoso.onmicrosoft.com",
      url: "https://contoso.ciamlogin.com/contoso.onmicrosoft.com",
      isB2c: true,
      isKnownToDeveloper: true,
      openIdConfigurationUrl:
        "https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
    },
  ],
  ["https://contoso.ciamlogin.com/", { kind: "ciam", tenant: "contoso.onmicrosoft.com" }],
  [
    "https://contoso.ciamlogin.com/anything",
    {
      kind: "ciam",
      tenant: "anything",
      openIdConfigurationUrl: "https://contoso.ciamlogin.com/anything/v2.0/.well-known/openid-configuration",
    },
  ],
  // On a CIAM host an adfs segment is just a tenant name.
  ["https://contoso.ciamlogin.com/adfs", { kind: "ciam", isAdfs: false }],
];

describe("parseAuthority", () => {
  for (const [url, expected] of table) {
    it(`parses ${url}`, () => {
      const a = parseAuthority(url);
      assert.equal(a.configuredUrl, url);
      for (const [key, value] of Object.entries(expected)) {
        assert.equal(a[key as keyof AuthorityDescriptor], value, key);
      }
      assert.ok(Object.isFrozen(a));
    });
  }

  it("marks the authority known to the developer when validateAuthority is false", () => {
    assert.equal(parseAuthority("https://private.cloud/foo").isKnownToDeveloper, false);
    assert.equal(parseAuthority("https://private.cloud/foo", { validateAuthority: false }).isKnownToDeveloper, true);
  });

  const rejected: [string, RegExp][] = [
    ["http://login.microsoftonline.com/common", /https/],
    ["http://localhost:8443/common", /https is required/],
    ["https://no.tenant.example.com", /no tenant/],
    ["https://no.tenant.example.com/", /no tenant/],
    ["https://example.com//tenant", /no tenant/],
    ["login.microsoftonline.com/common", /https/],
    ["not a url", /https/],
  ];
  for (const [url, message] of rejected) {
    it(`rejects ${url}`, () => {
      assert.throws(
        () => parseAuthority(url),
        (e: unknown) => e instanceof MsalError && e.code === "ERR_AUTHORITY" && message.test(e.message),
      );
    });
  }

  it("rejects a URL that is not a string with a TypeError", () => {
    assert.throws(() => parseAuthority(42 as unknown as string), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  });
});

describe("parseOidcAuthority", () => {
  it("appends /.well-known/openid-configuration and is known to the developer", () => {
    const a = parseOidcAuthority("https://contoso.com/tenant");
    assert.equal(a.kind, "oidc");
    assert.equal(a.tenant, "tenant");
    assert.equal(a.openIdConfigurationUrl, "https://contoso.com/tenant/.well-known/openid-configuration");
    assert.equal(a.isKnownToDeveloper, true);
    assert.equal(a.isB2c, true);
    assert.equal(a.isAdfs, false);
  });

  it("keeps a dSTS-style path as it is", () => {
    const a = parseOidcAuthority("https://test-instance1-dsts.dsts.core.azure-test.net/dstsv2/common/");
    assert.equal(
      a.openIdConfigurationUrl,
      "https://test-instance1-dsts.dsts.core.azure-test.net/dstsv2/common/.well-known/openid-configuration",
    );
    assert.equal(a.tenant, "dstsv2");
  });

  it("treats an adfs first segment as AD FS", () => {
    assert.equal(parseOidcAuthority("https://fs.contoso.com/adfs").isAdfs, true);
  });

  it("requires https", () => {
    assert.throws(() => parseOidcAuthority("http://contoso.com/tenant"), { code: "ERR_AUTHORITY" });
  });
});

describe("resolveAuthorityConfig", () => {
  it("defaults to the common authority of the public cloud", () => {
    assert.equal(resolveAuthorityConfig({}).url, DEFAULT_AUTHORITY);
    assert.equal(resolveAuthorityConfig({ authority: "" }).url, "https://login.microsoftonline.com/common");
  });

  it("uses oidcAuthority when given", () => {
    assert.equal(resolveAuthorityConfig({ oidcAuthority: "https://contoso.com/tenant" }).kind, "oidc");
  });

  it("passes validateAuthority on", () => {
    const a = resolveAuthorityConfig({ authority: "https://contoso.com/common", validateAuthority: false });
    assert.equal(a.isKnownToDeveloper, true);
  });

  it("rejects authority and oidcAuthority together", () => {
    assert.throws(
      () =>
        resolveAuthorityConfig({
          authority: "https://login.microsoftonline.com/common",
          oidcAuthority: "https://contoso.com/tenant",
        }),
      (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === "ERR_INVALID_ARG_VALUE" && /not both/.test(e.message),
    );
  });

  it("rejects settings of the wrong type", () => {
    assert.throws(() => resolveAuthorityConfig({ authority: 1 as unknown as string }), { code: "ERR_INVALID_ARG_TYPE" });
    assert.throws(() => resolveAuthorityConfig({ validateAuthority: "no" as unknown as boolean }), {
      code: "ERR_INVALID_ARG_TYPE",
    });
    assert.throws(() => resolveAuthorityConfig({ instanceDiscovery: 0 as unknown as boolean }), {
      code: "ERR_INVALID_ARG_TYPE",
    });
    assert.throws(() => resolveAuthorityConfig({ instanceDiscovery: "http://localhost/discovery/instance" }), {
      code: "ERR_INVALID_ARG_VALUE",
    });
  });

  it("accepts an https instance discovery endpoint", () => {
    assert.doesNotThrow(() => resolveAuthorityConfig({ instanceDiscovery: "https://localhost:8443/common/discovery/instance" }));
  });

  it("rejects an http authority with ERR_AUTHORITY", () => {
    assert.throws(() => resolveAuthorityConfig({ authority: "http://login.microsoftonline.com/common" }), {
      code: "ERR_AUTHORITY",
    });
  });
});

describe("authority hosts", () => {
  it("names the clouds as MSAL Python does", () => {
    assert.equal(AZURE_PUBLIC, "login.microsoftonline.com");
    assert.equal(AZURE_CHINA, "login.chinacloudapi.cn");
    assert.equal(AZURE_US_GOVERNMENT, "login.microsoftonline.us");
    assert.deepEqual(AzureCloudInstance, { AZURE_PUBLIC, AZURE_CHINA, AZURE_US_GOVERNMENT });
    assert.deepEqual(
      [...WELL_KNOWN_AUTHORITY_HOSTS].sort(),
      ["login-us.microsoftonline.com", "login.chinacloudapi.cn", "login.microsoftonline.com", "login.microsoftonline.us"],
    );
    assert.equal(WELL_KNOWN_AUTHORITY_HOSTS.has("login.windows.net"), false);
  });

  it("builds an authority URL from a host and a tenant", () => {
    assert.equal(buildAuthorityUrl(`${AZURE_US_GOVERNMENT}/`, "/common/"), "https://login.microsoftonline.us/common");
  });
});
