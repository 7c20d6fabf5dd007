import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createDefaultHttpClient } from "../../msal/src/http/index.js";
import type { DefaultHttpClient } from "../../msal/src/http/index.js";
import { fetchMexEndpoint, parseMex, wsTrustEndpointFromActiveAuthUrl } from "../../msal/src/protocol/mex.js";
import type { WsTrustEndpoint } from "../../msal/src/protocol/mex.js";
import { discoverUserRealm } from "../../msal/src/protocol/user-realm.js";
import { buildRequestSecurityToken } from "../../msal/src/protocol/ws-trust-envelope.js";
import { requestSamlAssertion } from "../../msal/src/protocol/ws-trust.js";
import { createEmulator } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { call } from "./support/https.js";

const TENANT = "3f9d2c1b-7a6e-4d5c-8b4a-9e8f7d6c5b4a";
const OTHER_TENANT = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const PUBLIC_APP = "c0ffee00-1111-4222-8333-444455556666";
const CONFIDENTIAL_APP = "c0ffee00-1111-4222-8333-777788889999";
const APP_SECRET = "app-secret~fabrikam";
const ALICE = "alice@fabrikam.example";
const ALICE_PASSWORD = `Pa<ss>&'"word 1`;
const EVE = "eve@fabrikam.example";
const EVE_PASSWORD = "  spaces around  ";
const ZOE = "zoë@fabrikam.example";
const BOB = "bob@fabrikam.onmicrosoft.com";
const CAROL = "carol@tailspin.example";
const SAML1_GRANT = "urn:ietf:params:oauth:grant-type:saml1_1-bearer";
const SCOPE = "https://graph.microsoft.com/User.Read openid profile offline_access";

let emu: Emulator;
let http: DefaultHttpClient;
let now = Math.floor(Date.now() / 1000);

before(async () => {
  emu = await createEmulator({
    clock: () => now,
    tenants: [
      {
        id: TENANT,
        domains: ["fabrikam.onmicrosoft.com", "fabrikam.example"],
        federatedDomains: ["fabrikam.example"],
        users: [
          { username: ALICE, password: ALICE_PASSWORD },
          { username: EVE, password: EVE_PASSWORD },
          { username: ZOE, password: "zoë-pässword" },
          { username: BOB, password: "bob-password" },
        ],
        apps: [
          { clientId: PUBLIC_APP, publicClient: true },
          { clientId: CONFIDENTIAL_APP, secrets: [APP_SECRET] },
        ],
      },
      {
        id: OTHER_TENANT,
        domains: ["tailspin.onmicrosoft.com"],
        federatedDomains: ["tailspin.example"],
        users: [{ username: CAROL, password: "carol-password" }],
        apps: [{ clientId: PUBLIC_APP, publicClient: true }],
      },
    ],
  });
  http = createDefaultHttpClient({ verify: { ca: emu.caCertificate } });
});
after(async () => {
  await http.close();
  await emu.close();
});

const federation = (path: string): string => `${emu.url}/federation/fabrikam.example${path}`;
const endpoint13 = (): WsTrustEndpoint => ({ address: federation("/trust/13/usernamemixed"), version: "1.3" });
const endpoint2005 = (): WsTrustEndpoint => ({ address: federation("/trust/2005/usernamemixed"), version: "2005" });

function postSoap(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return http(url, { method: "POST", headers: { "content-type": "application/soap+xml; charset=utf-8", ...headers }, body });
}

function envelope(endpoint: WsTrustEndpoint, overrides: { password?: string; username?: string; created?: number } = {}): string {
  return buildRequestSecurityToken({
    address: endpoint.address,
    version: endpoint.version,
    username: overrides.username ?? ALICE,
    password: overrides.password ?? ALICE_PASSWORD,
    appliesTo: "urn:federation:MicrosoftOnline",
    now: overrides.created ?? now,
    messageId: "urn:uuid:00000000-0000-4000-8000-000000000001",
  });
}

