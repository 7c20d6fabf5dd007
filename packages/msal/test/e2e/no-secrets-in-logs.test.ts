// No secret in any log: every flow runs against the emulator with the most verbose logger (and
// enablePiiLog off) while console and process output, and the emulator's own log, are captured too;
// then the capture is searched for every credential the emulator issued or received, and every one
// the test holds. The last test shows the search does find a token that is logged on purpose.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { format } from "node:util";
import { importPKCS8, SignJWT } from "jose";
import { createTestCertificate, defaultTenant, type ManagedIdentitySourceName } from "@msal-ts/emulator";
import {
  ConfidentialClientApplication,
  ManagedIdentityClient,
  PublicClientApplication,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  type AuthenticationResult,
  type ClientApplicationOptions,
  type ClientCredential,
  type Logger,
  type ManagedIdentityResult,
} from "@msal-ts/msal";
import { launchChromiumTrusting } from "../../../../test-support/chromium.js";
import { describeFindings, scanForSecrets, type ScanSecret } from "../../../../test-support/secret-scan.js";
import {
  ADELE,
  ALEX,
  DESKTOP_APP,
  GRAPH_READ,
  ORDERS_API,
  ORDERS_READ,
  ORDERS_SECRET,
  WEB_APP,
  WEB_REDIRECT,
  WEB_SECRET,
  failed,
  ok,
  startAuthority,
  type TestAuthority,
} from "./support.js";

const DAEMON = defaultTenant.apps[0];
const CERT_APP = "c3e7a1f0-0000-4b2c-9d3e-00000000ce01";
const GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"];
const cert = createTestCertificate({ subject: "CN=no-secrets daemon" });

/** Everything written to the app's logger, the console, stdout and stderr, and errors the flows returned or threw. */
class Capture {
  readonly lines: string[] = [];
  /** The most verbose logger: every level, every message. */
  readonly logger: Logger = (level, message) => {
    this.lines.push(`[${level}] ${message}`);
  };

  readonly #passThrough: boolean;

  constructor(passThrough = true) {
    this.#passThrough = passThrough;
  }

