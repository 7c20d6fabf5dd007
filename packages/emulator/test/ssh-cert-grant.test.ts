// token_type=ssh-cert: OpenSSH user certificates signed by the emulator's SSH CA.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import sshpk from "sshpk";
import { ADELE, DAEMON, DESKTOP, tokenRequest, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator();
const dir = mkdtempSync(join(tmpdir(), "emulator-ssh-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function publicJwk(publicKey: KeyObject, keyId: string): string {
  return JSON.stringify({ ...(publicKey.export({ format: "jwk" }) as Record<string, unknown>), kid: keyId });
}

function sshKey(publicKey: KeyObject): sshpk.Key {
  return sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }), "pem");
}

async function certificateFor(publicKey: KeyObject, keyId: string, form: Record<string, string> = {}) {
  const r = await tokenRequest(env.emu, {
    grant_type: "password",
    client_id: DESKTOP.clientId,
    username: ADELE.username,
    password: ADELE.password,
    scope: "User.Read",
    token_type: "ssh-cert",
    req_cnf: publicJwk(publicKey, keyId),
    key_id: keyId,
    ...form,
  });
  assert.equal(r.status, 200, r.text);
  return r.json<{ token_type: string; access_token: string; expires_in: number }>();
}

/** `ssh-keygen -L` on the certificate, written as an OpenSSH `-cert.pub` file. */
function sshKeygenList(type: string, blob: string): string {
  const file = join(dir, `${type.replace(/\W/g, "_")}-cert.pub`);
  writeFileSync(file, `${type} ${blob}\n`);
  return execFileSync("ssh-keygen", ["-L", "-f", file], { encoding: "utf8" });
}

describe("token_type=ssh-cert", () => {
  test("answers with an OpenSSH user certificate for the RSA key, signed by the emulator's CA", async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const body = await certificateFor(publicKey, "laptop-key");
    assert.equal(body.token_type, "ssh-cert");
    assert.match(body.access_token, /^AAAA[A-Za-z0-9+/]+=*$/, "the base64 certificate blob, as Entra sends it");

    const cert = sshpk.parseCertificate(Buffer.from(`ssh-rsa-cert-v01@openssh.com ${body.access_token}`), "openssh");
    const ca = sshpk.parseKey(env.emu.sshCaPublicKey, "ssh");
    assert.ok(cert.isSignedByKey(ca), "signed by the CA the emulator publishes");
    assert.ok(cert.subjectKey.fingerprint("sha256").matches(sshKey(publicKey)), "for the requested key");
    assert.deepEqual(cert.subjects.map((s) => s.uid), [ADELE.username]);
    assert.equal(cert.signatures.openssh?.keyId, "laptop-key");
    assert.equal(cert.validFrom.getTime() / 1000, env.clock.now);
    assert.equal(cert.validUntil.getTime() / 1000, env.clock.now + body.expires_in);

    const listed = sshKeygenList("ssh-rsa-cert-v01@openssh.com", body.access_token);
    assert.match(listed, /Type: ssh-rsa-cert-v01@openssh\.com user certificate/);
    assert.match(listed, /Key ID: "laptop-key"/);
    assert.match(listed, new RegExp(`Principals: \\n\\s+${ADELE.username.replace(/\./g, "\\.")}\\n`));
    assert.match(listed, /permit-pty/);
  });

  test("Ed25519 and EC keys get certificates too; an app-only certificate names the app", async () => {
    const ed = await certificateFor(generateKeyPairSync("ed25519").publicKey, "ed-key");
    assert.match(sshKeygenList("ssh-ed25519-cert-v01@openssh.com", ed.access_token), /Key ID: "ed-key"/);
    const ec = await certificateFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey, "ec-key");
    assert.match(sshKeygenList("ecdsa-sha2-nistp256-cert-v01@openssh.com", ec.access_token), /Key ID: "ec-key"/);

    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const r = await tokenRequest(env.emu, {
      grant_type: "client_credentials",
      client_id: DAEMON.clientId,
      client_secret: DAEMON.secrets[0],
      scope: "api://orders/.default",
      token_type: "ssh-cert",
      req_cnf: publicJwk(publicKey, "daemon-key"),
      key_id: "daemon-key",
    });
    assert.equal(r.status, 200, r.text);
    assert.match(sshKeygenList("ssh-rsa-cert-v01@openssh.com", String(r.json().access_token)), new RegExp(`\\s${DAEMON.clientId}\\n`));
  });

  test("refuses a request without key_id or req_cnf, or with a private or unreadable key", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const base = { grant_type: "password", client_id: DESKTOP.clientId, username: ADELE.username, password: ADELE.password, scope: "User.Read", token_type: "ssh-cert" };
    const noKeyId = await tokenRequest(env.emu, { ...base, req_cnf: publicJwk(publicKey, "k") });
    assert.equal(noKeyId.status, 400);
    assert.match(String(noKeyId.json().error_description), /key_id/);
    const noCnf = await tokenRequest(env.emu, { ...base, key_id: "k" });
    assert.match(String(noCnf.json().error_description), /req_cnf/);
    const secret = await tokenRequest(env.emu, { ...base, key_id: "k", req_cnf: JSON.stringify(privateKey.export({ format: "jwk" })) });
    assert.equal(secret.status, 400);
    assert.match(String(secret.json().error_description), /private/);
    const broken = await tokenRequest(env.emu, { ...base, key_id: "k", req_cnf: JSON.stringify({ kty: "RSA", n: "AQAB" }) });
    assert.equal(broken.status, 400);
    assert.equal(broken.json().error, "invalid_request");
  });
});
