// msal-ts token for an app: client credentials with a secret, a PEM certificate or a PKCS#12.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestCertificate, defaultTenant } from "@msal-ts/emulator";
import { DAEMON, assertOneLineError, commandEnv, json, run, startAuthority } from "./support.js";
import type { TestAuthority } from "./support.js";

const GRAPH_DEFAULT = "https://graph.microsoft.com/.default";
const CERT_APP = "c3271f1c-0000-4a11-8c11-0000000000c1";
const certificate = createTestCertificate({ subject: "CN=msal-ts cli test" });

interface TokenJson {
  readonly access_token: string;
  readonly token_source: string;
  readonly expires_in: number;
  readonly expires_on: string;
  readonly account: string | null;
}

describe("msal-ts token for an app", () => {
  let t: TestAuthority;
  let n = 0;
  /** A cache of its own for each call that must reach the authority. */
  const freshEnv = (): NodeJS.ProcessEnv => commandEnv({ MSAL_TS_CACHE: join(t.dir, `cache-${++n}.json`) });

  before(async () => {
    t = await startAuthority({
      tenants: [
        {
          ...defaultTenant,
          apps: [
            ...defaultTenant.apps,
            { clientId: CERT_APP, certificates: [certificate.certificate], appRoles: { "https://graph.microsoft.com": ["User.Read.All"] } },
          ],
        },
      ],
    });
  });
  after(() => t.emu.close());

  test("--client-secret gets a token, then the next process has it from the cache", async () => {
    const env = freshEnv();
    const args = ["token", "--scope", GRAPH_DEFAULT, "--client-id", DAEMON.clientId, "--client-secret", DAEMON.secret, "--json", ...t.flags];
    const first = json<TokenJson>(await run(args, env));
    assert.equal(first.token_source, "identity_provider");
    assert.equal(first.account, null);
    assert.ok(first.expires_in > 0 && Date.parse(first.expires_on) > Date.now());
    const before = t.emu.tokenRequestCount();
    const second = json<TokenJson>(await run(args, env));
    assert.equal(second.token_source, "cache");
    assert.equal(second.access_token, first.access_token);
    assert.equal(t.emu.tokenRequestCount(), before);

    const forced = json<TokenJson>(await run([...args, "--force-refresh"], env));
    assert.equal(forced.token_source, "identity_provider");
  });

  test("a wrong secret fails with the authority's error on one line, exit 1, never the secret", async () => {
    const secret = "wrong-secret~123";
    const line = assertOneLineError(
      await run(["token", "--scope", GRAPH_DEFAULT, "--client-id", DAEMON.clientId, "--client-secret", secret, ...t.flags], freshEnv()),
      1,
      /^msal-ts: error: invalid_client: AADSTS\d+/,
    );
    assert.ok(!line.includes(secret));
  });

  test("an app credential needs --client-id, even on the emulator", async () => {
    assertOneLineError(await run(["token", "--scope", GRAPH_DEFAULT, "--client-secret", DAEMON.secret, ...t.flags], freshEnv()), 2, /--client-id is required/);
  });

  test("--certificate with a PEM (key and certificate) names the certificate by its SHA-256 thumbprint", async () => {
    const pem = join(t.dir, "app.pem");
    writeFileSync(pem, `${certificate.privateKey}\n${certificate.certificate}\n`);
    const out = json<TokenJson>(await run(["token", "--scope", GRAPH_DEFAULT, "--client-id", CERT_APP, "--certificate", pem, "--json", ...t.flags], freshEnv()));
    assert.equal(out.token_source, "identity_provider");
  });

  test("--certificate with a key-only PEM and --certificate-thumbprint (SHA-1)", async () => {
    const key = join(t.dir, "key.pem");
    writeFileSync(key, certificate.encryptedPrivateKey("pem-pass"));
    const args = ["token", "--scope", GRAPH_DEFAULT, "--client-id", CERT_APP, "--certificate", key, "--certificate-passphrase", "pem-pass"];
    const out = json<TokenJson>(await run([...args, "--certificate-thumbprint", certificate.thumbprint, "--json", ...t.flags], freshEnv()));
    assert.equal(out.token_source, "identity_provider");
    assertOneLineError(await run([...args, ...t.flags], freshEnv()), 2, /holds no certificate/);
  });

  test("--certificate with a PKCS#12 and its passphrase", async () => {
    const pfx = join(t.dir, "app.pfx");
    writeFileSync(pfx, certificate.pkcs12("pfx-pass"));
    const args = ["token", "--scope", GRAPH_DEFAULT, "--client-id", CERT_APP, "--certificate", pfx, ...t.flags];
    const out = json<TokenJson>(await run([...args, "--certificate-passphrase", "pfx-pass", "--json"], freshEnv()));
    assert.equal(out.token_source, "identity_provider");
    assertOneLineError(await run([...args, "--certificate-passphrase", "wrong"], freshEnv()), 1, /PKCS#12/);
  });

  test("without the emulator's CA, the TLS failure is one line that points at --ca-file", async () => {
    const flags = t.flags.filter((f, i, all) => f !== "--ca-file" && all[i - 1] !== "--ca-file");
    assertOneLineError(
      await run(["token", "--scope", GRAPH_DEFAULT, "--client-id", DAEMON.clientId, "--client-secret", DAEMON.secret, ...flags], freshEnv()),
      1,
      /--ca-file/,
    );
  });
});
