import assert from "node:assert/strict";
import { test } from "node:test";
import type { WsTrustEndpoint } from "../../src/protocol/mex.js";
import { escapeXml, wsuTime } from "../../src/protocol/ws-trust-envelope.js";
import { XmlNamespace } from "../../src/protocol/ws-trust-namespaces.js";
import { attributeOf, childNamed, parseXml, textAt } from "../../src/protocol/ws-trust-xml.js";
import { requestSamlAssertion, samlGrantType } from "../../src/protocol/ws-trust.js";
import { fakeHttpClient } from "../authority/fake-http-client.js";
import {
  ENCRYPTED_RSTR,
  FAILED_AUTHENTICATION_FAULT,
  rstr13,
  rstr2005,
  SAML11_ASSERTION,
  SAML11_TOKEN_TYPE,
  SAML20_ASSERTION,
  SAML20_TOKEN_TYPE,
  SOAP11_FAULT,
} from "./ws-trust-fixtures.js";

const URL13 = "https://sts.fabrikam.example/adfs/services/trust/13/usernamemixed";
const URL2005 = "https://sts.fabrikam.example/adfs/services/trust/2005/usernamemixed";
const E13: WsTrustEndpoint = { address: URL13, version: "1.3" };
const E2005: WsTrustEndpoint = { address: URL2005, version: "2005" };
const SAML1_GRANT = "urn:ietf:params:oauth:grant-type:saml1_1-bearer";
const SAML2_GRANT = "urn:ietf:params:oauth:grant-type:saml2-bearer";
const NOW = 1_714_557_600; // 2024-05-01T10:00:00Z
const PASSWORD = `p<a>s&s'w"ord`;

function soap(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "application/soap+xml; charset=utf-8" } });
}

const successes: { name: string; endpoint: WsTrustEndpoint; body: string; assertion: string; tokenType: string; grantType: string }[] = [
  { name: "WS-Trust 1.3, SAML 1.1", endpoint: E13, body: rstr13(SAML11_ASSERTION), assertion: SAML11_ASSERTION, tokenType: SAML11_TOKEN_TYPE, grantType: SAML1_GRANT },
  { name: "WS-Trust 2005, SAML 1.1", endpoint: E2005, body: rstr2005(SAML11_ASSERTION), assertion: SAML11_ASSERTION, tokenType: SAML11_TOKEN_TYPE, grantType: SAML1_GRANT },
  { name: "WS-Trust 1.3, SAML 2.0 (token profile URI)", endpoint: E13, body: rstr13(SAML20_ASSERTION, SAML20_TOKEN_TYPE), assertion: SAML20_ASSERTION, tokenType: SAML20_TOKEN_TYPE, grantType: SAML2_GRANT },
  {
    name: "no TokenType: the assertion's namespace tells",
    endpoint: E2005,
    body: rstr2005(SAML20_ASSERTION).replace(/<t:TokenType>[^<]*<\/t:TokenType>/, ""),
    assertion: SAML20_ASSERTION,
    tokenType: "urn:oasis:names:tc:SAML:2.0:assertion",
    grantType: SAML2_GRANT,
  },
];

for (const s of successes) {
  test(`requestSamlAssertion: ${s.name}: the assertion comes back character for character`, async () => {
    const http = fakeHttpClient({ [s.endpoint.address]: soap(s.body) });
    const got = await requestSamlAssertion(http, s.endpoint, { username: "alice@fabrikam.example", password: PASSWORD, now: NOW });
    assert.equal(got.assertion, s.assertion);
    assert.equal(got.tokenType, s.tokenType);
    assert.equal(got.grantType, s.grantType);
    assert.equal(Buffer.from(got.assertion, "utf8").toString("base64url"), Buffer.from(s.assertion, "utf8").toString("base64url"));
  });
}

