import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SignJWT, decodeJwt, decodeProtectedHeader, importPKCS8 } from "jose";
import {
  createCertificateAuthority,
  createEmulator,
  createTestCertificate,
  type Emulator,
} from "@msal-ts/emulator";
import {
  ConfidentialClientApplication,
  MsalError,
  SerializableTokenCache,
  type AuthenticationResult,
  type ClientCredential,
  type TokenResult,
} from "@msal-ts/msal";

const TENANT = "6babcaad-604b-40ac-a9d7-9fd97c0b779f";
const GRAPH = ["https://graph.microsoft.com/.default"];
const ORDERS = ["api://orders/.default"];

const rsaCert = createTestCertificate({ subject: "CN=daemon-rs256" });
const psCert = createTestCertificate({ subject: "CN=daemon-ps256" });
const pfxCert = createTestCertificate({ subject: "CN=daemon-pfx" });
const ca = createCertificateAuthority("CN=msal-ts test issuing CA");
const sniCert = createTestCertificate({ subject: "CN=daemon.sni.contoso.com", issuer: ca });

let emu: Emulator;
let dir: string;
let caPath: string;

function ok(r: AuthenticationResult): TokenResult {
  if ("error" in r) assert.fail(`expected a token, got ${r.error}: ${r.error_description}`);
  return r;
}

function app(clientId: string, clientCredential: ClientCredential, extra: Record<string, unknown> = {}) {
  return new ConfidentialClientApplication(clientId, {
    clientCredential,
    authority: emu.authorityFor(TENANT),
    instanceDiscovery: emu.instanceDiscoveryUrl,
    verify: caPath,
    ...extra,
  });
}

before(async () => {
  emu = await createEmulator({
    tenants: [
      {
        id: TENANT,
        domains: ["contoso.onmicrosoft.com"],
        apis: [{ identifier: "api://orders", roles: ["Orders.Read", "Orders.Write"] }],
        apps: [
          { clientId: "secret-app", secrets: ["s3cret-value"], appRoles: { "api://orders": ["Orders.Read"] } },
          { clientId: "cert-app", certificates: [rsaCert.certificate, psCert.certificate, pfxCert.certificate] },
          { clientId: "sni-app", trustedIssuers: [{ issuerCertificate: ca.certificate, subject: "CN=daemon.sni.contoso.com" }] },
          { clientId: "assertion-app", certificates: [rsaCert.certificate] },
        ],
      },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), "msal-ts-cc-"));
  caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
});

after(async () => {
  await emu.close();
});

