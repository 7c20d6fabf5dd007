// Regional endpoints (ESTS-R): the emulator answers on {region}.{host} (and {region}.login.microsoft.com
// for Microsoft hosts) with a certificate covering those names, keeps issuers central, and records which
// host each request reached; its IMDS plays the instance metadata location leaf.
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { decodeJwt } from "jose";
import { createEmulator, createTestCertificate } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { regionalHosts, regionalName } from "../src/regions.js";
import { call } from "./support/https.js";
import { DOMAIN, JWT_BEARER, TENANT, signAssertion, x5t } from "./support/fixtures.js";

const DAEMON = "5d2f9c1e-7a3b-4c8d-9e0f-1a2b3c4d5e6f";
const SECRET = "daemon-secret~regions";
const CERT_DAEMON = "6e3a0d2f-8b4c-4d9e-8f1a-2b3c4d5e6f70";
const cert = createTestCertificate({ subject: "CN=regional-daemon" });

let emu: Emulator;

before(async () => {
  emu = await createEmulator({
    hostnames: ["login.microsoftonline.com"],
    regions: ["westus2"],
    managedIdentity: { region: "eastus" },
    tenants: [
      {
        id: TENANT,
        domains: [DOMAIN],
        apis: [{ identifier: "api://orders", roles: ["Orders.Read"] }],
        apps: [
          { clientId: DAEMON, secrets: [SECRET], appRoles: { "api://orders": ["Orders.Read"] } },
          { clientId: CERT_DAEMON, certificates: [cert.certificate], appRoles: { "api://orders": ["Orders.Read"] } },
        ],
      },
    ],
  });
});
after(() => emu.close());

const port = (): string => new URL(emu.url).port;

/** An HTTPS call to `https://{host}{path}`, connected to 127.0.0.1 (Host and SNI stay `host`). */
function at(host: string, path: string, form?: Record<string, string>) {
  return call(`https://${host}${path}`, { ca: emu.caCertificate, connectTo: "127.0.0.1", ...(form ? { form } : {}) });
}

function clientCredentials(host: string) {
  return at(host, `/${TENANT}/oauth2/v2.0/token`, {
    grant_type: "client_credentials",
    client_id: DAEMON,
    client_secret: SECRET,
    scope: "api://orders/.default",
  });
}