test("requestSamlAssertion keeps what a parser would rewrite: character references, quoting, spacing", async () => {
  const http = fakeHttpClient({ [URL13]: soap(rstr13(SAML11_ASSERTION)) });
  const { assertion } = await requestSamlAssertion(http, E13, { username: "alice@fabrikam.example", password: "pw" });
  assert.ok(assertion.includes("&#xD;\n"));
  assert.ok(assertion.includes("Format='urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'"));
  assert.ok(assertion.includes('xml-exc-c14n#" />'));
  assert.ok(assertion.startsWith("<saml:Assertion ") && assertion.endsWith("</saml:Assertion>"));
});

const envelopes: { name: string; endpoint: WsTrustEndpoint; appliesTo?: string; action: string; trustNs: string; keyType: string; requestType: string; audience: string }[] = [
  {
    name: "1.3",
    endpoint: E13,
    action: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
    trustNs: XmlNamespace.trust13,
    keyType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
    requestType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
    audience: "urn:federation:MicrosoftOnline",
  },
  {
    name: "2005 with a cloud audience",
    endpoint: E2005,
    appliesTo: "urn:federation:MicrosoftOnline:usgov",
    action: "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue",
    trustNs: XmlNamespace.trust2005,
    keyType: "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
    requestType: "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
    audience: "urn:federation:MicrosoftOnline:usgov",
  },
];