async function samlFor(endpoint: WsTrustEndpoint, username = ALICE, password = ALICE_PASSWORD): Promise<string> {
  return (await requestSamlAssertion(http, endpoint, { username, password })).assertion;
}

function redeem(assertion: string, form: Record<string, string> = {}, tenant = TENANT) {
  return call(`${emu.url}/${tenant}/oauth2/v2.0/token`, {
    ca: emu.caCertificate,
    form: {
      grant_type: SAML1_GRANT,
      client_id: PUBLIC_APP,
      assertion: Buffer.from(assertion, "utf8").toString("base64url"),
      scope: SCOPE,
      client_info: "1",
      ...form,
    },
  });
}

describe("user realm discovery", () => {
  const cases: { name: string; username: string; want: Record<string, unknown> }[] = [
    {
      name: "a user of a federated domain",
      username: ALICE,
      want: { ver: "1.0", account_type: "Federated", domain_name: "fabrikam.example", federation_protocol: "WSTrust" },
    },
    {
      name: "an unknown name in a federated domain (Entra answers from the domain)",
      username: "nobody@FABRIKAM.example",
      want: { ver: "1.0", account_type: "Federated", domain_name: "fabrikam.example", federation_protocol: "WSTrust" },
    },
    { name: "a managed domain", username: BOB, want: { ver: "1.0", account_type: "Managed", domain_name: "fabrikam.onmicrosoft.com" } },
    { name: "a domain no tenant has", username: "dave@unknown.example", want: { ver: "1.0", account_type: "Unknown" } },
    { name: "a name without a domain", username: "dave", want: { ver: "1.0", account_type: "Unknown" } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const realm = await discoverUserRealm(http, emu.host, c.username);
      assert.ok(realm);
      for (const [k, v] of Object.entries(c.want)) assert.equal(realm[k], v, k);
      assert.equal(realm.cloud_instance_name, "microsoftonline.com");
      assert.equal(realm.cloud_audience_urn, "urn:federation:MicrosoftOnline");
      if (c.want.account_type === "Federated") {
        assert.equal(realm.federation_metadata_url, federation("/mex"));
        assert.equal(realm.federation_active_auth_url, federation("/trust/13/usernamemixed"));
      } else {
        assert.equal(realm.federation_metadata_url, undefined);
        if (c.want.account_type === "Unknown") assert.equal(realm.domain_name, undefined);
      }
    });
  }

  test("answers JSON with Entra's content type", async () => {
    const r = await call(`${emu.url}/common/userrealm/${encodeURIComponent(ALICE)}?api-version=1.0`, { ca: emu.caCertificate });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/json; charset=utf-8");
  });

  test("the active auth URL names its WS-Trust version", async () => {
    const realm = await discoverUserRealm(http, emu.host, ALICE);
    assert.deepEqual(wsTrustEndpointFromActiveAuthUrl(String(realm?.federation_active_auth_url)), endpoint13());
  });
});

describe("MEX", () => {
  test("the library finds the https WS-Trust 1.3 username endpoint among the advertised ones", async () => {
    const realm = await discoverUserRealm(http, emu.host, ALICE);
    assert.deepEqual(await fetchMexEndpoint(http, String(realm?.federation_metadata_url)), endpoint13());
  });

  test("the document advertises 2005 and non-username endpoints too, as AD FS does", async () => {
    const r = await call(federation("/mex"), { ca: emu.caCertificate });
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-type"]), /^text\/xml/);
    for (const path of ["/trust/13/usernamemixed", "/trust/2005/usernamemixed", "/trust/13/windowstransport", "/trust/13/certificatemixed"]) {
      assert.ok(r.text.includes(federation(path)), path);
    }
    // Without the 1.3 port, the same document yields the 2005 endpoint.
    const without13 = r.text.replace(/<wsdl:port name="UserNameWSTrustBinding_IWSTrust13Async"[\s\S]*?<\/wsdl:port>/, "");
    assert.deepEqual(parseMex(without13), endpoint2005());
  });

  test("a path naming no federated domain is 404", async () => {
    for (const domain of ["fabrikam.onmicrosoft.com", "unknown.example"]) {
      const r = await call(`${emu.url}/federation/${domain}/mex`, { ca: emu.caCertificate });
      assert.equal(r.status, 404, domain);
    }
  });
});