/** A plain-http GET to the managed identity listener. */
function imds(path: string, headers: Record<string, string> = { Metadata: "true" }): Promise<{ status: number; type: string; text: string }> {
  const mi = emu.managedIdentity;
  assert.ok(mi, "the managed identity listener runs");
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${mi.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("regional host names", () => {
  test("follow MSAL's rule: {region}.login.microsoft.com for Microsoft's central hosts, else {region}.{host}", () => {
    const cases: Array<[string, string, string | undefined]> = [
      ["login.microsoftonline.com", "westus2", "westus2.login.microsoft.com"],
      ["login.microsoft.com", "westus2", "westus2.login.microsoft.com"],
      ["login.windows.net", "eastus", "eastus.login.microsoft.com"],
      ["sts.windows.net", "eastus", "eastus.login.microsoft.com"],
      ["LOGIN.MicrosoftOnline.com", "westus2", "westus2.login.microsoft.com"],
      ["login.microsoftonline.us", "usgovvirginia", "usgovvirginia.login.microsoftonline.us"],
      ["localhost", "westus2", "westus2.localhost"],
      ["127.0.0.1", "westus2", undefined],
      ["::1", "westus2", undefined],
    ];
    for (const [central, region, expected] of cases) assert.equal(regionalName(central, region), expected, central);
  });

  test("several Microsoft hosts share one regional name, which stands for the first", () => {
    const map = regionalHosts(["localhost", "127.0.0.1", "login.windows.net", "login.microsoftonline.com"], ["westus2"]);
    assert.deepEqual([...map.keys()], ["westus2.localhost", "westus2.login.microsoft.com"]);
    assert.deepEqual(map.get("westus2.login.microsoft.com"), { region: "westus2", central: "login.windows.net" });
  });

  test("the emulator names its regions and their hosts", () => {
    assert.deepEqual(emu.regions, ["westus2", "eastus"]);
    assert.equal(emu.regionalHost("westus2"), `westus2.localhost:${port()}`);
    assert.equal(emu.regionalHost("eastus"), `eastus.localhost:${port()}`);
    assert.throws(() => emu.regionalHost("northeurope"), (e: unknown) => e instanceof TypeError && /northeurope/.test(e.message));
  });

  test("the options refuse region names that cannot be a host label", async () => {
    await assert.rejects(createEmulator({ regions: ["West US 2"] }), (e: unknown) => e instanceof TypeError && /regions/.test(e.message));
    await assert.rejects(createEmulator({ regions: "westus2" as never }), TypeError);
    await assert.rejects(
      createEmulator({ managedIdentity: { region: "west_us" } }),
      (e: unknown) => e instanceof TypeError && /managedIdentity\.region/.test(e.message),
    );
  });
});

describe("serving a regional host", () => {
  test("the certificate covers the configured regional names only", async () => {
    const r = await at(`westus2.localhost:${port()}`, `/${TENANT}/v2.0/.well-known/openid-configuration`);
    assert.equal(r.status, 200);
    const alt = r.peerCertificate?.subjectaltname ?? "";
    for (const name of ["westus2.localhost", "eastus.localhost", "westus2.login.microsoft.com", "eastus.login.microsoft.com"]) {
      assert.ok(alt.includes(`DNS:${name}`), `${name} in ${alt}`);
    }
    await assert.rejects(at(`northeurope.localhost:${port()}`, "/common/discovery/instance"), /altnames|Hostname\/IP does not match/i);
  });

  test("discovery at a regional host has regional endpoints and the central issuer", async () => {
    const regional = `westus2.localhost:${port()}`;
    const doc = (await at(regional, `/${DOMAIN}/v2.0/.well-known/openid-configuration`)).json();
    assert.equal(doc.token_endpoint, `https://${regional}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(doc.authorization_endpoint, `https://${regional}/${TENANT}/oauth2/v2.0/authorize`);
    assert.equal(doc.issuer, `${emu.url}/${TENANT}/v2.0`);
  });

  test("{region}.login.microsoft.com stands for the Microsoft host the emulator is named", async () => {
    const regional = `westus2.login.microsoft.com:${port()}`;
    const doc = (await at(regional, `/${TENANT}/v2.0/.well-known/openid-configuration`)).json();
    assert.equal(doc.token_endpoint, `https://${regional}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(doc.issuer, `https://login.microsoftonline.com:${port()}/${TENANT}/v2.0`);
  });

  test("a token from a regional host has the central issuer, and the log says which host it came from", async () => {
    emu.clearRequests();
    const regional = await clientCredentials(`westus2.localhost:${port()}`);
    assert.equal(regional.status, 200, regional.text);
    assert.equal(decodeJwt(String(regional.json().access_token)).iss, `${emu.url}/${TENANT}/v2.0`);
    assert.equal((await clientCredentials(`eastus.localhost:${port()}`)).status, 200);
    assert.equal((await clientCredentials(emu.host)).status, 200);
    assert.equal((await clientCredentials(emu.host)).status, 200);

    const [first] = emu.requests;
    assert.equal(first?.host, `westus2.localhost:${port()}`);
    assert.equal(first?.region, "westus2");
    assert.equal(emu.requests[2]?.host, emu.host);
    assert.equal(emu.requests[2]?.region, undefined);

    assert.equal(emu.tokenRequestCount(), 4);
    assert.equal(emu.tokenRequestCount({ host: "westus2.localhost" }), 1);
    assert.equal(emu.tokenRequestCount({ host: `WESTUS2.localhost:${port()}` }), 1);
    assert.equal(emu.tokenRequestCount({ host: "westus2.localhost:1" }), 0);
    assert.equal(emu.tokenRequestCount({ region: "eastus" }), 1);
    assert.equal(emu.tokenRequestCount({ region: null }), 2);
    assert.equal(emu.tokenRequestCount({ host: "localhost", clientId: DAEMON }), 2);
  });

  test("a client assertion for the central token endpoint is accepted at a regional one", async () => {
    // MSALs keep the central audience when they post to a regional endpoint, and ESTS-R expects it.
    const redeem = async (audience: string) =>
      at(`westus2.localhost:${port()}`, `/${TENANT}/oauth2/v2.0/token`, {
        grant_type: "client_credentials",
        client_id: CERT_DAEMON,
        client_assertion_type: JWT_BEARER,
        client_assertion: await signAssertion(cert, { clientId: CERT_DAEMON, audience, header: { x5t: x5t(cert.thumbprint) } }),
        scope: "api://orders/.default",
      });
    const central = await redeem(`${emu.url}/${TENANT}/oauth2/v2.0/token`);
    assert.equal(central.status, 200, central.text);
    const elsewhere = await redeem(`https://login.example.com/${TENANT}/oauth2/v2.0/token`);
    assert.equal(elsewhere.status, 401);
    assert.equal(elsewhere.json().error, "invalid_client");
  });
});

describe("IMDS's location leaf", () => {
  const PATH = "/metadata/instance/compute/location";

  test("answers the region as text, as MSALs ask", async () => {
    const r = await imds(`${PATH}?format=text&api-version=2021-01-01`);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain/);
    assert.equal(r.text, "eastus");
    assert.ok(emu.requests.some((e) => e.path === PATH && e.host === new URL(emu.managedIdentity!.url).host));
  });

  test("answers a JSON string for format=json", async () => {
    const r = await imds(`${PATH}?format=json&api-version=2021-01-01`);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.text), "eastus");
  });

  test("refuses a request without Metadata: true", async () => {
    const r = await imds(`${PATH}?format=text&api-version=2021-01-01`, {});
    assert.equal(r.status, 400);
    assert.match(String(JSON.parse(r.text).error), /metadata header/i);
  });

  test("without an api-version, lists the newest versions", async () => {
    const r = await imds(`${PATH}?format=json`);
    assert.equal(r.status, 400);
    const body = JSON.parse(r.text) as { error: string; "newest-versions": string[] };
    assert.match(body.error, /api-version was not specified/);
    assert.ok(Array.isArray(body["newest-versions"]) && body["newest-versions"].length > 0);
  });

  test("an injected fault answers instead (IMDS is one service)", async () => {
    emu.managedIdentity!.failNext("imds", { status: 503 });
    assert.equal((await imds(`${PATH}?format=text&api-version=2021-01-01`)).status, 503);
    assert.equal((await imds(`${PATH}?format=text&api-version=2021-01-01`)).status, 200);
  });

  test("a host with no region configured answers 404", async () => {
    const plain = await createEmulator({ managedIdentity: {} });
    try {
      assert.deepEqual(plain.regions, []);
      const r = await new Promise<number>((resolve, reject) => {
        httpRequest(`${plain.managedIdentity!.url}${PATH}?format=text&api-version=2021-01-01`, { headers: { Metadata: "true" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
      assert.equal(r, 404);
    } finally {
      await plain.close();
    }
  });
});
