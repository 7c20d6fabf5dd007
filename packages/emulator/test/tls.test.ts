import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { request as httpsRequest, Agent } from "node:https";
import { after, before, describe, test } from "node:test";
import { Agent as UndiciAgent, fetch as undiciFetch } from "undici";
import { createEmulator } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { call } from "./support/https.js";

let emu: Emulator;
const OPENID = "/common/v2.0/.well-known/openid-configuration";

before(async () => {
  emu = await createEmulator({ hostnames: ["login.emulator.test"] });
});
after(() => emu.close());

describe("HTTPS", () => {
  test("trusted with caCertificate (node:https)", async () => {
    const r = await call(`${emu.url}${OPENID}`, { ca: emu.caCertificate });
    assert.equal(r.status, 200);
  });

  test("trusted with caCertificate (undici fetch with connect.ca)", async () => {
    const dispatcher = new UndiciAgent({ connect: { ca: emu.caCertificate } });
    try {
      const r = await undiciFetch(`${emu.url}${OPENID}`, { dispatcher });
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { issuer: string }).issuer, `${emu.url}/{tenantid}/v2.0`);
    } finally {
      await dispatcher.close();
    }
  });

  test("refused without the CA", async () => {
    await assert.rejects(call(`${emu.url}${OPENID}`, { ca: null }), (err: NodeJS.ErrnoException) => {
      assert.match(String(err.code), /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/);
      return true;
    });
  });

  test("the server certificate names localhost, 127.0.0.1, ::1 and extra hostnames", async () => {
    const r = await call(`${emu.url}${OPENID}`, { ca: emu.caCertificate });
    const der = r.peerCertificate?.raw;
    assert.ok(der);
    const x509 = new X509Certificate(der);
    assert.equal(x509.checkHost("localhost"), "localhost");
    assert.equal(x509.checkIP("127.0.0.1"), "127.0.0.1");
    assert.equal(x509.checkIP("::1"), "::1");
    assert.equal(x509.checkHost("login.emulator.test"), "login.emulator.test");
    assert.equal(x509.checkHost("example.com"), undefined);
    assert.ok(x509.checkIssued(new X509Certificate(emu.caCertificate)));
  });

  test("an extra hostname is a known host for discovery", async () => {
    const port = new URL(emu.url).port;
    const r = await call(`https://login.emulator.test:${port}${OPENID}`, { ca: emu.caCertificate, connectTo: "127.0.0.1" });
    assert.equal(r.status, 200);
    assert.equal(r.json().token_endpoint, `https://login.emulator.test:${port}/common/oauth2/v2.0/token`);
    const d = await call(
      `${emu.instanceDiscoveryUrl}?api-version=1.1&authorization_endpoint=${encodeURIComponent(`https://login.emulator.test:${port}/common/oauth2/v2.0/authorize`)}`,
      { ca: emu.caCertificate },
    );
    assert.equal(d.status, 200);
  });

  test("close() also closes idle keep-alive connections", async () => {
    const e = await createEmulator();
    const agent = new Agent({ keepAlive: true, ca: e.caCertificate });
    await new Promise<void>((resolve, reject) => {
      httpsRequest(`${e.url}${OPENID}`, { agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      })
        .on("error", reject)
        .end();
    });
    const started = Date.now();
    await e.close();
    assert.ok(Date.now() - started < 1000, "close() does not wait for keep-alive timeouts");
    await assert.rejects(call(`${e.url}${OPENID}`, { ca: e.caCertificate }), { code: "ECONNREFUSED" });
    agent.destroy();
  });
});