describe("WS-Trust", () => {
  for (const [version, endpoint] of [["1.3", endpoint13], ["2005", endpoint2005]] as const) {
    test(`WS-Trust ${version}: the right password gets a SAML 1.1 assertion for Entra ID`, async () => {
      const got = await requestSamlAssertion(http, endpoint(), { username: ALICE, password: ALICE_PASSWORD });
      assert.equal(got.tokenType, "urn:oasis:names:tc:SAML:1.0:assertion");
      assert.equal(got.grantType, SAML1_GRANT);
      const a = got.assertion;
      assert.match(a, /^<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="_[0-9a-f-]{36}" /);
      assert.ok(a.includes(`Issuer="http://${emu.host}/federation/fabrikam.example/services/trust"`));
      const notBefore = /NotBefore="([^"]+)"/.exec(a)?.[1];
      const notOnOrAfter = /NotOnOrAfter="([^"]+)"/.exec(a)?.[1];
      assert.equal((Date.parse(String(notOnOrAfter)) - Date.parse(String(notBefore))) / 1000, 3600);
      assert.ok(a.includes("<saml:Audience>urn:federation:MicrosoftOnline</saml:Audience>"));
      assert.ok(a.includes(`AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>${ALICE}<`));
      assert.match(a, /AttributeName="ImmutableID"[^>]*><saml:AttributeValue>[A-Za-z0-9+/]{22}==</);
      assert.ok(a.includes('AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password"'));
      assert.ok(a.includes("urn:oasis:names:tc:SAML:1.0:cm:bearer"));
    });
  }

  test("the RSTR is SOAP 1.2, relates to the request, and has the version's shape", async () => {
    const r13 = await postSoap(endpoint13().address, envelope(endpoint13()));
    assert.equal(r13.status, 200);
    assert.equal(r13.headers.get("content-type"), "application/soap+xml; charset=utf-8");
    const text13 = await r13.text();
    assert.ok(text13.includes("<a:RelatesTo>urn:uuid:00000000-0000-4000-8000-000000000001</a:RelatesTo>"));
    assert.ok(text13.includes("http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal"));
    assert.ok(text13.includes("<t:RequestSecurityTokenResponseCollection"));
    const r2005 = await postSoap(endpoint2005().address, envelope(endpoint2005()));
    const text2005 = await r2005.text();
    assert.ok(!text2005.includes("RequestSecurityTokenResponseCollection"));
    assert.ok(text2005.includes("http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue"));
  });

  const refusals: { name: string; username: string; password: string }[] = [
    { name: "a wrong password", username: ALICE, password: "Guessed#Password-7" },
    { name: "the password unescaped-looking", username: ALICE, password: "Pa&lt;ss&gt;&amp;'\"word 1" },
    { name: "an unknown user", username: "nobody@fabrikam.example", password: ALICE_PASSWORD },
    { name: "a managed user", username: BOB, password: "bob-password" },
    { name: "another tenant's federated user", username: CAROL, password: "carol-password" },
  ];
  for (const r of refusals) {
    test(`${r.name}: SOAP fault a:FailedAuthentication with HTTP 500`, async () => {
      await assert.rejects(requestSamlAssertion(http, endpoint13(), { username: r.username, password: r.password }), (e: Error & { code?: string }) => {
        assert.equal(e.code, "ERR_WS_TRUST");
        assert.match(e.message, /HTTP 500/);
        assert.match(e.message, /a:FailedAuthentication/);
        assert.match(e.message, /ID3242/);
        assert.ok(!e.message.includes(r.password));
        return true;
      });
    });
  }

  test("passwords with markup characters and surrounding spaces are taken exactly", async () => {
    assert.ok(await samlFor(endpoint13(), ALICE, ALICE_PASSWORD));
    assert.ok(await samlFor(endpoint2005(), EVE, EVE_PASSWORD));
    await assert.rejects(samlFor(endpoint13(), EVE, EVE_PASSWORD.trim()), { code: "ERR_WS_TRUST" });
  });

  test("an assertion for a name beyond ASCII is written in ASCII (MSAL Python encodes it so) and redeems", async () => {
    const assertion = await samlFor(endpoint2005(), ZOE, "zoë-pässword");
    assert.match(assertion, /^[\x20-\x7e]+$/);
    assert.ok(assertion.includes("zo&#235;@fabrikam.example"));
    const r = await redeem(assertion);
    assert.equal(r.status, 200, r.text);
  });

  const windows: { name: string; created: number; fault?: RegExp }[] = [
    { name: "a timestamp created now", created: 0 },
    { name: "an expired timestamp within the 5-minute skew", created: -14 * 60 },
    { name: "an expired timestamp", created: -20 * 60, fault: /a:MessageExpired/ },
    { name: "a timestamp from the future within the skew", created: 4 * 60 },
    { name: "a timestamp from the future", created: 10 * 60, fault: /a:InvalidSecurity/ },
  ];
  for (const w of windows) {
    test(`the timestamp window: ${w.name}`, async () => {
      const r = await postSoap(endpoint13().address, envelope(endpoint13(), { created: now + w.created }));
      const text = await r.text();
      if (!w.fault) {
        assert.equal(r.status, 200, text);
        return;
      }
      assert.equal(r.status, 500);
      assert.match(text, w.fault);
      assert.match(text, /<s:Value>s:Sender<\/s:Value>/);
      assert.ok(text.includes("<a:RelatesTo>urn:uuid:00000000-0000-4000-8000-000000000001</a:RelatesTo>"));
    });
  }

  const malformed: { name: string; body: () => string; headers?: Record<string, string>; status: number; match: RegExp; url?: () => string }[] = [
    { name: "a body that is not XML", body: () => "username=alice&password=x", status: 400, match: /a:InvalidRequest/ },
    {
      name: "a DTD",
      body: () => `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${envelope(endpoint13())}`,
      status: 400,
      match: /DTDs and entity declarations are not accepted/,
    },
    { name: "a form content type", body: () => envelope(endpoint13()), headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, match: /content type/ },
    { name: "a 1.3 request at the 2005 endpoint", body: () => envelope(endpoint13()), url: () => endpoint2005().address, status: 500, match: /a:ActionNotSupported/ },
    {
      name: "a SOAP 1.1 envelope",
      body: () => envelope(endpoint13()).replaceAll("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/"),
      status: 400,
      match: /not a SOAP 1.2 envelope/,
    },
    {
      name: "a request for a proof key",
      body: () => envelope(endpoint13()).replace("ws-trust/200512/Bearer", "ws-trust/200512/SymmetricKey"),
      status: 500,
      match: /bearer tokens only/,
    },
    {
      name: "a digest password",
      body: () => envelope(endpoint13()).replace("<wsse:Password>", '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">'),
      status: 500,
      match: /a:UnsupportedSecurityToken/,
    },
  ];
  for (const m of malformed) {
    test(`refuses ${m.name}`, async () => {
      const r = await postSoap(m.url?.() ?? endpoint13().address, m.body(), m.headers);
      assert.equal(r.status, m.status);
      assert.match(await r.text(), m.match);
    });
  }

  test("an AppliesTo other than urn:federation:MicrosoftOnline is an invalid scope", async () => {
    await assert.rejects(
      requestSamlAssertion(http, endpoint13(), { username: ALICE, password: ALICE_PASSWORD, appliesTo: "urn:federation:other" }),
      (e: Error) => /InvalidScope/.test(e.message) && /ID3082/.test(e.message),
    );
  });

  test("a WS-Trust path naming no federated domain is 404", async () => {
    const r = await postSoap(`${emu.url}/federation/fabrikam.onmicrosoft.com/trust/13/usernamemixed`, envelope(endpoint13()));
    assert.equal(r.status, 404);
  });
});

