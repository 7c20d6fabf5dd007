// SSH certificates end to end: msal-ts asks the emulator for an OpenSSH user certificate for a key
// (data: token_type ssh-cert, req_cnf, key_id), ssh-keygen reads it, and silent calls find it by key_id.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sshpk from "sshpk";
import { defaultTenant } from "@msal-ts/emulator";
import { ConfidentialClientApplication, SerializableTokenCache, type Account, type TokenResult } from "@msal-ts/msal";
import { ADELE, DESKTOP_APP, GRAPH_READ, ok, publicApp, startAuthority, type TestAuthority } from "./support.js";

const DAEMON = defaultTenant.apps[0];

let t: TestAuthority;
let dir: string;

before(async () => {
  t = await startAuthority();
  dir = mkdtempSync(join(tmpdir(), "msal-ts-ssh-"));
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.emu.close();
});

/** A fresh SSH key: its OpenSSH public key line, and the `data` asking for a certificate for it. */
function sshKey(keyId: string, type: "rsa" | "ed25519" = "rsa") {
  const { publicKey } = type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ed25519");
  const openssh = sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }), "pem").toString("ssh");
  return { publicKey, openssh, data: { token_type: "ssh-cert", req_cnf: jwkJson(publicKey, keyId), key_id: keyId } };
}

/** The public key as JWK JSON, as MSAL Python's and the Azure CLI's callers put it in req_cnf. */
function jwkJson(publicKey: KeyObject, keyId: string): string {
  return JSON.stringify({ ...(publicKey.export({ format: "jwk" }) as Record<string, unknown>), kid: keyId });
}

/** The certificate type, read from the blob itself (its first field). */
function certType(blob: string): string {
  const raw = Buffer.from(blob, "base64");
  return raw.subarray(4, 4 + raw.readUInt32BE(0)).toString("utf8");
}

/** Writes `id-cert.pub` (and `id.pub`) and runs `ssh-keygen -L` on it; ssh-keygen exiting non-zero throws. */
function sshKeygenList(name: string, result: TokenResult, openssh: string): { listing: string; keyFingerprint: string } {
  const sub = mkdtempSync(join(dir, `${name}-`));
  const certFile = join(sub, "id-cert.pub");
  writeFileSync(certFile, `${certType(result.access_token)} ${result.access_token}\n`);
  writeFileSync(join(sub, "id.pub"), `${openssh}\n`);
  const listing = execFileSync("ssh-keygen", ["-L", "-f", certFile], { encoding: "utf8" });
  const keyFingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(sub, "id.pub")], { encoding: "utf8" }).split(" ")[1] ?? "";
  return { listing, keyFingerprint };
}

async function signedIn(tokenCache = new SerializableTokenCache()) {
  const app = publicApp(t, DESKTOP_APP, { tokenCache });
  const bearer = ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
  const [account] = await app.getAccounts();
  assert.ok(account);
  return { app, account: account as Account, bearer, cache: tokenCache };
}