  /** An error result's fields, or a thrown error's message and stack: error text is searched too. */
  noteError(value: unknown): void {
    this.lines.push(value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ""}` : JSON.stringify(value));
  }

  /**
   * Runs `fn` with console methods, `process.stdout/stderr.write` and process warnings captured
   * (still written through unless this capture was made with `passThrough` false).
   */
  async during<T>(fn: () => Promise<T>): Promise<T> {
    const restore = this.#patch();
    try {
      return await fn();
    } catch (err) {
      this.noteError(err);
      throw err;
    } finally {
      restore();
    }
  }

  /** {@link Capture.during} for synchronous code. */
  duringSync(fn: () => void): void {
    const restore = this.#patch();
    try {
      fn();
    } finally {
      restore();
    }
  }

  #patch(): () => void {
    const streams = [process.stdout, process.stderr] as const;
    const writes = streams.map((s) => s.write);
    streams.forEach((stream, i) => {
      const original = writes[i] as typeof stream.write;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.lines.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
        return this.#passThrough ? (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest) : true;
      }) as typeof stream.write;
    });
    // Every console method, looked up by name (the lint rule allows only some to be called).
    const methods = ["log", "info", "warn", "error", "debug", "trace", "dir"] as const;
    const sink = console as unknown as Record<(typeof methods)[number], (...args: unknown[]) => void>;
    const originals = methods.map((m) => sink[m]);
    methods.forEach((m, i) => {
      const original = originals[i] as (...a: unknown[]) => void;
      sink[m] = (...args: unknown[]) => {
        this.lines.push(format(...args));
        if (this.#passThrough) original.apply(sink, args);
      };
    });
    const onWarning = (w: Error): void => this.noteError(w);
    process.on("warning", onWarning);
    return () => {
      streams.forEach((stream, i) => (stream.write = writes[i] as typeof stream.write));
      methods.forEach((m, i) => (sink[m] = originals[i] as (...args: unknown[]) => void));
      process.off("warning", onWarning);
    };
  }
}

let t: TestAuthority;
let arcKeys: string;
const capture = new Capture();
/** Secrets the test holds that the emulator may never see whole (the certificate's private key). */
const held: ScanSecret[] = [{ kind: "private_key", value: cert.privateKey }];

before(async () => {
  arcKeys = mkdtempSync(join(tmpdir(), "msal-ts-no-secrets-arc-"));
  t = await startAuthority({
    // The emulator's own log is searched as well.
    logger: (line) => capture.lines.push(`[emulator] ${line}`),
    deviceCode: { interval: 1 },
    managedIdentity: { arcKeyDirectory: arcKeys },
    tenants: [{ ...defaultTenant, apps: [...defaultTenant.apps, { clientId: CERT_APP, certificates: [cert.certificate] }] }],
  });
});

after(async () => {
  await t?.emu.close();
  if (arcKeys) rmSync(arcKeys, { recursive: true, force: true });
});

/** Options of every app: the emulator, the capturing logger, no PII. */
function logged(extra: ClientApplicationOptions = {}): ClientApplicationOptions {
  return { ...t.appOptions, logger: capture.logger, enablePiiLog: false, ...extra };
}

function confidential(clientId: string, clientCredential: ClientCredential, extra: ClientApplicationOptions = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication(clientId, { ...logged(extra), clientCredential });
}

/** An error result, noted in the capture (its text is searched like the logs). */
function failure(r: AuthenticationResult | ManagedIdentityResult | null): void {
  assert.ok(r !== null && "error" in r, "expected an error result");
  capture.noteError(r);
}

/** The refresh tokens in a serialized cache. */
function refreshTokens(cache: SerializableTokenCache): string[] {
  const state = JSON.parse(cache.serialize()) as { RefreshToken?: Record<string, { secret: string }> };
  return Object.values(state.RefreshToken ?? {}).map((e) => e.secret);
}

/** Log lines naming a request (method and path) and, for a token request, its grant type. */
function requestLines(pathEnd: string, grant?: string): string[] {
  return capture.lines.filter((l) => l.includes(pathEnd) && (grant === undefined || l.includes(`(grant_type=${grant})`)));
}

describe("no secret in any log", { timeout: 60_000 }, () => {
  test("client credentials with a secret, then from the cache", () =>
    capture.during(async () => {
      const app = confidential(DAEMON.clientId, DAEMON.secrets[0]);
      ok(await app.acquireTokenForClient(GRAPH_DEFAULT));
      assert.equal(ok(await app.acquireTokenForClient(GRAPH_DEFAULT)).token_source, "cache");
      assert.ok(requestLines("/oauth2/v2.0/token", "client_credentials").some((l) => / answered 200 in \d+ ms$/.test(l)));
    }));

  test("client credentials with a certificate, and with an assertion signed beforehand", () =>
    capture.during(async () => {
      ok(await confidential(CERT_APP, { privateKey: cert.privateKey, thumbprint: cert.thumbprint }).acquireTokenForClient(GRAPH_DEFAULT));
      const key = await importPKCS8(cert.privateKey, "RS256");
      const assertion = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: "RS256", x5t: Buffer.from(cert.thumbprint, "hex").toString("base64url") })
        .setIssuer(CERT_APP)
        .setSubject(CERT_APP)
        .setAudience(`${t.emu.authority}/oauth2/v2.0/token`)
        .setIssuedAt()
        .setExpirationTime("10m")
        .sign(key);
      held.push({ kind: "client_assertion", value: assertion });
      ok(await confidential(CERT_APP, { clientAssertion: assertion }).acquireTokenForClient(GRAPH_DEFAULT));
    }));

  test("auth code flow; silent from the cache and by refresh; a refresh token redeemed", () =>
    capture.during(async () => {
      const cache = new SerializableTokenCache();
      const app = confidential(WEB_APP, WEB_SECRET, { tokenCache: cache });
      const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
      const signIn = await t.emu.signIn(flow.auth_uri, ADELE);
      ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
      const [account] = await app.getAccounts();
      assert.ok(account);
      assert.equal(ok(await app.acquireTokenSilent(GRAPH_READ, account)).token_source, "cache");
      assert.equal(ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true })).token_source, "identity_provider");
      const [refreshToken] = refreshTokens(cache);
      assert.ok(refreshToken);
      ok(await app.acquireTokenByRefreshToken(refreshToken, GRAPH_READ));
      assert.ok(requestLines("/oauth2/v2.0/token", "authorization_code").length > 0);
      assert.ok(requestLines("/oauth2/v2.0/token", "refresh_token").length >= 2);
    }));

  test("on-behalf-of", () =>
    capture.during(async () => {
      const desktop = new PublicClientApplication(DESKTOP_APP, logged());
      const incoming = ok(await desktop.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
      ok(await confidential(ORDERS_API, ORDERS_SECRET).acquireTokenOnBehalfOf(incoming, GRAPH_READ));
      assert.ok(requestLines("/oauth2/v2.0/token", "urn:ietf:params:oauth:grant-type:jwt-bearer").length > 0);
    }));

  test("username and password: a managed user, and a federated one (user realm, MEX, WS-Trust)", () =>
    capture.during(async () => {
      const app = new PublicClientApplication(DESKTOP_APP, logged());
      ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
      ok(await app.acquireTokenByUsernamePassword(ALEX.username, ALEX.password, GRAPH_READ));
      assert.ok(requestLines("/oauth2/v2.0/token", "password").length > 0);
      // The user realm path names the user: masked without enablePiiLog.
      assert.ok(capture.lines.some((l) => l.includes("/common/userrealm/{username}")));
      assert.ok(requestLines("/oauth2/v2.0/token", "urn:ietf:params:oauth:grant-type:saml1_1-bearer").length > 0);
    }));

  test("device code", () =>
    capture.during(async () => {
      const app = new PublicClientApplication(DESKTOP_APP, logged());
      const flow = await app.initiateDeviceFlow(GRAPH_READ);
      assert.ok(!("error" in flow), "the device flow started");
      assert.equal(await t.emu.completeDeviceLogin(flow.user_code, ADELE), "approved");
      ok(await app.acquireTokenByDeviceFlow(flow));
      assert.ok(requestLines("/oauth2/v2.0/devicecode").length > 0);
      assert.ok(requestLines("/oauth2/v2.0/token", "urn:ietf:params:oauth:grant-type:device_code").length > 0);
    }));

  test("interactive, in Chromium", () =>
    capture.during(async () => {
      const chromium = await launchChromiumTrusting(t.emu.caCertificate);
      try {
        const page = await (await chromium.newContext()).newPage();
        const app = new PublicClientApplication(DESKTOP_APP, logged());
        const result = app.acquireTokenInteractive(GRAPH_READ, { timeout: 30, openBrowser: (url) => page.goto(url) });
        await page.waitForSelector("#password");
        await page.fill("#username", ADELE.username);
        await page.fill("#password", ADELE.password);
        await page.click("button#sign-in");
        ok(await result);
      } finally {
        await chromium.close();
      }
      assert.ok(capture.lines.some((l) => l.includes("Waiting for the sign-in to come back to http://localhost:")));
    }));

  test("managed identity: IMDS, App Service and Azure Arc (no logger option: console and process output only)", () =>
    capture.during(async () => {
      const mi = t.emu.managedIdentity;
      assert.ok(mi);
      const sources: ManagedIdentitySourceName[] = ["imds", "app-service", "azure-arc"];
      for (const source of sources) {
        const client = new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: mi.environment(source).env, arcKeyDirectory: arcKeys });
        const r = await client.acquireTokenForClient({ resource: "https://graph.microsoft.com" });
        assert.ok(!("error" in r), `${source}: ${"error" in r ? r.error : ""}`);
      }
      for (const name of readdirSync(arcKeys)) held.push({ kind: "arc_key", value: readFileSync(join(arcKeys, name), "utf8") });
      // A wrong App Service secret: the source's error.
      const env = { ...mi.environment("app-service").env, IDENTITY_HEADER: "not-the-identity-header-secret" };
      failure(await new ManagedIdentityClient(new SystemAssignedManagedIdentity(), { environment: env }).acquireTokenForClient({ resource: "https://graph.microsoft.com" }));
    }));

  test("errors: a wrong secret, a wrong password, a bad refresh token, a bad OBO assertion, a declined device code", () =>
    capture.during(async () => {
      const wrongSecret = "wrong-secret~not-the-daemon-one";
      held.push({ kind: "client_secret", value: wrongSecret });
      const r = failed(await confidential(DAEMON.clientId, wrongSecret).acquireTokenForClient(GRAPH_DEFAULT));
      assert.equal(r.error, "invalid_client");
      capture.noteError(r);
      const app = new PublicClientApplication(DESKTOP_APP, logged());
      failure(await app.acquireTokenByUsernamePassword(ADELE.username, "adele-wrong-password~1234", GRAPH_READ));
      failure(await app.acquireTokenByRefreshToken("1.AQEA-not-a-refresh-token-the-emulator-issued-0123456789", GRAPH_READ));
      failure(await confidential(ORDERS_API, ORDERS_SECRET).acquireTokenOnBehalfOf("eyJhbGciOiJub25lIn0.eyJzdWIiOiJub2JvZHkifQ.bm90LWEtc2lnbmF0dXJl", GRAPH_READ));
      const flow = await app.initiateDeviceFlow(GRAPH_READ);
      assert.ok(!("error" in flow));
      await t.emu.completeDeviceLogin(flow.user_code, { ...ADELE, decline: true });
      failure(await app.acquireTokenByDeviceFlow(flow));
      assert.ok(capture.lines.some((l) => l.startsWith("[info] HTTP POST") && / answered 40\d in /.test(l)), "error answers are logged at info");
    }));

  test("the capture is not empty: every flow's requests are logged at verbose, by endpoint and grant", () => {
    const verbose = capture.lines.filter((l) => l.startsWith("[verbose] HTTP "));
    assert.ok(verbose.length > 20, `only ${verbose.length} verbose lines`);
    assert.ok(capture.lines.some((l) => l.includes(`GET ${t.emu.authority}/v2.0/.well-known/openid-configuration`)));
    for (const grant of ["client_credentials", "authorization_code", "refresh_token", "password"]) {
      assert.ok(requestLines("/oauth2/v2.0/token", grant).length > 0, `no ${grant} token request logged`);
    }
  });

  test("no secret the emulator issued or received, nor any the test holds, is in the capture; nor a username", () => {
    const seen = t.emu.secretsSeen();
    const kinds = new Set(seen.map((s) => `${s.direction} ${s.kind}`));
    for (const kind of [
      "issued access_token", "issued refresh_token", "issued id_token", "issued authorization_code", "issued device_code",
      "issued user_code", "received client_secret", "received client_assertion", "received user_assertion", "received password",
      "received refresh_token", "received code_verifier", "received managed_identity_secret",
    ]) {
      assert.ok(kinds.has(kind), `the emulator recorded no ${kind}`);
    }
    const report = scanForSecrets(capture.lines, [...seen, ...held]);
    assert.deepEqual(report.findings, [], `secrets in the logs:\n${describeFindings(report.findings)}`);
    assert.ok(!capture.lines.some((l) => l.includes(ADELE.username) || l.includes(ALEX.username)), "a username reached the logs without enablePiiLog");
  });

  test("the same search finds a token logged on purpose, and a refresh token fragment written to the console", async () => {
    const leaky = new Capture(false);
    const app = new ConfidentialClientApplication(DAEMON.clientId, { ...t.appOptions, clientCredential: DAEMON.secrets[0], logger: leaky.logger });
    const token = ok(await app.acquireTokenForClient(GRAPH_DEFAULT, { forceRefresh: true })).access_token;
    leaky.logger("verbose", `got ${token}`);
    const refreshToken = t.emu.secretsSeen().find((s) => s.kind === "refresh_token")?.value ?? "";
    leaky.duringSync(() => console.error(`refreshing with …${refreshToken.slice(20, 60)}…`));
    const { findings } = scanForSecrets(leaky.lines, t.emu.secretsSeen());
    assert.deepEqual(
      findings.map((f) => [f.kind, f.match]),
      [
        ["access_token", "whole"],
        ["refresh_token", "fragment"],
      ],
    );
    assert.ok(!describeFindings(findings).includes(token.slice(0, 16)), "the report does not repeat the token");
  });
});
