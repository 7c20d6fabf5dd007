import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import forge from "node-forge";
import { createCertificateAuthority, createTestCertificate } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "msal-ts-emulator-certs-"));
const cert = createTestCertificate({ subject: "CN=daemon, O=Contoso", validDays: 30 });

function openssl(args: string[]): string {
  return execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function forgeBags(pfx: Buffer, passphrase?: string) {
  const asn1 = forge.asn1.fromDer(pfx.toString("binary"));
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, passphrase);
  const keys = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? "" })[forge.pki.oids.pkcs8ShroudedKeyBag ?? ""] ?? [];
  const plainKeys = p12.getBags({ bagType: forge.pki.oids.keyBag ?? "" })[forge.pki.oids.keyBag ?? ""] ?? [];
  const certs = p12.getBags({ bagType: forge.pki.oids.certBag ?? "" })[forge.pki.oids.certBag ?? ""] ?? [];
  return { key: (keys[0] ?? plainKeys[0])?.key, cert: certs[0]?.cert };
}

describe("createTestCertificate", () => {
  test("PEM certificate and PKCS#8 key that belong together", () => {
    assert.match(cert.certificate, /^-----BEGIN CERTIFICATE-----\r?\n/);
    assert.match(cert.privateKey, /^-----BEGIN PRIVATE KEY-----\n/);
    const x509 = new X509Certificate(cert.certificate);
    assert.equal(x509.subject, "CN=daemon\nO=Contoso");
    assert.equal(x509.issuer, x509.subject, "self-signed");
    assert.ok(x509.checkPrivateKey(createPrivateKey(cert.privateKey)));
    const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 30, `valid ~30 days, got ${days}`);
    assert.equal(createPublicKey(cert.certificate).asymmetricKeyDetails?.modulusLength, 2048);
  });

  test("thumbprints match X509Certificate's fingerprints", () => {
    const x509 = new X509Certificate(cert.certificate);
    assert.equal(cert.thumbprint, x509.fingerprint.replaceAll(":", ""));
    assert.equal(cert.thumbprintSha256, x509.fingerprint256.replaceAll(":", ""));
    assert.match(cert.thumbprint, /^[0-9A-F]{40}$/);
  });

  test("default subject", () => {
    assert.equal(new X509Certificate(createTestCertificate().certificate).subject, "CN=msal-ts test");
  });

  test("encryptedPrivateKey is PKCS#8 that only the passphrase opens", () => {
    const pem = cert.encryptedPrivateKey("correct horse");
    assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const key = createPrivateKey({ key: pem, passphrase: "correct horse" });
    assert.equal(key.export({ type: "pkcs8", format: "pem" }), cert.privateKey);
    assert.throws(() => createPrivateKey({ key: pem, passphrase: "wrong" }));
  });

  test("pkcs12 opens with node-forge (key + certificate)", () => {
    const { key, cert: c } = forgeBags(cert.pkcs12("pfx-pass"), "pfx-pass");
    assert.ok(key && c);
    assert.equal(forge.pki.certificateToPem(c).replace(/\r/g, ""), cert.certificate.replace(/\r/g, ""));
    const pkcs8 = forge.pki.privateKeyInfoToPem(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key)));
    assert.equal(createPrivateKey(pkcs8).export({ type: "pkcs8", format: "pem" }), cert.privateKey);
    assert.throws(() => forgeBags(cert.pkcs12("pfx-pass"), "wrong"));
  });

  test("pkcs12 opens with openssl pkcs12 and is AES-256 / PBKDF2-SHA256", () => {
    const file = join(dir, "daemon.pfx");
    writeFileSync(file, cert.pkcs12("pfx-pass"));
    const out = openssl(["pkcs12", "-in", file, "-nodes", "-passin", "pass:pfx-pass"]);
    assert.match(out, /-----BEGIN PRIVATE KEY-----/);
    assert.match(out, /-----BEGIN CERTIFICATE-----/);
    const pemKey = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(out)?.[0] ?? "";
    assert.equal(createPrivateKey(pemKey).export({ type: "pkcs8", format: "pem" }), cert.privateKey);
    // `-info` reports the algorithms on stderr.
    const info = execFileSync("sh", ["-c", `openssl pkcs12 -in '${file}' -info -noout -passin pass:pfx-pass 2>&1`], {
      encoding: "utf8",
    });
    assert.match(info, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC.*PRF hmacWithSHA256/);
    assert.ok(!/RC2|40Bit|3DES/i.test(info));
    assert.throws(() => openssl(["pkcs12", "-in", file, "-nodes", "-passin", "pass:wrong"]));
  });

  test("pkcs12 without a passphrase opens with the empty password", () => {
    const file = join(dir, "open.pfx");
    writeFileSync(file, cert.pkcs12());
    assert.match(openssl(["pkcs12", "-in", file, "-nodes", "-passin", "pass:"]), /BEGIN PRIVATE KEY/);
    const { key, cert: c } = forgeBags(cert.pkcs12());
    assert.ok(key && c);
  });
});

describe("createCertificateAuthority", () => {
  const ca = createCertificateAuthority("CN=Contoso test CA");
  const leaf = createTestCertificate({ subject: "CN=daemon.contoso.com", issuer: ca });

  test("issues certificates that chain to it", () => {
    const caX509 = new X509Certificate(ca.certificate);
    const leafX509 = new X509Certificate(leaf.certificate);
    assert.equal(caX509.ca, true);
    assert.equal(leafX509.ca, false);
    assert.equal(leafX509.issuer, "CN=Contoso test CA");
    assert.ok(leafX509.checkIssued(caX509));
    assert.ok(leafX509.verify(caX509.publicKey));
    assert.ok(!leafX509.verify(new X509Certificate(cert.certificate).publicKey));
  });

  test("the chain passes openssl verify -x509_strict", () => {
    writeFileSync(join(dir, "ca.pem"), ca.certificate);
    writeFileSync(join(dir, "leaf.pem"), leaf.certificate);
    assert.match(openssl(["verify", "-x509_strict", "-CAfile", join(dir, "ca.pem"), join(dir, "leaf.pem")]), /OK/);
  });

  test("default subject", () => {
    assert.equal(new X509Certificate(createCertificateAuthority().certificate).subject, "CN=msal-ts test CA");
  });

  test("an unsupported subject attribute is a TypeError", () => {
    assert.throws(() => createTestCertificate({ subject: "XYZ=nope" }), TypeError);
    assert.throws(() => createCertificateAuthority(""), TypeError);
  });
});
