import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { _clearDiscoveryCache, getAuthorityAliases, parseAuthority, parseOidcAuthority } from "../../src/authority/index.js";
import { NetworkError } from "../../src/errors.js";
import { deferred, fakeHttpClient, json } from "./fake-http-client.js";

const LOOKUP =
  "https://login.microsoftonline.com/common/discovery/instance?api-version=1.1" +
  "&authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.com%2Fcommon%2Foauth2%2Fauthorize";

const METADATA = {
  tenant_discovery_endpoint: "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
  "api-version": "1.1",
  metadata: [
    {
      preferred_network: "login.microsoftonline.com",
      preferred_cache: "login.windows.net",
      aliases: ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"],
    },
    {
      preferred_network: "login.partner.microsoftonline.cn",
      preferred_cache: "login.partner.microsoftonline.cn",
      aliases: ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
    },
    { preferred_network: "login.microsoftonline.us", preferred_cache: "login.microsoftonline.us", aliases: ["login.microsoftonline.us", "login.usgovcloudapi.net"] },
  ],
};

beforeEach(() => _clearDiscoveryCache());

describe("getAuthorityAliases", () => {
  it("asks instance discovery 1.1 at the world-wide host and returns the host's group, host first", async () => {
    const http = fakeHttpClient({ [LOOKUP]: json(METADATA) });
    const aliases = await getAuthorityAliases(parseAuthority("https://login.windows.net/common"), { httpClient: http });
    assert.deepEqual(aliases, ["login.windows.net", "login.microsoftonline.com", "login.microsoft.com", "sts.windows.net"]);
    assert.deepEqual(
      http.requests.map((r) => r.url),
      [LOOKUP],
    );
    assert.ok(Object.isFrozen(aliases));
  });

  it("asks the world-wide host for a sovereign cloud too", async () => {
    const http = fakeHttpClient({ [LOOKUP]: json(METADATA) });
    const aliases = await getAuthorityAliases(parseAuthority("https://login.chinacloudapi.cn/organizations"), { httpClient: http });
    assert.deepEqual(aliases, ["login.chinacloudapi.cn", "login.partner.microsoftonline.cn"]);
  });

  it("accepts a bare host name", async () => {
    const http = fakeHttpClient({ [LOOKUP]: json(METADATA) });
    assert.deepEqual(await getAuthorityAliases("Login.MicrosoftOnline.US", { httpClient: http }), [
      "login.microsoftonline.us",
      "login.usgovcloudapi.net",
    ]);
  });

  it("returns just the host when no group has it", async () => {
    const http = fakeHttpClient({ [LOOKUP]: json(METADATA) });
    assert.deepEqual(await getAuthorityAliases(parseAuthority("https://private.cloud/foo"), { httpClient: http }), ["private.cloud"]);
  });

  const skips: [string, Parameters<typeof getAuthorityAliases>[0], object][] = [
    ["instanceDiscovery is false", parseAuthority("https://login.microsoftonline.com/common"), { instanceDiscovery: false }],
    ["validateAuthority is false", parseAuthority("https://login.microsoftonline.com/common"), { validateAuthority: false }],
    ["the authority was parsed with validateAuthority false", parseAuthority("https://contoso.com/common", { validateAuthority: false }), {}],
    ["the authority is AD FS", parseAuthority("https://contoso.com/adfs"), {}],
    ["the authority is B2C", parseAuthority("https://login.b2clogin.com/contoso/b2c_policy"), {}],
    ["the authority is CIAM", parseAuthority("https://contoso.ciamlogin.com"), {}],
    ["the authority is OIDC", parseOidcAuthority("https://contoso.com/tenant"), {}],
  ];
  for (const [name, authority, settings] of skips) {
    it(`makes no request and returns [host] when ${name}`, async () => {
      const http = fakeHttpClient({ [LOOKUP]: json(METADATA) });
      const host = typeof authority === "string" ? authority : authority.host;
      assert.deepEqual(await getAuthorityAliases(authority, { httpClient: http, ...settings }), [host]);
      assert.equal(http.requests.length, 0);
    });
  }

  it("uses a custom instance discovery endpoint, so an offline setup stays offline", async () => {
    const custom =
      "https://localhost:8443/common/discovery/instance?api-version=1.1" +
      "&authorization_endpoint=https%3A%2F%2Flogin.microsoftonline.com%2Fcommon%2Foauth2%2Fauthorize";
    const http = fakeHttpClient({ [custom]: json({ metadata: [{ aliases: ["localhost", "127.0.0.1"] }] }) });
    const aliases = await getAuthorityAliases(parseAuthority("https://localhost:8443/common"), {
      httpClient: http,
      instanceDiscovery: "https://localhost:8443/common/discovery/instance",
    });
    assert.deepEqual(aliases, ["localhost", "127.0.0.1"]);
    assert.equal(http.requests.length, 1);
  });

  it("looks up once per process, even for concurrent callers", async () => {
    const held = deferred<void>();
    const http = fakeHttpClient({
      [LOOKUP]: async () => {
        await held.promise;
        return json(METADATA);
      },
    });
    const other = fakeHttpClient({});
    const all = Array.from({ length: 5 }, () => getAuthorityAliases("login.microsoftonline.com", { httpClient: http }));
    held.resolve();
    await Promise.all(all);
    await getAuthorityAliases("sts.windows.net", { httpClient: other });
    assert.equal(http.requests.length, 1);
    assert.equal(other.requests.length, 0);
  });

  it("throws a NetworkError on an HTTP error and does not keep it", async () => {
    const http = fakeHttpClient({ [LOOKUP]: [json({ error: "server_error" }, 500), json(METADATA)] });
    await assert.rejects(
      getAuthorityAliases("login.microsoftonline.com", { httpClient: http }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_HTTP_STATUS" && e.status === 500,
    );
    assert.equal((await getAuthorityAliases("login.microsoftonline.com", { httpClient: http })).length, 4);
    assert.equal(http.requests.length, 2);
  });

  it("throws ERR_INVALID_RESPONSE for an answer without metadata", async () => {
    const http = fakeHttpClient({ [LOOKUP]: json({ tenant_discovery_endpoint: "https://x/y" }) });
    await assert.rejects(getAuthorityAliases("login.microsoftonline.com", { httpClient: http }), { code: "ERR_INVALID_RESPONSE" });
  });
});
