import assert from "node:assert/strict";
import { test } from "node:test";
import { fetchMexEndpoint, parseMex, wsTrustEndpointFromActiveAuthUrl } from "../../src/protocol/mex.js";
import type { WsTrustEndpoint } from "../../src/protocol/mex.js";
import { fakeHttpClient } from "../authority/fake-http-client.js";
import { adfsMex, POLICIES, STS, withOtherPrefixes } from "./mex-fixtures.js";

const TRUST = `https://${STS}/adfs/services/trust`;
const V13: WsTrustEndpoint = { address: `${TRUST}/13/usernamemixed`, version: "1.3" };
const V2005: WsTrustEndpoint = { address: `${TRUST}/2005/usernamemixed`, version: "2005" };

const vectors: { name: string; xml: string; want: WsTrustEndpoint | undefined }[] = [
  { name: "AD FS with every endpoint: the https WS-Trust 1.3 username endpoint", xml: adfsMex(), want: V13 },
  {
    name: "1.3 is preferred even when 2005 comes first",
    xml: adfsMex({ ports: ["username2005", "windows13", "username13"] }),
    want: V13,
  },
  {
    name: "a 1.3 endpoint over http is skipped for an https 2005 one",
    xml: adfsMex({ ports: ["windows13", "certificate13", "username13Http", "username2005"] }),
    want: V2005,
  },
  { name: "only http username endpoints: none", xml: adfsMex({ ports: ["windows13", "username13Http"] }), want: undefined },
  {
    name: "only Windows and certificate endpoints: none",
    xml: adfsMex({ ports: ["windows13", "certificate13"] }),
    want: undefined,
  },
  {
    name: "a username policy bound with SOAP 1.1 is not SOAP 1.2: skipped",
    xml: adfsMex({ ports: ["username13Soap11", "username2005"] }),
    want: V2005,
  },
  {
    name: "a username token without a transport binding: skipped",
    xml: adfsMex({ ports: ["usernameWithoutTransport", "username2005"] }),
    want: V2005,
  },
  {
    name: "a port whose binding's policy is missing: skipped",
    xml: adfsMex({ policies: ["windows", "certificate", "username2005"] }),
    want: V2005,
  },
  { name: "every prefix renamed: namespaces decide, not prefixes", xml: withOtherPrefixes(adfsMex()), want: V13 },
  {
    name: "a WSDL inside a WS-MetadataExchange Metadata section",
    xml:
      `<mex:Metadata xmlns:mex="http://schemas.xmlsoap.org/ws/2004/09/mex"><mex:MetadataSection Dialect="http://schemas.xmlsoap.org/wsdl/">` +
      adfsMex({ ports: ["username2005"] }).replace(/^<\?xml[^>]*\?>/, "") +
      `</mex:MetadataSection></mex:Metadata>`,
    want: V2005,
  },
  {
    name: "a policy element named like WS-Policy but in another namespace does not count",
    xml: adfsMex({ ports: ["username13"] }).replace(
      POLICIES.username13.trim(),
      POLICIES.username13.trim().replace("<wsp:Policy wsu:Id", '<wsp:Policy xmlns:wsp="urn:not-ws-policy" wsu:Id'),
    ),
    want: undefined,
  },
  { name: "well-formed XML that is no WSDL: none", xml: "<html><body>Sign in</body></html>", want: undefined },
];

for (const v of vectors) {
  test(`parseMex: ${v.name}`, () => {
    assert.deepEqual(parseMex(v.xml), v.want);
  });
}

const malformed: { name: string; xml: string; reason: RegExp }[] = [
  { name: "not XML", xml: "Service Unavailable", reason: /not usable XML/ },
  { name: "unclosed tags", xml: "<wsdl:definitions xmlns:wsdl='http://schemas.xmlsoap.org/wsdl/'><wsdl:service>", reason: /not usable XML/ },
  { name: "a DTD", xml: '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>', reason: /document type/ },
  { name: "an undeclared prefix", xml: "<wsdl:definitions/>", reason: /prefix "wsdl"/ },
  { name: "an entity no DTD defines", xml: "<a>&nbsp;</a>", reason: /&nbsp;/ },
  { name: "two root elements", xml: "<a/><b/>", reason: /one root element/ },
];

for (const m of malformed) {
  test(`parseMex refuses ${m.name}`, () => {
    assert.throws(() => parseMex(m.xml), (e: Error & { code?: string }) => {
      assert.equal(e.name, "NetworkError");
      assert.equal(e.code, "ERR_INVALID_RESPONSE");
      assert.match(e.message, m.reason);
      return true;
    });
  });
}

const MEX_URL = `${TRUST}/mex`;

test("fetchMexEndpoint GETs the document and picks the endpoint", async () => {
  const http = fakeHttpClient({ [MEX_URL]: new Response(adfsMex(), { headers: { "content-type": "text/xml; charset=utf-8" } }) });
  assert.deepEqual(await fetchMexEndpoint(http, MEX_URL), V13);
  assert.equal(http.requests.length, 1);
  assert.equal(http.requests[0]?.init.method, "GET");
});

test("fetchMexEndpoint passes the signal on", async () => {
  const controller = new AbortController();
  const http = fakeHttpClient({ [MEX_URL]: new Response(adfsMex()) });
  await fetchMexEndpoint(http, MEX_URL, { signal: controller.signal });
  assert.equal(http.requests[0]?.init.signal, controller.signal);
});

test("fetchMexEndpoint: a non-2xx answer is ERR_HTTP_STATUS", async () => {
  const http = fakeHttpClient({ [MEX_URL]: new Response("busy", { status: 503 }) });
  await assert.rejects(fetchMexEndpoint(http, MEX_URL), { name: "NetworkError", code: "ERR_HTTP_STATUS", status: 503 });
});

test("fetchMexEndpoint: a transport failure is ERR_NETWORK", async () => {
  const http = async (): Promise<Response> => {
    throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
  };
  await assert.rejects(fetchMexEndpoint(http, MEX_URL), { name: "NetworkError", code: "ERR_NETWORK" });
});

test("fetchMexEndpoint refuses a MEX URL that is not https, before any request", async () => {
  const http = fakeHttpClient({});
  await assert.rejects(fetchMexEndpoint(http, `http://${STS}/adfs/services/trust/mex`), { code: "ERR_WS_TRUST" });
  assert.equal(http.requests.length, 0);
});

const activeAuthUrls: { url: string; want: WsTrustEndpoint | undefined }[] = [
  { url: `${TRUST}/13/usernamemixed`, want: V13 },
  { url: `${TRUST}/2005/usernamemixed`, want: V2005 },
  { url: `https://${STS}/ADFS/services/trust/13/UsernameMixed`, want: { address: `https://${STS}/ADFS/services/trust/13/UsernameMixed`, version: "1.3" } },
  { url: `${TRUST}/13/windowstransport`, want: undefined },
  { url: `http://${STS}/adfs/services/trust/13/usernamemixed`, want: undefined },
  { url: "not a url", want: undefined },
];

for (const v of activeAuthUrls) {
  test(`wsTrustEndpointFromActiveAuthUrl(${v.url})`, () => {
    assert.deepEqual(wsTrustEndpointFromActiveAuthUrl(v.url), v.want);
  });
}
