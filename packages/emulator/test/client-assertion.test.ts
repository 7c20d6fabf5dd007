import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { SignJWT, decodeJwt, importPKCS8 } from "jose";
import { createCertificateAuthority, createEmulator, createTestCertificate } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { DOMAIN, JWT_BEARER, TENANT, signAssertion, x5t } from "./support/fixtures.js";
import type { AssertionOptions } from "./support/fixtures.js";
import { call } from "./support/https.js";

const CERT_APP = "c3e7a5d1-2222-4b3c-8d4e-000000000001";
const SNI_APP = "c3e7a5d1-2222-4b3c-8d4e-000000000002";
const GRAPH = "https://graph.microsoft.com/.default";

const rsaCert = createTestCertificate({ subject: "CN=daemon-rs256" });
const psCert = createTestCertificate({ subject: "CN=daemon-ps256" });
const unregistered = createTestCertificate({ subject: "CN=daemon-rs256" });
const ca = createCertificateAuthority("CN=msal-ts issuing CA");
const stranger = createTestCertificate({ subject: "CN=stranger" });
const sniCert = createTestCertificate({ subject: "CN=daemon.sni.contoso.com", issuer: ca });
const rogueCa = createCertificateAuthority("CN=someone else");
const rogue = createTestCertificate({ subject: "CN=daemon.sni.contoso.com", issuer: rogueCa });
const wrongSubject = createTestCertificate({ subject: "CN=other.contoso.com", issuer: ca });

let emu: Emulator;
let tokenEndpoint: string;

before(async () => {
  emu = await createEmulator({
    tenants: [
      {
        id: TENANT,
        domains: [DOMAIN],
        apps: [
          { clientId: CERT_APP, certificates: [rsaCert.certificate, psCert.certificate], appRoles: { "https://graph.microsoft.com": ["Mail.Read"] } },
          { clientId: SNI_APP, trustedIssuers: [{ issuerCertificate: ca.certificate, subject: "CN=daemon.sni.contoso.com" }] },
        ],
      },
    ],
  });
  tokenEndpoint = `${emu.url}/${TENANT}/oauth2/v2.0/token`;
});
after(() => emu.close());

function redeem(assertion: string, extra: Record<string, string> = {}, tenant = TENANT) {
  return call(`${emu.url}/${tenant}/oauth2/v2.0/token`, {
    ca: emu.caCertificate,
    form: {
      grant_type: "client_credentials",
      client_id: CERT_APP,
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      scope: GRAPH,
      ...extra,
    },
  });
}

const rs256 = (overrides: Partial<AssertionOptions> = {}) =>
  signAssertion(rsaCert, {
    clientId: CERT_APP,
    audience: tokenEndpoint,
    header: { x5t: x5t(rsaCert.thumbprint) },
    ...overrides,
  });

function x5cOf(...pems: string[]): string[] {
  return pems.map((p) => p.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ""));
}

async function expectError(r: Awaited<ReturnType<typeof redeem>>, error: string, code: number): Promise<void> {
  const body = r.json();
  assert.equal(body.error, error, r.text);
  assert.deepEqual(body.error_codes, [code], String(body.error_description));
  assert.equal(r.status, error === "invalid_client" ? 401 : 400);
}

