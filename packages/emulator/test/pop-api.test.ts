// token_type=pop on the token endpoint, and the PoP-protected demo API that checks signed requests.
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { describe, test } from "node:test";
import { calculateJwkThumbprint, decodeJwt } from "jose";
import { POP_API_PATH, POP_MAX_SKEW } from "../src/index.js";
import { call } from "./support/https.js";
import { ADELE, DAEMON, DESKTOP, tokenRequest, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator();
const clock = env.clock;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

interface Key {
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, string>;
  readonly kid: string;
}

async function rsaKey(): Promise<Key> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { kty, n, e } = publicKey.export({ format: "jwk" }) as Record<string, string>;
  const jwk = { e: String(e), kty: String(kty), n: String(n) };
  return { privateKey, jwk, kid: await calculateJwkThumbprint(jwk, "sha256") };
}

/** A signed HTTP request, built here by hand so that the emulator is checked independently of msal-ts. */
function shr(key: Key, at: string, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64({ typ: "pop", alg: "RS256", kid: key.kid, ...header })}.${b64({ at, cnf: { jwk: key.jwk }, ...claims })}`;
  return `${input}.${sign("sha256", Buffer.from(input), key.privateKey).toString("base64url")}`;
}

function reqCnf(kid: string): string {
  return b64({ kid });
}

async function appPopToken(key: Key): Promise<string> {
  const r = await tokenRequest(env.emu, {
    grant_type: "client_credentials",
    client_id: DAEMON.clientId,
    client_secret: DAEMON.secrets[0],
    scope: "api://orders/.default",
    token_type: "pop",
    req_cnf: reqCnf(key.kid),
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json().token_type, "pop");
  return String(r.json().access_token);
}

async function nonce(): Promise<string> {
  const r = await call(`${env.emu.popApiUrl}/nonce`, { ca: env.emu.caCertificate });
  assert.equal(r.status, 200, r.text);
  return String(r.json().nonce);
}

function api(name: string, options: { method?: string; authorization?: string } = {}) {
  return call(`${env.emu.popApiUrl}/${name}`, {
    ca: env.emu.caCertificate,
    method: options.method ?? "GET",
    headers: options.authorization ? { authorization: options.authorization } : {},
  });
}

/** The claims of a request signed right for `GET /api/pop/{name}` now. */
function rightClaims(name: string, n: string, method = "GET"): Record<string, unknown> {
  return { ts: clock.now, m: method, u: env.emu.host, p: `${POP_API_PATH}/${name}`, nonce: n };
}

function assertRefused(r: Awaited<ReturnType<typeof api>>, pattern: RegExp): void {
  assert.equal(r.status, 401, r.text);
  assert.equal(r.json().error, "invalid_token");
  assert.match(String(r.json().error_description), pattern);
  assert.match(String(r.headers["www-authenticate"]), /^PoP nonce="[\w-]+", error="invalid_token"/);
}

describe("token_type=pop", () => {
  test("binds the access token to the key: cnf.kid is req_cnf's kid; the response says token_type pop", async () => {
    const key = await rsaKey();
    const claims = decodeJwt(await appPopToken(key));
    assert.deepEqual(claims.cnf, { kid: key.kid });
    assert.equal(claims.azp, DAEMON.clientId);
  });

  test("accepts req_cnf as the JWK itself, as {jwk}, or as plain JSON, binding to the JWK's thumbprint", async () => {
    const key = await rsaKey();
    for (const form of [b64(key.jwk), b64({ jwk: key.jwk }), JSON.stringify({ kid: key.kid })]) {
      const r = await tokenRequest(env.emu, {
        grant_type: "password",
        client_id: DESKTOP.clientId,
        username: ADELE.username,
        password: ADELE.password,
        scope: "User.Read offline_access",
        token_type: "pop",
        req_cnf: form,
      });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(decodeJwt(String(r.json().access_token)).cnf, { kid: key.kid });
      assert.ok(r.json().refresh_token, "the rest of the response is as for a bearer token");
    }
  });

  test("refuses a missing or unreadable req_cnf and an unknown token type, before the grant runs", async () => {
    const base = { grant_type: "client_credentials", client_id: DAEMON.clientId, client_secret: DAEMON.secrets[0], scope: "api://orders/.default" };
    const missing = await tokenRequest(env.emu, { ...base, token_type: "pop" });
    assert.equal(missing.status, 400);
    assert.match(String(missing.json().error_description), /req_cnf/);
    const garbage = await tokenRequest(env.emu, { ...base, token_type: "pop", req_cnf: "not json" });
    assert.equal(garbage.status, 400);
    assert.equal(garbage.json().error, "invalid_request");
    const unknown = await tokenRequest(env.emu, { ...base, token_type: "mac", req_cnf: reqCnf("k") });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.json().error_description), /mac/);
    const bearer = await tokenRequest(env.emu, { ...base, token_type: "Bearer" });
    assert.equal(bearer.status, 200);
    assert.equal(bearer.json().token_type, "Bearer");
  });
});

describe(`the PoP API (${POP_API_PATH}/…)`, () => {
  test("accepts a request signed for its method, host, path and nonce, and says who called", async () => {
    const key = await rsaKey();
    const at = await appPopToken(key);
    for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"]) {
      const r = await api("orders", { method, authorization: `PoP ${shr(key, at, rightClaims("orders", await nonce(), method))}` });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().method, method);
      assert.equal(r.json().resource, "orders");
      assert.equal(r.json().azp, DAEMON.clientId);
    }
  });

  test("a request without a token gets a PoP challenge whose nonce works", async () => {
    const r = await api("orders");
    assert.equal(r.status, 401);
    const challenge = /^PoP nonce="([\w-]+)"$/.exec(String(r.headers["www-authenticate"]));
    assert.ok(challenge?.[1], String(r.headers["www-authenticate"]));
    const key = await rsaKey();
    const ok = await api("orders", { authorization: `PoP ${shr(key, await appPopToken(key), rightClaims("orders", challenge[1]))}` });
    assert.equal(ok.status, 200, ok.text);
  });

  test("refuses a request signed for another path, method or host", async () => {
    const key = await rsaKey();
    const at = await appPopToken(key);
    const n = await nonce();
    assertRefused(await api("invoices", { authorization: `PoP ${shr(key, at, rightClaims("orders", n))}` }), /path/);
    assertRefused(await api("orders", { method: "POST", authorization: `PoP ${shr(key, at, rightClaims("orders", n))}` }), /method/);
    assertRefused(await api("orders", { authorization: `PoP ${shr(key, at, { ...rightClaims("orders", n), u: "api.contoso.com" })}` }), /host/);
  });

  test(`refuses a ts more than ${POP_MAX_SKEW} seconds off, and a nonce it did not issue or that expired`, async () => {
    const key = await rsaKey();
    const at = await appPopToken(key);
    const n = await nonce();
    assertRefused(await api("orders", { authorization: `PoP ${shr(key, at, { ...rightClaims("orders", n), ts: clock.now - 600 })}` }), /ts/);
    assertRefused(await api("orders", { authorization: `PoP ${shr(key, at, { ...rightClaims("orders", n), ts: clock.now + 600 })}` }), /ts/);
    assertRefused(await api("orders", { authorization: `PoP ${shr(key, at, rightClaims("orders", "made-up"))}` }), /nonce/);
    clock.now += 301;
    try {
      assertRefused(await api("orders", { authorization: `PoP ${shr(key, at, rightClaims("orders", n))}` }), /nonce/);
    } finally {
      clock.now -= 301;
    }
  });

  test("refuses a request signed with another key than the token's, or with a bad signature", async () => {
    const key = await rsaKey();
    const other = await rsaKey();
    const at = await appPopToken(key);
    const n = await nonce();
    assertRefused(await api("orders", { authorization: `PoP ${shr(other, at, rightClaims("orders", n))}` }), /bound to another key/);
    const good = shr(key, at, rightClaims("orders", n));
    const forged = good.slice(0, good.lastIndexOf(".") + 1) + Buffer.alloc(256, 1).toString("base64url");
    assertRefused(await api("orders", { authorization: `PoP ${forged}` }), /signature/);
    // Signed by `other`, claiming to be `key`: the signature check catches it.
    const claimsKey = shr({ ...other, jwk: key.jwk }, at, rightClaims("orders", n));
    assertRefused(await api("orders", { authorization: `PoP ${claimsKey}` }), /signature/);
  });

  test("refuses bearer tokens, and PoP-signed bearer tokens; /api/me refuses PoP tokens", async () => {
    const key = await rsaKey();
    const bearer = await tokenRequest(env.emu, {
      grant_type: "client_credentials",
      client_id: DAEMON.clientId,
      client_secret: DAEMON.secrets[0],
      scope: "api://orders/.default",
    });
    const token = String(bearer.json().access_token);
    assertRefused(await api("orders", { authorization: `Bearer ${token}` }), /PoP tokens only/);
    assertRefused(await api("orders", { authorization: `PoP ${shr(key, token, rightClaims("orders", await nonce()))}` }), /not a PoP token/);

    const userPop = await tokenRequest(env.emu, {
      grant_type: "password",
      client_id: DESKTOP.clientId,
      username: ADELE.username,
      password: ADELE.password,
      scope: "User.Read",
      token_type: "pop",
      req_cnf: reqCnf(key.kid),
    });
    const me = await call(env.emu.protectedApiUrl, { ca: env.emu.caCertificate, headers: { authorization: `Bearer ${String(userPop.json().access_token)}` } });
    assert.equal(me.status, 401, me.text);
    assert.match(String(me.json().error_description), /PoP/);
  });

  test("refuses a token that is not a signed request of typ pop", async () => {
    const key = await rsaKey();
    const at = await appPopToken(key);
    assertRefused(await api("orders", { authorization: "PoP abc" }), /JWS/);
    assertRefused(await api("orders", { authorization: `PoP ${shr(key, at, rightClaims("orders", await nonce()), { typ: "JWT" })}` }), /typ/);
  });
});
