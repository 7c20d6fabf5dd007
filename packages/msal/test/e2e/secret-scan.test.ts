// The scanner behind the no-secrets-in-logs test: it must find what it is meant to find (a logged
// token, a fragment of a refresh token, a password, encoded secrets) and nothing in clean logs, and
// its report must not repeat the secrets.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { assertNoSecrets, describeFindings, scanForSecrets } from "../../../../test-support/secret-scan.js";
import type { ScanSecret } from "../../../../test-support/secret-scan.js";

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT-shaped token with a random payload and signature, like the emulator's. */
function jwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: "RS256", typ: "JWT", kid: "emulator" })}.${b64url({ ...claims, jti: randomBytes(12).toString("hex") })}.${randomBytes(256).toString("base64url")}`;
}

const accessToken = jwt({ aud: "https://graph.microsoft.com", scp: "User.Read" });
const idToken = jwt({ aud: "client", preferred_username: "adele@contoso.onmicrosoft.com" });
const refreshToken = `1.AQEA${randomBytes(96).toString("base64url")}`;
const password = "adele-password~emulator";
const clientSecret = "web-secret~emulator-only";
const secrets: ScanSecret[] = [
  { kind: "access_token", value: accessToken },
  { kind: "id_token", value: idToken },
  { kind: "refresh_token", value: refreshToken },
  { kind: "password", value: password },
  { kind: "client_secret", value: clientSecret },
  { kind: "password", value: "x" },
];

const clean = [
  "[verbose] GET https://localhost:8443/7e57ab1e-0000-4c0d-8e5a-c0de70c0ffee/v2.0/.well-known/openid-configuration",
  "[verbose] POST https://localhost:8443/7e57ab1e-0000-4c0d-8e5a-c0de70c0ffee/oauth2/v2.0/token (grant_type=refresh_token) -> HTTP 200 in 12 ms",
  "[info] token from the cache for d4e1c0de-0000-4a11-8c11-000000000003",
  "[warning] invalid_grant AADSTS50126: Error validating credentials due to invalid username or password.",
];

/** Fails unless the message reveals none of the secrets, nor a 16-character piece of one. */
function assertRedacted(message: string): void {
  assertNoSecrets([message], secrets.filter((s) => s.value.length > 1));
}

describe("the secret scanner", () => {
  test("clean logs pass, and a secret too short to look for is reported as skipped", () => {
    const report = scanForSecrets(clean, secrets);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.skipped, ["password"]);
    assertNoSecrets(clean, secrets);
  });

  test("a deliberately logged access token is found whole, where it is", () => {
    const lines = [...clean, `[verbose] response {"token_type":"Bearer","access_token":"${accessToken}"}`];
    const { findings } = scanForSecrets(lines, secrets);
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f?.kind, "access_token");
    assert.equal(f?.match, "whole");
    assert.equal(f?.form, "plain");
    assert.equal(f?.line, 5);
    assert.equal(f?.column, (lines[4] ?? "").indexOf(accessToken) + 1);
    assert.equal(f?.length, accessToken.length);
    assert.throws(() => assertNoSecrets(lines, secrets), (err: Error) => {
      assert.match(err.message, /access_token \[[0-9a-f]{12}\]: the whole secret at line 5/);
      assertRedacted(err.message);
      return true;
    });
  });

  test("a fragment of a refresh token is found; so is one JWT segment on its own", () => {
    const piece = refreshToken.slice(40, 70);
    const payload = idToken.split(".")[1] ?? "";
    const { findings } = scanForSecrets([`refreshing with …${piece}…`, `claims: ${payload}`], secrets);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.match, f.line, f.length]),
      [
        ["refresh_token", "fragment", 1, piece.length],
        ["id_token", "jwt-segment", 2, payload.length],
      ],
    );
    assertRedacted(describeFindings(findings));
  });

  test("a JWT header, or the opening claims two tokens share, is no leak; the claims only one token has are", () => {
    const [header = "", payload = ""] = accessToken.split(".");
    // Both tokens' payloads open with `{"aud":"https://graph.microsoft.com",` …
    const other = jwt({ aud: "https://graph.microsoft.com", scp: "Mail.Read" });
    const pair: ScanSecret[] = [
      { kind: "access_token", value: accessToken },
      { kind: "access_token", value: other },
    ];
    const common = payload.slice(0, 40);
    assert.ok(other.includes(common));
    assert.deepEqual(scanForSecrets([`header ${header}`, `prefix ${common}`], pair).findings, []);
    const own = payload.slice(-40);
    const fingerprint = createHash("sha256").update(accessToken).digest("hex").slice(0, 12);
    assert.deepEqual(
      scanForSecrets([`tail ${own}`], pair).findings.map((f) => [f.kind, f.match, f.fingerprint]),
      [["access_token", "fragment", fingerprint]],
    );
  });

  test("a password is found, plain and URL-encoded in a logged request body", () => {
    const body = new URLSearchParams({ grant_type: "password", username: "adele", password }).toString();
    const { findings } = scanForSecrets([`user typed ${password}`, `POST body: ${body}`], secrets);
    assert.deepEqual(
      findings.map((f) => [f.kind, f.match, f.form, f.line]),
      [
        ["password", "whole", "plain", 1],
        ["password", "whole", "form-encoded", 2],
      ],
    );
  });

  test("a client secret inside a logged Basic authorization header (base64 of id:secret) is found", () => {
    const basic = Buffer.from(`d4e1c0de-0000-4a11-8c11-000000000002:${clientSecret}`).toString("base64");
    const { findings } = scanForSecrets([`headers: {"authorization":"Basic ${basic}"}`], secrets);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.kind, "client_secret");
    assert.equal(findings[0]?.form, "base64");
  });

  test("fragments shorter than the threshold are not leaks; a secret's JSON-escaped form is", () => {
    const short = refreshToken.slice(10, 25);
    assert.deepEqual(scanForSecrets([`…${short}…`], secrets).findings, []);
    const quoted = { kind: "client_assertion", value: 'a"quoted\\secret-value-here' };
    const { findings } = scanForSecrets([JSON.stringify({ assertion: quoted.value })], [quoted]);
    assert.equal(findings[0]?.form, "json-escaped");
  });
});