describe("certificate assertions by thumbprint", () => {
  test("RS256 with x5t → token with azpacr 2", async () => {
    const r = await redeem(await rs256());
    assert.equal(r.status, 200, r.text);
    const claims = decodeJwt(String(r.json().access_token));
    assert.equal(claims.azpacr, "2");
    assert.equal(claims.appidacr, "2");
    assert.equal(claims.azp, CERT_APP);
    assert.deepEqual(claims.roles, ["Mail.Read"]);
  });

  test("x5t with '=' padding is accepted", async () => {
    const padded = Buffer.from(rsaCert.thumbprint, "hex").toString("base64");
    assert.ok(padded.endsWith("="));
    const r = await redeem(await rs256({ header: { x5t: padded } }));
    assert.equal(r.status, 200, r.text);
  });

  test("PS256 with x5t#S256 → token", async () => {
    const assertion = await signAssertion(psCert, {
      alg: "PS256",
      clientId: CERT_APP,
      audience: tokenEndpoint,
      header: { "x5t#S256": x5t(psCert.thumbprintSha256) },
    });
    const r = await redeem(assertion);
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().access_token)).azpacr, "2");
  });

  test("aud may name the tenant by the domain the client used", async () => {
    const r = await redeem(await rs256({ audience: `${emu.url}/${DOMAIN}/oauth2/v2.0/token` }), {}, DOMAIN);
    assert.equal(r.status, 200, r.text);
  });

  test("aud with the tenant GUID is accepted on a domain-addressed endpoint", async () => {
    const r = await redeem(await rs256(), {}, DOMAIN);
    assert.equal(r.status, 200, r.text);
  });

  test("client_id may be omitted: the assertion's subject names the client", async () => {
    const r = await redeem(await rs256(), { client_id: "" });
    assert.equal(r.status, 200, r.text);
  });

  test("a certificate not registered on the app → 401 invalid_client AADSTS700027", async () => {
    const assertion = await signAssertion(unregistered, {
      clientId: CERT_APP,
      audience: tokenEndpoint,
      header: { x5t: x5t(unregistered.thumbprint) },
    });
    await expectError(await redeem(assertion), "invalid_client", 700027);
  });

  test("a bad signature (registered x5t, other key) → AADSTS700027", async () => {
    const assertion = await signAssertion(unregistered, {
      clientId: CERT_APP,
      audience: tokenEndpoint,
      header: { x5t: x5t(rsaCert.thumbprint) },
    });
    await expectError(await redeem(assertion), "invalid_client", 700027);
  });

  test("a tampered payload → AADSTS700027", async () => {
    const [h, , s] = (await rs256()).split(".");
    const payload = Buffer.from(JSON.stringify({ iss: CERT_APP, sub: CERT_APP, aud: tokenEndpoint, exp: 9999999999, jti: "x" })).toString("base64url");
    await expectError(await redeem(`${h}.${payload}.${s}`), "invalid_client", 700027);
  });

  test("wrong aud → invalid_client AADSTS50027", async () => {
    const r = await redeem(await rs256({ audience: "https://login.microsoftonline.com/common/oauth2/v2.0/token" }));
    await expectError(r, "invalid_client", 50027);
    assert.match(String(r.json().error_description), /audience/i);
  });

  test("aud for another tenant → AADSTS50027", async () => {
    const r = await redeem(await rs256({ audience: `${emu.url}/0c8d7e6f-5a4b-4c3d-8e2f-1a0b9c8d7e6f/oauth2/v2.0/token` }));
    await expectError(r, "invalid_client", 50027);
  });

  test("expired → invalid_client AADSTS700024", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectError(await redeem(await rs256({ exp: past })), "invalid_client", 700024);
  });

  test("nbf in the future → AADSTS700024", async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    await expectError(await redeem(await rs256({ claims: { nbf: future }, exp: future + 600 })), "invalid_client", 700024);
  });

  test("a replayed jti → invalid_client (replay code)", async () => {
    const assertion = await rs256();
    assert.equal((await redeem(assertion)).status, 200);
    const r = await redeem(assertion);
    await expectError(r, "invalid_client", 7000281);
    assert.match(String(r.json().error_description), /already been used/);
  });

  test("an invalid assertion does not burn its jti", async () => {
    const jti = randomUUID();
    await expectError(await redeem(await rs256({ claims: { jti }, audience: "https://elsewhere/token" })), "invalid_client", 50027);
    assert.equal((await redeem(await rs256({ claims: { jti } }))).status, 200);
  });

  test("iss/sub not the client id → AADSTS700021", async () => {
    const assertion = await signAssertion(rsaCert, {
      clientId: "someone-else",
      audience: tokenEndpoint,
      header: { x5t: x5t(rsaCert.thumbprint) },
    });
    await expectError(await redeem(assertion), "invalid_client", 700021);
  });

  test("iss ≠ sub → AADSTS50048", async () => {
    const key = await importPKCS8(rsaCert.privateKey, "RS256");
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: "RS256", x5t: x5t(rsaCert.thumbprint) })
      .setIssuer(CERT_APP)
      .setSubject("other")
      .setAudience(tokenEndpoint)
      .setExpirationTime("5m")
      .sign(key);
    await expectError(await redeem(assertion), "invalid_client", 50048);
  });

  test("missing jti → AADSTS50027", async () => {
    const key = await importPKCS8(rsaCert.privateKey, "RS256");
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", x5t: x5t(rsaCert.thumbprint) })
      .setIssuer(CERT_APP)
      .setSubject(CERT_APP)
      .setAudience(tokenEndpoint)
      .setExpirationTime("5m")
      .sign(key);
    await expectError(await redeem(assertion), "invalid_client", 50027);
  });

  test("HS256 is refused", async () => {
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: "HS256", x5t: x5t(rsaCert.thumbprint) })
      .setIssuer(CERT_APP)
      .setSubject(CERT_APP)
      .setAudience(tokenEndpoint)
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a-shared-secret-of-32-bytes-long!"));
    await expectError(await redeem(assertion), "invalid_client", 50027);
  });

  test("garbage assertion → AADSTS50027", async () => {
    await expectError(await redeem("not-a-jwt"), "invalid_client", 50027);
  });

  test("wrong client_assertion_type → invalid_request", async () => {
    const r = await redeem(await rs256(), { client_assertion_type: "urn:example:other" });
    assert.equal(r.status, 400);
    assert.equal(r.json().error, "invalid_request");
  });
});