describe("client credentials on the emulator", () => {
  test("secret: first from the authority, then from the cache with no request", async () => {
    const cca = app("secret-app", "s3cret-value");
    const first = ok(await cca.acquireTokenForClient(ORDERS));
    assert.equal(first.token_source, "identity_provider");
    assert.equal(first.token_type, "Bearer");
    assert.ok(first.expires_in > 3000);
    const claims = decodeJwt(first.access_token);
    assert.equal(claims.tid, TENANT);
    assert.deepEqual(claims.roles, ["Orders.Read"]);
    assert.equal(claims.azp ?? claims.appid, "secret-app");

    const before = emu.tokenRequestCount();
    const second = ok(await cca.acquireTokenForClient(ORDERS));
    assert.equal(second.token_source, "cache");
    assert.equal(second.access_token, first.access_token);
    assert.equal(emu.tokenRequestCount(), before, "a cache hit makes no token request");
  });

  test("forceRefresh goes to the authority even with a cached token", async () => {
    const cca = app("secret-app", "s3cret-value");
    const first = ok(await cca.acquireTokenForClient(GRAPH));
    const before = emu.tokenRequestCount();
    const again = ok(await cca.acquireTokenForClient(GRAPH, { forceRefresh: true }));
    assert.equal(again.token_source, "identity_provider");
    assert.notEqual(again.access_token, first.access_token);
    assert.equal(emu.tokenRequestCount(), before + 1);
  });

  test("a second app instance shares discovery but not tokens", async () => {
    const a = app("secret-app", "s3cret-value");
    ok(await a.acquireTokenForClient(GRAPH));
    const discoveries = emu.requests.filter((r) => r.path.includes("openid-configuration")).length;
    const b = app("secret-app", "s3cret-value");
    const r = ok(await b.acquireTokenForClient(GRAPH));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(emu.requests.filter((x) => x.path.includes("openid-configuration")).length, discoveries);
  });

  const certificateCases: { name: string; alg: string; header: string; credential: () => ClientCredential }[] = [
    {
      name: "PEM key + SHA-1 thumbprint",
      alg: "RS256",
      header: "x5t",
      credential: () => ({ privateKey: rsaCert.privateKey, thumbprint: rsaCert.thumbprint }),
    },
    {
      name: "PEM key + SHA-256 thumbprint",
      alg: "PS256",
      header: "x5t#S256",
      credential: () => ({ privateKey: psCert.privateKey, thumbprintSha256: psCert.thumbprintSha256 }),
    },
    {
      name: "encrypted PEM key with passphrase",
      alg: "RS256",
      header: "x5t",
      credential: () => ({
        privateKey: rsaCert.encryptedPrivateKey("correct horse"),
        passphrase: "correct horse",
        thumbprint: rsaCert.thumbprint,
      }),
    },
    {
      name: "PKCS#12 file",
      alg: "PS256",
      header: "x5t#S256",
      credential: () => {
        const p = join(dir, "daemon.pfx");
        writeFileSync(p, pfxCert.pkcs12("pfx-pass"));
        return { privateKeyPfxPath: p, passphrase: "pfx-pass" };
      },
    },
  ];
  for (const c of certificateCases) {
    test(`certificate: ${c.name} → ${c.alg} with ${c.header}`, async () => {
      const seen: string[] = [];
      const cca = app("cert-app", c.credential(), {
        httpClient: spyingClient(seen),
      });
      const r = ok(await cca.acquireTokenForClient(GRAPH));
      assert.equal(decodeJwt(r.access_token).azpacr ?? decodeJwt(r.access_token).appidacr, "2");
      const assertion = seen.find((b) => b.includes("client_assertion="));
      assert.ok(assertion, "the token request carried a client assertion");
      const jwt = new URLSearchParams(assertion).get("client_assertion") ?? "";
      const header = decodeProtectedHeader(jwt);
      assert.equal(header.alg, c.alg);
      assert.ok(typeof header[c.header] === "string", `header has ${c.header}`);
      const payload = decodeJwt(jwt);
      assert.equal(payload.iss, "cert-app");
      assert.equal(payload.sub, "cert-app");
      assert.match(String(payload.aud), /\/oauth2\/v2\.0\/token$/);
    });
  }

  test("certificate: every request carries a new assertion, so an authority holding jti to single use accepts each", async () => {
    const seen: string[] = [];
    const cca = app("cert-app", { privateKey: psCert.privateKey, thumbprintSha256: psCert.thumbprintSha256 }, { httpClient: spyingClient(seen) });
    ok(await cca.acquireTokenForClient(GRAPH));
    const again = ok(await cca.acquireTokenForClient(GRAPH, { forceRefresh: true }));
    assert.equal(again.token_source, "identity_provider");
    const jtis = seen
      .map((b) => new URLSearchParams(b).get("client_assertion"))
      .filter((a): a is string => a !== null)
      .map((a) => decodeJwt(a).jti);
    assert.equal(jtis.length, 2);
    assert.notEqual(jtis[0], jtis[1]);
  });

  test("certificate: subject name + issuer (x5c) is accepted for a trusted issuer", async () => {
    const seen: string[] = [];
    const cca = app(
      "sni-app",
      { privateKey: sniCert.privateKey, publicCertificate: sniCert.certificate + ca.certificate },
      { httpClient: spyingClient(seen) },
    );
    ok(await cca.acquireTokenForClient(GRAPH));
    const jwt = new URLSearchParams(seen.find((b) => b.includes("client_assertion=")) ?? "").get("client_assertion") ?? "";
    const x5c = decodeProtectedHeader(jwt).x5c;
    assert.ok(Array.isArray(x5c) && x5c.length === 2, "x5c carries the chain");
  });

  test("certificate from an untrusted issuer is refused with invalid_client", async () => {
    const other = createCertificateAuthority("CN=someone else");
    const rogue = createTestCertificate({ subject: "CN=daemon.sni.contoso.com", issuer: other });
    const cca = app("sni-app", { privateKey: rogue.privateKey, publicCertificate: rogue.certificate });
    const r = await cca.acquireTokenForClient(GRAPH);
    assert.ok("error" in r);
    assert.equal(r.error, "invalid_client");
  });

  test("assertion callback (async) is called for each request", async () => {
    let calls = 0;
    const key = await importPKCS8(rsaCert.privateKey, "RS256");
    const cca = app("assertion-app", {
      clientAssertion: async () => {
        calls++;
        const tokenEndpoint = `${emu.url}/${TENANT}/oauth2/v2.0/token`;
        return new SignJWT({ jti: crypto.randomUUID() })
          .setProtectedHeader({ alg: "RS256", x5t: Buffer.from(rsaCert.thumbprint, "hex").toString("base64url") })
          .setIssuer("assertion-app")
          .setSubject("assertion-app")
          .setAudience(tokenEndpoint)
          .setIssuedAt()
          .setExpirationTime("10m")
          .sign(key);
      },
    });
    ok(await cca.acquireTokenForClient(GRAPH));
    ok(await cca.acquireTokenForClient(GRAPH, { forceRefresh: true }));
    assert.equal(calls, 2);
  });

  test("a string assertion works too", async () => {
    const key = await importPKCS8(rsaCert.privateKey, "RS256");
    const jwt = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: "RS256", x5t: Buffer.from(rsaCert.thumbprint, "hex").toString("base64url") })
      .setIssuer("assertion-app")
      .setSubject("assertion-app")
      .setAudience(`${emu.url}/${TENANT}/oauth2/v2.0/token`)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(key);
    const r = ok(await app("assertion-app", { clientAssertion: jwt }).acquireTokenForClient(GRAPH));
    assert.equal(r.token_source, "identity_provider");
  });

  test("wrong secret → invalid_client error result, nothing cached", async () => {
    const cache = new SerializableTokenCache();
    const cca = app("secret-app", "wrong", { tokenCache: cache });
    const r = await cca.acquireTokenForClient(GRAPH);
    assert.ok("error" in r, "an error result, not a throw");
    assert.equal(r.error, "invalid_client");
    assert.match(r.error_description ?? "", /AADSTS7000215/);
    assert.ok(r.correlation_id);
    assert.equal(cache.serialize(), "{}");
  });

  test("unknown tenant → error result", async () => {
    const cca = new ConfidentialClientApplication("secret-app", {
      clientCredential: "s3cret-value",
      authority: emu.authorityFor("no-such-tenant.onmicrosoft.com"),
      instanceDiscovery: false,
      verify: caPath,
    });
    const r = await cca.acquireTokenForClient(GRAPH);
    assert.ok("error" in r);
    assert.equal(r.error, "invalid_tenant");
  });

  test("claimsChallenge + clientCapabilities are sent as xms_cc and skip the cache", async () => {
    const cca = app("secret-app", "s3cret-value", { clientCapabilities: ["CP1"] });
    ok(await cca.acquireTokenForClient(GRAPH));
    const before = emu.tokenRequestCount();
    const r = ok(
      await cca.acquireTokenForClient(GRAPH, {
        claimsChallenge: JSON.stringify({ access_token: { nbf: { essential: true, value: "1700000000" } } }),
      }),
    );
    assert.equal(emu.tokenRequestCount(), before + 1);
    assert.deepEqual(decodeJwt(r.access_token).xms_cc, ["CP1"]);
  });

  test("removeTokensForClient empties the app's tokens", async () => {
    const cca = app("secret-app", "s3cret-value");
    ok(await cca.acquireTokenForClient(GRAPH));
    await cca.removeTokensForClient();
    const before = emu.tokenRequestCount();
    const r = ok(await cca.acquireTokenForClient(GRAPH));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(emu.tokenRequestCount(), before + 1);
  });

  test("without the emulator's CA, TLS verification refuses the connection", async () => {
    const cca = new ConfidentialClientApplication("secret-app", {
      clientCredential: "s3cret-value",
      authority: emu.authorityFor(TENANT),
      instanceDiscovery: false,
    });
    await assert.rejects(cca.acquireTokenForClient(GRAPH), (e: unknown) => {
      assert.ok(e instanceof MsalError);
      assert.equal(e.code, "ERR_NETWORK");
      return true;
    });
  });

  test("bad arguments throw typed errors", async () => {
    const cca = app("secret-app", "s3cret-value");
    await assert.rejects(cca.acquireTokenForClient("https://graph.microsoft.com/.default" as unknown as string[]), {
      code: "ERR_INVALID_ARG_TYPE",
    });
    await assert.rejects(cca.acquireTokenForClient([]), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => app("cert-app", { privateKey: rsaCert.privateKey }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(
      () => app("cert-app", { privateKey: rsaCert.encryptedPrivateKey("pw"), thumbprint: rsaCert.thumbprint }),
      (e: unknown) => e instanceof MsalError && e.code === "ERR_CLIENT_CREDENTIAL" && /passphrase/.test(e.message),
    );
    assert.throws(
      () => app("cert-app", { privateKey: rsaCert.privateKey, thumbprint: "not hex!" }),
      { code: "ERR_INVALID_ARG_VALUE" },
    );
    assert.throws(
      () => new ConfidentialClientApplication("x", { clientCredential: "s", authority: "http://insecure.example/t" }),
      (e: unknown) => e instanceof MsalError && /https/.test(e.message),
    );
  });

  /** The default client with the emulator's CA, recording POST bodies. */
  function spyingClient(bodies: string[]) {
    let inner: ((url: string, init: Parameters<typeof fetch>[1]) => Promise<Response>) | undefined;
    return async (url: string, init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => {
      if (init.body) bodies.push(init.body);
      inner ??= await defaultClientWithCa();
      return inner(url, init);
    };
  }

  async function defaultClientWithCa() {
    const { Agent, fetch: undiciFetch } = await import("undici");
    const dispatcher = new Agent({ connect: { ca: emu.caCertificate } });
    return (url: string, init: Parameters<typeof fetch>[1]) =>
      undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  }
});