describe("SAML bearer grant", () => {
  test("the whole federated sign-in: realm, MEX, WS-Trust, then tokens for the assertion", async () => {
    const realm = await discoverUserRealm(http, emu.host, ALICE);
    const endpoint = await fetchMexEndpoint(http, String(realm?.federation_metadata_url));
    assert.ok(endpoint);
    const saml = await requestSamlAssertion(http, endpoint, { username: ALICE, password: ALICE_PASSWORD, appliesTo: String(realm?.cloud_audience_urn) });
    const r = await redeem(saml.assertion, { grant_type: saml.grantType });
    assert.equal(r.status, 200, r.text);
    const body = r.json<Record<string, string>>();
    assert.ok(body.access_token && body.refresh_token && body.id_token && body.client_info);
    const claims = JSON.parse(Buffer.from(String(body.id_token.split(".")[1]), "base64url").toString()) as Record<string, unknown>;
    assert.equal(claims.preferred_username, ALICE);
    assert.equal(claims.tid, TENANT);
  });

  test("an assertion may be redeemed again while valid, with the saml2-bearer grant name too, and on /organizations", async () => {
    const assertion = await samlFor(endpoint13());
    assert.equal((await redeem(assertion)).status, 200);
    assert.equal((await redeem(assertion, { grant_type: "urn:ietf:params:oauth:grant-type:saml2-bearer" })).status, 200);
    const r = await redeem(assertion, {}, "organizations");
    assert.equal(r.status, 200, r.text);
  });

  test("a confidential client must authenticate", async () => {
    const assertion = await samlFor(endpoint13());
    assert.equal((await redeem(assertion, { client_id: CONFIDENTIAL_APP })).status, 401);
    assert.equal((await redeem(assertion, { client_id: CONFIDENTIAL_APP, client_secret: APP_SECRET })).status, 200);
  });

  const refusals: { name: string; assertion: () => Promise<string>; tenant?: string; code: number }[] = [
    {
      name: "a tampered assertion",
      assertion: async () => (await samlFor(endpoint13())).replace("alice@fabrikam.example", "bob@fabrikam.example"),
      code: 50008,
    },
    { name: "an assertion the federation service never issued", assertion: async () => (await samlFor(endpoint13())).replace(/AssertionID="_[^"]+"/, 'AssertionID="_forged"'), code: 50008 },
    { name: "something that is not XML", assertion: async () => "not a SAML assertion", code: 50008 },
    { name: "an assertion for another tenant", assertion: () => samlFor(endpoint13()), tenant: OTHER_TENANT, code: 50107 },
  ];
  for (const r of refusals) {
    test(`refuses ${r.name}`, async () => {
      const response = await redeem(await r.assertion(), {}, r.tenant);
      assert.equal(response.status, 400);
      const body = response.json();
      assert.equal(body.error, "invalid_grant");
      assert.deepEqual(body.error_codes, [r.code]);
    });
  }

  test("refuses an assertion once it expired (after 1 hour)", async () => {
    const assertion = await samlFor(endpoint13());
    const start = now;
    try {
      now = start + 3599;
      assert.equal((await redeem(assertion)).status, 200);
      now = start + 3600;
      const r = await redeem(assertion);
      assert.equal(r.status, 400);
      assert.deepEqual(r.json().error_codes, [50013]);
    } finally {
      now = start;
    }
  });

  test("refuses /common and a missing assertion", async () => {
    const assertion = await samlFor(endpoint13());
    assert.deepEqual((await redeem(assertion, {}, "common")).json().error_codes, [9001023]);
    const r = await call(`${emu.url}/${TENANT}/oauth2/v2.0/token`, {
      ca: emu.caCertificate,
      form: { grant_type: SAML1_GRANT, client_id: PUBLIC_APP, scope: SCOPE },
    });
    assert.equal(r.json().error, "invalid_request");
  });
});