describe("SSH certificates", () => {
  test("a silent call with ssh-cert data gets a certificate ssh-keygen reads: the key id, the user, the key", async () => {
    const { app, account } = await signedIn();
    const key = sshKey("laptop-1");
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account, { data: key.data }));
    assert.equal(r.token_type, "ssh-cert");
    assert.equal(r.token_source, "identity_provider");
    assert.match(r.access_token, /^AAAA/);
    assert.equal(certType(r.access_token), "ssh-rsa-cert-v01@openssh.com");

    const { listing, keyFingerprint } = sshKeygenList("rsa", r, key.openssh);
    assert.match(listing, /Type: ssh-rsa-cert-v01@openssh\.com user certificate/);
    assert.match(listing, /Key ID: "laptop-1"/);
    assert.match(listing, new RegExp(`Principals: \\n\\s+${ADELE.username.replace(/\./g, "\\.")}\\n`));
    assert.ok(keyFingerprint.startsWith("SHA256:"));
    assert.ok(listing.includes(`RSA-CERT ${keyFingerprint}`), "the certificate is for the key that was sent");

    const cert = sshpk.parseCertificate(Buffer.from(`${certType(r.access_token)} ${r.access_token}`), "openssh");
    assert.ok(cert.isSignedByKey(sshpk.parseKey(t.emu.sshCaPublicKey, "ssh")), "signed by the emulator's SSH CA");
  });

  test("an Ed25519 key gets an Ed25519 certificate", async () => {
    const { app, account } = await signedIn();
    const key = sshKey("ed-1", "ed25519");
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account, { data: key.data }));
    assert.equal(certType(r.access_token), "ssh-ed25519-cert-v01@openssh.com");
    const { listing, keyFingerprint } = sshKeygenList("ed25519", r, key.openssh);
    assert.match(listing, /Key ID: "ed-1"/);
    assert.ok(listing.includes(`ED25519-CERT ${keyFingerprint}`));
  });

  test("silent lookups by key_id find that key's certificate only; bearer calls never get a certificate", async () => {
    const { app, account, bearer, cache } = await signedIn();
    const one = sshKey("key-one");
    const two = sshKey("key-two");
    const first = ok(await app.acquireTokenSilent(GRAPH_READ, account, { data: one.data }));
    const requests = t.emu.tokenRequestCount();

    const again = ok(await app.acquireTokenSilent(GRAPH_READ, account, { data: one.data }));
    assert.equal(again.token_source, "cache");
    assert.equal(again.access_token, first.access_token);
    assert.equal(again.token_type, "ssh-cert");
    assert.equal(t.emu.tokenRequestCount(), requests);

    const other = ok(await app.acquireTokenSilent(GRAPH_READ, account, { data: two.data }));
    assert.equal(other.token_source, "identity_provider", "another key_id misses the cache");
    assert.notEqual(other.access_token, first.access_token);
    assert.match(sshKeygenList("two", other, two.openssh).listing, /Key ID: "key-two"/);
    assert.equal(ok(await app.acquireTokenSilent(GRAPH_READ, account, { data: one.data })).access_token, first.access_token, "the first key's certificate is still cached");

    const plain = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(plain.access_token, bearer.access_token);
    assert.equal(plain.token_type, "Bearer");

    const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, Record<string, unknown>> };
    const certs = Object.values(state.AccessToken).filter((e) => e.token_type === "ssh-cert");
    assert.deepEqual(certs.map((e) => e.key_id).sort(), ["key-one", "key-two"]);
    for (const e of certs) assert.equal(e.credential_type, "AccessToken", "readable by MSAL Python");
  });

  test("without req_cnf or key_id the call throws a TypeError and sends nothing", async () => {
    const { app, account } = await signedIn();
    const key = sshKey("k");
    const requests = t.emu.tokenRequestCount();
    const { req_cnf: _cnf, ...noCnf } = key.data;
    const { key_id: _id, ...noKeyId } = key.data;
    await assert.rejects(app.acquireTokenSilent(GRAPH_READ, account, { data: noCnf }), (e: Error) => e instanceof TypeError && /req_cnf/.test(e.message));
    await assert.rejects(app.acquireTokenSilent(GRAPH_READ, account, { data: noKeyId }), (e: Error) => e instanceof TypeError && /key_id/.test(e.message));
    await assert.rejects(app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ, { data: noKeyId }), TypeError);
    assert.equal(t.emu.tokenRequestCount(), requests);
  });

  test("an app gets a certificate for itself with client credentials, cached by key_id", async () => {
    const app = new ConfidentialClientApplication(DAEMON.clientId, { ...t.appOptions, clientCredential: DAEMON.secrets[0] });
    const key = sshKey("daemon-key");
    const r = ok(await app.acquireTokenForClient(["api://orders/.default"], { data: key.data }));
    assert.equal(r.token_type, "ssh-cert");
    const { listing } = sshKeygenList("daemon", r, key.openssh);
    assert.match(listing, new RegExp(`Principals: \\n\\s+${DAEMON.clientId}\\n`));
    assert.equal(ok(await app.acquireTokenForClient(["api://orders/.default"], { data: key.data })).token_source, "cache");
    const bearer = ok(await app.acquireTokenForClient(["api://orders/.default"]));
    assert.equal(bearer.token_type, "Bearer");
    assert.equal(bearer.token_source, "identity_provider");
  });
});
