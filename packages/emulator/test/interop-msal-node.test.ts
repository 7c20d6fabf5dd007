// The emulator against an unmodified peer MSAL: @azure/msal-node (the repo's interop devDependency).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConfidentialClientApplication } from "@azure/msal-node";
import type { Configuration, INetworkModule } from "@azure/msal-node";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { Agent } from "undici";
import { createCertificateAuthority, createEmulator, createTestCertificate } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { DOMAIN, TENANT } from "./support/fixtures.js";
import { msalNodeNetwork } from "./support/msal-node.js";

const SECRET_APP = "5b4a3c2d-1e0f-4a9b-8c7d-000000000001";
const CERT_APP = "5b4a3c2d-1e0f-4a9b-8c7d-000000000002";
const SNI_APP = "5b4a3c2d-1e0f-4a9b-8c7d-000000000003";
const GRAPH = ["https://graph.microsoft.com/.default"];

const cert = createTestCertificate({ subject: "CN=msal-node daemon" });
const ca = createCertificateAuthority("CN=interop CA");
const sniCert = createTestCertificate({ subject: "CN=daemon.interop.test", issuer: ca });

let emu: Emulator;
let dispatcher: Agent;
const sentBodies: string[] = [];

/** msal-node's transport, trusting the emulator's CA, recording request bodies. */
function networkClient(): INetworkModule {
  return msalNodeNetwork(dispatcher, sentBodies);
}

function app(auth: Omit<Configuration["auth"], "authority" | "knownAuthorities">, authority = emu.authority): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { ...auth, authority, knownAuthorities: [emu.host] },
    system: { networkClient: networkClient() },
  });
}

before(async () => {
  emu = await createEmulator({
    tenants: [
      {
        id: TENANT,
        domains: [DOMAIN],
        apps: [
          { clientId: SECRET_APP, secrets: ["node-secret"], appRoles: { "https://graph.microsoft.com": ["User.Read.All"] } },
          { clientId: CERT_APP, certificates: [cert.certificate] },
          { clientId: SNI_APP, trustedIssuers: [{ issuerCertificate: ca.certificate, subject: "CN=daemon.interop.test" }] },
        ],
      },
    ],
  });
  dispatcher = new Agent({ connect: { ca: emu.caCertificate } });
});
after(async () => {
  await dispatcher.close();
  await emu.close();
});

describe("@azure/msal-node against the emulator", () => {
  test("client secret, tenant by domain: token, then served from msal-node's cache", async () => {
    const cca = app({ clientId: SECRET_APP, clientSecret: "node-secret" }, emu.authorityFor(DOMAIN));
    const first = await cca.acquireTokenByClientCredential({ scopes: GRAPH });
    assert.ok(first?.accessToken);
    const claims = decodeJwt(first.accessToken);
    assert.equal(claims.tid, TENANT);
    assert.deepEqual(claims.roles, ["User.Read.All"]);
    const count = emu.tokenRequestCount();
    const second = await cca.acquireTokenByClientCredential({ scopes: GRAPH });
    assert.equal(second?.accessToken, first.accessToken);
    assert.equal(second?.fromCache, true);
    assert.equal(emu.tokenRequestCount(), count);
    assert.ok(emu.requests.some((r) => r.path === `/${DOMAIN}/v2.0/.well-known/openid-configuration`));
  });

  test("certificate (SHA-256 thumbprint): PS256 assertion with x5t#S256 is accepted", async () => {
    sentBodies.length = 0;
    const cca = app({ clientId: CERT_APP, clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKey } });
    const r = await cca.acquireTokenByClientCredential({ scopes: GRAPH });
    assert.ok(r?.accessToken);
    assert.equal(decodeJwt(r.accessToken).azpacr, "2");
    const assertion = new URLSearchParams(sentBodies.find((b) => b.includes("client_assertion=")) ?? "").get("client_assertion") ?? "";
    const header = decodeProtectedHeader(assertion);
    assert.equal(header.alg, "PS256");
    assert.equal(typeof header["x5t#S256"], "string");
  });

  test("certificate with x5c (subject name + issuer)", async () => {
    const cca = app({
      clientId: SNI_APP,
      clientCertificate: { thumbprintSha256: sniCert.thumbprintSha256, privateKey: sniCert.privateKey, x5c: sniCert.certificate + ca.certificate },
    });
    const r = await cca.acquireTokenByClientCredential({ scopes: GRAPH });
    assert.ok(r?.accessToken);
  });

  test("client capabilities arrive as xms_cc", async () => {
    const cca = new ConfidentialClientApplication({
      auth: { clientId: SECRET_APP, clientSecret: "node-secret", authority: emu.authority, knownAuthorities: [emu.host], clientCapabilities: ["cp1"] },
      system: { networkClient: networkClient() },
    });
    const r = await cca.acquireTokenByClientCredential({ scopes: GRAPH });
    assert.deepEqual(decodeJwt(r?.accessToken ?? "").xms_cc, ["cp1"]);
  });

  test("a wrong secret surfaces as msal-node's ServerError with Entra's code and correlation id", async () => {
    const cca = app({ clientId: SECRET_APP, clientSecret: "wrong" });
    await assert.rejects(cca.acquireTokenByClientCredential({ scopes: GRAPH, correlationId: "2b1a0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d" }), (err: unknown) => {
      const e = err as { errorCode?: string; errorMessage?: string; correlationId?: string; name?: string };
      assert.equal(e.name, "ServerError");
      assert.equal(e.errorCode, "invalid_client");
      assert.match(e.errorMessage ?? "", /AADSTS7000215/);
      assert.equal(e.correlationId, "2b1a0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d");
      return true;
    });
  });

  test("instance discovery through the emulator (cloudDiscoveryMetadata not needed with knownAuthorities)", async () => {
    const before = emu.requests.length;
    const cca = app({ clientId: SECRET_APP, clientSecret: "node-secret" });
    await cca.acquireTokenByClientCredential({ scopes: GRAPH, skipCache: true });
    assert.ok(emu.requests.slice(before).every((r) => r.status === 200));
  });
});