for (const v of envelopes) {
  test(`requestSamlAssertion sends the WS-Trust ${v.name} envelope`, async () => {
    const http = fakeHttpClient({ [v.endpoint.address]: soap(rstr13(SAML11_ASSERTION)) });
    await requestSamlAssertion(http, v.endpoint, {
      username: "alice@fabrikam.example",
      password: PASSWORD,
      now: NOW,
      ...(v.appliesTo ? { appliesTo: v.appliesTo } : {}),
    });
    const [request] = http.requests;
    assert.ok(request);
    assert.equal(request.init.method, "POST");
    assert.equal(request.init.headers["content-type"], "application/soap+xml; charset=utf-8");
    assert.equal(request.init.headers.soapaction, v.action);

    const ns = XmlNamespace;
    const envelope = parseXml(request.init.body ?? "", "the request");
    assert.equal(envelope.namespace, ns.soap12);
    const header = childNamed(envelope, ns.soap12, "Header");
    assert.ok(header);
    assert.equal(textAt(header, [ns.addressing, "Action"]), v.action);
    assert.match(textAt(header, [ns.addressing, "MessageID"]) ?? "", /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(textAt(header, [ns.addressing, "ReplyTo"], [ns.addressing, "Address"]), "http://www.w3.org/2005/08/addressing/anonymous");
    assert.equal(textAt(header, [ns.addressing, "To"]), v.endpoint.address);
    const security: [string, string] = [ns.wsse, "Security"];
    assert.equal(textAt(header, security, [ns.wsu, "Timestamp"], [ns.wsu, "Created"]), "2024-05-01T10:00:00Z");
    assert.equal(textAt(header, security, [ns.wsu, "Timestamp"], [ns.wsu, "Expires"]), "2024-05-01T10:10:00Z");
    assert.equal(textAt(header, security, [ns.wsse, "UsernameToken"], [ns.wsse, "Username"]), "alice@fabrikam.example");
    assert.equal(textAt(header, security, [ns.wsse, "UsernameToken"], [ns.wsse, "Password"]), PASSWORD);

    const rst = childNamed(childNamed(envelope, ns.soap12, "Body")!, v.trustNs, "RequestSecurityToken");
    assert.ok(rst, "RequestSecurityToken in the version's namespace");
    assert.equal(textAt(rst, [ns.policy, "AppliesTo"], [ns.addressing, "EndpointReference"], [ns.addressing, "Address"]), v.audience);
    assert.equal(textAt(rst, [v.trustNs, "KeyType"]), v.keyType);
    assert.equal(textAt(rst, [v.trustNs, "RequestType"]), v.requestType);
  });
}

test("the password is XML-escaped in the envelope, never written raw", async () => {
  const http = fakeHttpClient({ [URL13]: soap(rstr13(SAML11_ASSERTION)) });
  await requestSamlAssertion(http, E13, { username: "o'neil&co@fabrikam.example", password: PASSWORD, now: NOW });
  const body = http.requests[0]?.init.body ?? "";
  assert.ok(body.includes("<wsse:Password>p&lt;a&gt;s&amp;s&apos;w&quot;ord</wsse:Password>"));
  assert.ok(body.includes("<wsse:Username>o&apos;neil&amp;co@fabrikam.example</wsse:Username>"));
  assert.ok(!body.includes(PASSWORD));
});

test("a password that looks like markup cannot inject elements", async () => {
  const http = fakeHttpClient({ [URL13]: soap(rstr13(SAML11_ASSERTION)) });
  const sneaky = "</wsse:Password><wsse:Password>x";
  await requestSamlAssertion(http, E13, { username: "alice@fabrikam.example", password: sneaky, now: NOW });
  const envelope = parseXml(http.requests[0]?.init.body ?? "", "the request");
  const ns = XmlNamespace;
  const token = childNamed(childNamed(childNamed(envelope, ns.soap12, "Header")!, ns.wsse, "Security")!, ns.wsse, "UsernameToken")!;
  assert.equal(token.children.length, 2);
  assert.equal(textAt(token, [ns.wsse, "Password"]), sneaky);
  assert.equal(attributeOf(token, "Id", ns.wsu), "UsernameToken-1");
});

const escapes: [string, string][] = [
  ["plain", "plain"],
  [`<>&'"`, "&lt;&gt;&amp;&apos;&quot;"],
  ["&amp;", "&amp;amp;"],
  ["ünïcødé ✓", "ünïcødé ✓"],
];
for (const [input, want] of escapes) {
  test(`escapeXml(${JSON.stringify(input)})`, () => assert.equal(escapeXml(input), want));
}

test("wsuTime writes UTC seconds without a fraction", () => {
  assert.equal(wsuTime(NOW), "2024-05-01T10:00:00Z");
  assert.equal(wsuTime(NOW + 0.999), "2024-05-01T10:00:00Z");
});

test("a SOAP fault (HTTP 500, as AD FS answers a wrong password) is ERR_WS_TRUST with the reason and subcode", async () => {
  const http = fakeHttpClient({ [URL13]: soap(FAILED_AUTHENTICATION_FAULT, 500) });
  await assert.rejects(
    requestSamlAssertion(http, E13, { username: "alice@fabrikam.example", password: PASSWORD }),
    (e: Error & { code?: string; cause?: unknown }) => {
      assert.equal(e.name, "MsalError");
      assert.equal(e.code, "ERR_WS_TRUST");
      assert.match(e.message, /a:FailedAuthentication/);
      assert.match(e.message, /ID3242: The security token could not be authenticated or authorized/);
      assert.match(e.message, /HTTP 500/);
      assert.ok(!e.message.includes(PASSWORD));
      assert.deepEqual(e.cause, {
        code: "s:Sender",
        subcode: "a:FailedAuthentication",
        reason: "ID3242: The security token could not be authenticated or authorized.",
      });
      return true;
    },
  );
});

test("a fault that echoes the password does not carry it further", async () => {
  const echo = FAILED_AUTHENTICATION_FAULT.replace("ID3242:", `Bad password ${escapeXml(PASSWORD)}:`);
  const http = fakeHttpClient({ [URL13]: soap(echo, 500) });
  await assert.rejects(requestSamlAssertion(http, E13, { username: "alice@fabrikam.example", password: PASSWORD }), (e: Error & { cause?: unknown }) => {
    assert.ok(!e.message.includes(PASSWORD));
    assert.ok(!JSON.stringify(e.cause).includes(JSON.stringify(PASSWORD).slice(1, -1)));
    assert.match(e.message, /Bad password \*\*\*/);
    return true;
  });
});

const failures: { name: string; response: () => Response; error: Record<string, unknown>; message?: RegExp }[] = [
  { name: "a SOAP 1.1 fault", response: () => soap(SOAP11_FAULT, 500), error: { code: "ERR_WS_TRUST" }, message: /soap:Client.*Unknown user/ },
  { name: "an RSTR without a SAML assertion", response: () => soap(ENCRYPTED_RSTR), error: { code: "ERR_WS_TRUST" }, message: /without a SAML assertion/ },
  {
    name: "a token type that is not SAML",
    response: () => soap(rstr13(SAML11_ASSERTION, "urn:ietf:params:oauth:token-type:jwt")),
    error: { code: "ERR_WS_TRUST" },
    message: /token-type:jwt/,
  },
  { name: "an HTML error page with HTTP 503", response: () => new Response("<html><body>down", { status: 503 }), error: { name: "NetworkError", code: "ERR_HTTP_STATUS", status: 503 } },
  { name: "a body that is not XML with HTTP 200", response: () => new Response("OK"), error: { name: "NetworkError", code: "ERR_INVALID_RESPONSE" } },
  {
    name: "a DTD in the response",
    response: () => soap(`<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${rstr13(SAML11_ASSERTION)}`),
    error: { code: "ERR_INVALID_RESPONSE" },
    message: /document type/,
  },
];

for (const f of failures) {
  test(`requestSamlAssertion: ${f.name}`, async () => {
    const http = fakeHttpClient({ [URL13]: f.response });
    await assert.rejects(requestSamlAssertion(http, E13, { username: "alice@fabrikam.example", password: "pw" }), (e: Error) => {
      for (const [k, v] of Object.entries(f.error)) assert.equal((e as unknown as Record<string, unknown>)[k], v, k);
      if (f.message) assert.match(e.message, f.message);
      return true;
    });
  });
}

test("requestSamlAssertion: a transport failure is ERR_NETWORK; an abort rejects with the signal's reason", async () => {
  const refused = async (): Promise<Response> => {
    throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 10.0.0.1:443") });
  };
  await assert.rejects(requestSamlAssertion(refused, E13, { username: "a@b.c", password: "pw" }), { name: "NetworkError", code: "ERR_NETWORK" });
  const controller = new AbortController();
  controller.abort();
  const aborted = async (_url: string, init: { signal?: AbortSignal }): Promise<Response> => {
    init.signal?.throwIfAborted();
    return soap(rstr13(SAML11_ASSERTION));
  };
  await assert.rejects(requestSamlAssertion(aborted, E13, { username: "a@b.c", password: "pw", signal: controller.signal }), { name: "AbortError" });
});

test("requestSamlAssertion refuses bad arguments before any request", async () => {
  const http = fakeHttpClient({});
  await assert.rejects(requestSamlAssertion(http, { address: "http://sts/adfs/services/trust/13/usernamemixed", version: "1.3" }, { username: "a@b.c", password: "pw" }), {
    code: "ERR_INVALID_ARG_VALUE",
  });
  await assert.rejects(requestSamlAssertion(http, E13, { username: "", password: "pw" }), { code: "ERR_INVALID_ARG_TYPE" });
  assert.equal(http.requests.length, 0);
});

const grantTypes: [string, string | undefined][] = [
  ["urn:oasis:names:tc:SAML:1.0:assertion", SAML1_GRANT],
  ["http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1", SAML1_GRANT],
  ["urn:oasis:names:tc:SAML:2.0:assertion", SAML2_GRANT],
  ["http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0", SAML2_GRANT],
  ["urn:ietf:params:oauth:token-type:jwt", undefined],
];
for (const [tokenType, want] of grantTypes) {
  test(`samlGrantType(${tokenType})`, () => assert.equal(samlGrantType(tokenType), want));
}
