import assert from "node:assert/strict";
import { test } from "node:test";
import type { EmulatorContext } from "../src/context.js";
import { createDirectory } from "../src/directory.js";
import { EntraError } from "../src/errors.js";
import { assertionTenant, rememberAssertion, verifySamlBearerAssertion } from "../src/federation/issued-assertions.js";
import { findFederationRealm } from "../src/federation/realm.js";
import { ASSERTION_LIFETIME, immutableId, issueSaml11Assertion } from "../src/federation/saml-assertion.js";

const directory = createDirectory([
  {
    id: "3f9d2c1b-7a6e-4d5c-8b4a-9e8f7d6c5b4a",
    domains: ["fabrikam.onmicrosoft.com", "fabrikam.example"],
    federatedDomains: ["fabrikam.example"],
    users: [
      { username: "alice@fabrikam.example", password: "pw", objectId: "00112233-4455-6677-8899-aabbccddeeff" },
      { username: "bob@fabrikam.onmicrosoft.com", password: "pw" },
    ],
  },
  { id: "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", domains: ["tailspin.example"], federatedDomains: ["tailspin.example"] },
]);
// The assertion store needs only the directory of the emulator it belongs to.
const context = (): EmulatorContext => ({ directory }) as unknown as EmulatorContext;
const realm = findFederationRealm(directory, "fabrikam.example")!;
const fabrikam = realm.tenant;
const tailspin = directory.findTenant("tailspin.example")!;
const alice = fabrikam.findUser("alice@fabrikam.example")!;
const NOW = 1_714_557_600;
const b64 = (xml: string): string => Buffer.from(xml, "utf8").toString("base64url");

function issued(ctx: EmulatorContext): string {
  const assertion = issueSaml11Assertion({ issuer: "http://emu/federation/fabrikam.example/services/trust", user: alice, now: NOW });
  rememberAssertion(ctx, realm, alice, assertion, NOW);
  return assertion.xml;
}

function refusedWith(code: number): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof EntraError);
    assert.equal(e.error, "invalid_grant");
    assert.equal(e.code, code);
    return true;
  };
}

test("an issued assertion vouches for its user, again and again while it is valid", () => {
  const ctx = context();
  const xml = issued(ctx);
  assert.equal(verifySamlBearerAssertion(ctx, fabrikam, b64(xml), NOW), alice);
  assert.equal(verifySamlBearerAssertion(ctx, fabrikam, b64(xml), NOW + ASSERTION_LIFETIME - 1), alice);
  assert.equal(verifySamlBearerAssertion(ctx, fabrikam, Buffer.from(xml).toString("base64"), NOW), alice, "padded base64 too");
  assert.equal(assertionTenant(ctx, b64(xml), NOW), fabrikam);
});

const refusals: { name: string; encoded: (xml: string) => string; now?: number; tenant?: "tailspin"; code: number }[] = [
  { name: "expired at NotOnOrAfter", encoded: b64, now: NOW + ASSERTION_LIFETIME, code: 50013 },
  { name: "long expired (forgotten)", encoded: b64, now: NOW + 3 * ASSERTION_LIFETIME, code: 50008 },
  { name: "one byte changed", encoded: (xml) => b64(xml.replace("alice@", "alicf@")), code: 50008 },
  { name: "whitespace added", encoded: (xml) => b64(xml.replace("<saml:Conditions", "\n<saml:Conditions")), code: 50008 },
  { name: "an unknown AssertionID", encoded: (xml) => b64(xml.replace(/AssertionID="[^"]+"/, 'AssertionID="_other"')), code: 50008 },
  { name: "no XML", encoded: () => b64("hello"), code: 50008 },
  { name: "not base64url", encoded: () => "<saml:Assertion/>", code: 50008 },
  { name: "a SAML 2.0 document", encoded: () => b64('<Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x"/>'), code: 50008 },
  { name: "a DTD", encoded: (xml) => b64(`<!DOCTYPE a [<!ENTITY e "x">]>${xml}`), code: 50008 },
  { name: "another tenant", encoded: b64, tenant: "tailspin", code: 50107 },
];

for (const r of refusals) {
  test(`verifySamlBearerAssertion refuses ${r.name}`, () => {
    const ctx = context();
    const xml = issued(ctx);
    assert.throws(() => verifySamlBearerAssertion(ctx, r.tenant ? tailspin : fabrikam, r.encoded(xml), r.now ?? NOW), refusedWith(r.code));
  });
}

test("assertions are remembered per emulator", () => {
  const xml = issued(context());
  assert.throws(() => verifySamlBearerAssertion(context(), fabrikam, b64(xml), NOW), refusedWith(50008));
});

test("the ImmutableID is the object GUID in Windows byte order, base64", () => {
  // 00112233-4455-6677-8899-aabbccddeeff → bytes 33 22 11 00 55 44 77 66 88 99 aa bb cc dd ee ff
  assert.equal(immutableId("00112233-4455-6677-8899-aabbccddeeff"), Buffer.from("33221100554477668899aabbccddeeff", "hex").toString("base64"));
});
