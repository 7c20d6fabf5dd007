import assert from "node:assert/strict";
import { createSecretKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { generatePopKey, preparePopKey, requestConfirmation, signHttpRequest } from "../../src/protocol/index.js";

const AT = "header.payload.signature-of-a-pop-access-token";

function decodePart(jws: string, index: number): Record<string, unknown> {
  const part = jws.split(".")[index];
  assert.ok(part !== undefined);
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** Verifies an SHR with the key it carries, as a resource does; returns its claims. */
async function verifyWithCnf(shr: string): Promise<Record<string, unknown>> {
  const claims = decodePart(shr, 1);
  const cnf = claims.cnf as { jwk: JWK };
  const { alg } = decodeProtectedHeader(shr);
  assert.ok(alg);
  await compactVerify(shr, await importJWK(cnf.jwk, alg), { algorithms: [alg] });
  return claims;
}

describe("PoP keys", () => {
  it("a generated key is RSA 2048 (RS256); its kid is the RFC 7638 thumbprint; req_cnf is base64url {kid}", async () => {
    const privateKey = await generatePopKey();
    assert.equal(privateKey.asymmetricKeyType, "rsa");
    assert.equal(privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    const key = await preparePopKey(privateKey);
    assert.equal(key.alg, "RS256");
    assert.deepEqual(Object.keys(key.publicJwk), ["e", "kty", "n"]);
    assert.equal(key.publicJwk.kty, "RSA");
    assert.equal(key.kid, await calculateJwkThumbprint(privateKey.export({ format: "jwk" }) as JWK, "sha256"));
    assert.match(key.kid, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(JSON.parse(Buffer.from(key.reqCnf, "base64url").toString("utf8")), { kid: key.kid });
    assert.equal(key.reqCnf, requestConfirmation(key.kid));
    assert.doesNotMatch(key.reqCnf, /[=+/]/, "base64url without padding");
  });

  it("an EC P-256 key signs with ES256; a private JWK works as well as a KeyObject", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const fromObject = await preparePopKey(privateKey);
    assert.equal(fromObject.alg, "ES256");
    assert.deepEqual(Object.keys(fromObject.publicJwk), ["crv", "kty", "x", "y"]);
    const fromJwk = await preparePopKey(privateKey.export({ format: "jwk" }));
    assert.equal(fromJwk.kid, fromObject.kid);
  });

  const refused: Array<[string, () => unknown]> = [
    ["a public key", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey],
    ["an RSA key under 2048 bits", () => generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey],
    ["an Ed25519 key", () => generateKeyPairSync("ed25519").privateKey],
    ["an EC P-384 key", () => generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey],
    ["a secret key", () => createSecretKey(randomBytes(32))],
    ["a public JWK", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" })],
    ["a string", () => "-----BEGIN PRIVATE KEY-----"],
  ];
  for (const [name, make] of refused) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(preparePopKey(make() as never), TypeError);
    });
  }
});

describe("signHttpRequest", () => {
  it("signs at, ts, m, u, p, nonce and cnf.jwk under a typ pop header with the thumbprint as kid", async () => {
    const key = await preparePopKey(await generatePopKey());
    const shr = signHttpRequest({
      accessToken: AT,
      method: "POST",
      url: "https://api.contoso.com/orders/42?expand=lines#top",
      nonce: "nonce-1",
      key,
      now: 1_700_000_000,
    });
    assert.deepEqual(decodePart(shr, 0), { typ: "pop", alg: "RS256", kid: key.kid });
    const claims = await verifyWithCnf(shr);
    assert.deepEqual(claims, {
      at: AT,
      ts: 1_700_000_000,
      m: "POST",
      u: "api.contoso.com",
      p: "/orders/42",
      nonce: "nonce-1",
      cnf: { jwk: key.publicJwk },
    });
    const jwk = (claims.cnf as { jwk: JWK }).jwk;
    assert.equal(await calculateJwkThumbprint(jwk, "sha256"), key.kid, "the resource can tie cnf.jwk to the token's cnf.kid");
  });

  it("keeps a non-default port in u; the path of a bare origin is /; ts defaults to the clock", async () => {
    const key = await preparePopKey(await generatePopKey());
    const before = Math.floor(Date.now() / 1000);
    const claims = decodePart(signHttpRequest({ accessToken: AT, method: "GET", url: new URL("https://LOCALHOST:8443"), nonce: "n", key }), 1);
    assert.equal(claims.u, "localhost:8443");
    assert.equal(claims.p, "/");
    assert.ok(typeof claims.ts === "number" && claims.ts >= before && claims.ts <= Math.floor(Date.now() / 1000));
  });

  it("an ES256 request verifies too", async () => {
    const key = await preparePopKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    const shr = signHttpRequest({ accessToken: AT, method: "PATCH", url: "https://api.contoso.com/a", nonce: "n", key });
    assert.equal(decodeProtectedHeader(shr).alg, "ES256");
    assert.equal((await verifyWithCnf(shr)).m, "PATCH");
  });

  it("a changed claim no longer verifies", async () => {
    const key = await preparePopKey(await generatePopKey());
    const shr = signHttpRequest({ accessToken: AT, method: "GET", url: "https://api.contoso.com/a", nonce: "n", key });
    const [header, payload, signature] = shr.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, m: "DELETE" })).toString("base64url")}.${signature}`;
    await assert.rejects(verifyWithCnf(forged));
  });

  it("refuses a URL that is not absolute", async () => {
    const key = await preparePopKey(await generatePopKey());
    assert.throws(() => signHttpRequest({ accessToken: AT, method: "GET", url: "/relative", nonce: "n", key }), TypeError);
  });
});