describe("certificate assertions by subject name and issuer (x5c)", () => {
  const sni = (cert: { privateKey: string }, x5c: string[]) =>
    signAssertion(cert, { clientId: SNI_APP, audience: tokenEndpoint, header: { x5c } });

  test("a certificate from a trusted issuer with the registered subject → token", async () => {
    const r = await redeem(await sni(sniCert, x5cOf(sniCert.certificate, ca.certificate)), { client_id: SNI_APP });
    assert.equal(r.status, 200, r.text);
    assert.equal(decodeJwt(String(r.json().access_token)).azpacr, "2");
  });

  test("PEM line breaks inside an x5c item are tolerated (MSAL Python)", async () => {
    const body = sniCert.certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").trim();
    assert.ok(body.includes("\n"));
    const r = await redeem(await sni(sniCert, [body]), { client_id: SNI_APP });
    assert.equal(r.status, 200, r.text);
  });

  test("an x5t alongside x5c does not matter when the app trusts the issuer", async () => {
    const assertion = await signAssertion(sniCert, {
      clientId: SNI_APP,
      audience: tokenEndpoint,
      header: { x5t: x5t(sniCert.thumbprint), x5c: x5cOf(sniCert.certificate) },
    });
    assert.equal((await redeem(assertion, { client_id: SNI_APP })).status, 200);
  });

  test("an untrusted issuer → 401 invalid_client AADSTS700027", async () => {
    const r = await redeem(await sni(rogue, x5cOf(rogue.certificate, rogueCa.certificate)), { client_id: SNI_APP });
    await expectError(r, "invalid_client", 700027);
  });

  test("an untrusted chain that merely includes the trusted CA → refused", async () => {
    const r = await redeem(await sni(rogue, x5cOf(rogue.certificate, ca.certificate)), { client_id: SNI_APP });
    await expectError(r, "invalid_client", 700027);
  });

  test("a trusted issuer but another subject → refused", async () => {
    const r = await redeem(await sni(wrongSubject, x5cOf(wrongSubject.certificate)), { client_id: SNI_APP });
    await expectError(r, "invalid_client", 700027);
  });

  test("x5c whose leaf is not the signer → signature refused", async () => {
    const r = await redeem(await sni(stranger, x5cOf(sniCert.certificate)), { client_id: SNI_APP });
    await expectError(r, "invalid_client", 700027);
  });
});
