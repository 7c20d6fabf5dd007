// Fault injection: the fault model and its checks, matching (endpoint, tenant, app, source, count,
// seeded fraction), what each kind does to an answer on the wire, ID-token faults, the managed identity
// listener, the `faults` option, the --fault spec syntax, and msal-ts-emulator --fault as a process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { IncomingHttpHeaders } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import type { JSONWebKeySet } from "jose";
import { FOREIGN_TENANT_ID, createEmulator, defaultTenant, formatFaultSpec, parseFaultSpec } from "../src/index.js";
import type { Emulator, Fault } from "../src/index.js";
import { endpointOf } from "../src/faults/index.js";
import { assertEntraError } from "./support/entra-error.js";

const DAEMON = defaultTenant.apps[0];
const WEB = defaultTenant.apps[1];
const DESKTOP = defaultTenant.apps[2];
const ADELE = defaultTenant.users[0];
const DOMAIN = defaultTenant.domains[0];

/** What one request got: an answer (maybe cut short), or the error that ended it. */
interface Outcome {
  readonly status?: number;
  readonly headers?: IncomingHttpHeaders;
  /** The body bytes received, as text. */
  readonly text: string;
  /** The body arrived in full (the response ended normally). */
  readonly complete: boolean;
  /** Set when the request failed or was given up: `timeout`, or the socket error's code. */
  readonly error?: string;
  /** Milliseconds until the headers (or the failure). */
  readonly headersAfter: number;
}

/** One request with node:http(s), given up after `timeoutMs` without failing the test. */
function send(url: string, options: { form?: Record<string, string>; ca?: string; timeoutMs?: number } = {}): Promise<Outcome> {
  const target = new URL(url);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const started = Date.now();
  return new Promise((resolve) => {
    let status: number | undefined;
    let headers: IncomingHttpHeaders | undefined;
    let headersAfter = 0;
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (complete: boolean, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const outcome = { text: Buffer.concat(chunks).toString("utf8"), complete, headersAfter: headersAfter || Date.now() - started };
      resolve({ ...outcome, ...(status === undefined ? {} : { status }), ...(headers ? { headers } : {}), ...(error ? { error } : {}) });
    };
    const requester = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = requester(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(body)) },
        agent: false,
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        status = res.statusCode;
        headers = res.headers;
        headersAfter = Date.now() - started;
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => finish(true));
        res.on("error", (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
        res.on("aborted", () => finish(false, "aborted"));
      },
    );
    const timer = setTimeout(() => {
      finish(false, "timeout");
      req.destroy();
    }, options.timeoutMs ?? 5000);
    req.on("error", (e: NodeJS.ErrnoException) => finish(false, e.code ?? e.message));
    req.end(body);
  });
}

const CLIENT_CREDENTIALS = {
  grant_type: "client_credentials",
  client_id: DAEMON.clientId,
  client_secret: DAEMON.secrets[0],
  scope: "https://graph.microsoft.com/.default",
};

const ROPC = {
  grant_type: "password",
  client_id: DESKTOP.clientId,
  username: ADELE.username,
  password: ADELE.password,
  scope: "openid profile offline_access User.Read",
};

let emu: Emulator;
const tokenUrl = (tenant: string = defaultTenant.id): string => `${emu.url}/${tenant}/oauth2/v2.0/token`;
const configUrl = (tenant: string = defaultTenant.id): string => `${emu.url}/${tenant}/v2.0/.well-known/openid-configuration`;
const token = (form: Record<string, string> = CLIENT_CREDENTIALS, tenant?: string, timeoutMs?: number): Promise<Outcome> =>
  send(tokenUrl(tenant), { form, ca: emu.caCertificate, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
const json = (o: Outcome): Record<string, unknown> => JSON.parse(o.text) as Record<string, unknown>;

before(async () => {
  emu = await createEmulator({ managedIdentity: {} });
});
after(() => emu.close());

describe("the fault model", () => {
  test("inject checks each field and names the one that is wrong", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ kind: "explode", endpoint: "token" }, /fault\.kind must be one of status, throttle/],
      [{ kind: "status", endpoint: "tokens" }, /fault\.endpoint must be one of token, authorize/],
      [{ kind: "expired-id-token", endpoint: "discovery" }, /endpoint must be token \(or any\) for expired-id-token/],
      [{ kind: "foreign-issuer", endpoint: "token" }, /endpoint must be openid-configuration, discovery or any/],
      [{ kind: "reset", endpoint: "token", status: 500 }, /status must be left out for reset faults/],
      [{ kind: "status", endpoint: "token", status: 200 }, /status must be an HTTP status from 400 to 599/],
      [{ kind: "throttle", endpoint: "token", status: 404 }, /429 or a 5xx/],
      [{ kind: "status", endpoint: "token", count: 0 }, /count must be a positive integer/],
      [{ kind: "status", endpoint: "token", probability: 0 }, /probability must be a number greater than 0/],
      [{ kind: "status", endpoint: "token", probability: 1.5 }, /probability/],
      [{ kind: "status", endpoint: "token", source: "imds" }, /endpoint must be managed-identity when a source is given/],
      [{ kind: "status", endpoint: "managed-identity", source: "vm" }, /source must be one of/],
      [{ kind: "delay-headers", endpoint: "token", retryAfter: 1 }, /retryAfter must be left out/],
      [{ kind: "reset", endpoint: "token", delayMs: 5 }, /delayMs must be left out/],
      [{ kind: "html", endpoint: "token", body: "x" }, /body must be left out/],
      [{ kind: "status", endpoint: "token", colour: "red" }, /unknown field "colour"/],
      ["status", /must be an object/],
    ];
    for (const [fault, message] of bad) assert.throws(() => emu.faults.inject(fault as Fault), (e: unknown) => e instanceof TypeError && message.test(e.message), JSON.stringify(fault));
    assert.equal(emu.faults.list().length, 0);
  });

  test("the faults option is checked like the other options", async () => {
    await assert.rejects(createEmulator({ faults: [{ kind: "status", endpoint: "token" }, { kind: "nope" } as unknown as Fault] }), /Emulator option faults\[1\]\.kind/);
    await assert.rejects(createEmulator({ faults: {} as unknown as Fault[] }), /faults must be an array/);
  });

  test("endpoints are told apart by path", () => {
    const paths: Array<[string, string]> = [
      [`/${defaultTenant.id}/oauth2/v2.0/token`, "token"],
      ["/common/oauth2/token", "token"],
      ["/organizations/oauth2/v2.0/authorize", "authorize"],
      ["/contoso.onmicrosoft.com/oauth2/v2.0/devicecode", "devicecode"],
      ["/common/discovery/instance", "instance-discovery"],
      ["/common/v2.0/.well-known/openid-configuration", "openid-configuration"],
      ["/common/.well-known/openid-configuration/", "openid-configuration"],
      ["/common/discovery/v2.0/keys", "jwks"],
      ["/common/userrealm/adele@contoso.example", "userrealm"],
      ["/federation/contoso.example/mex", "mex"],
      ["/federation/contoso.example/trust/13/usernamemixed", "wstrust"],
      ["/devicelogin", "other"],
    ];
    for (const [path, endpoint] of paths) assert.equal(endpointOf(path), endpoint, path);
  });
});

describe("matching", () => {
  test("a status fault answers in Entra's shape for the next `count` requests, then removes itself", async () => {
    const handle = emu.faults.inject({ kind: "status", endpoint: "token", status: 503, retryAfter: 7, count: 2 });
    assert.deepEqual(emu.faults.list().map((h) => h.fault), [handle.fault]);
    for (let i = 0; i < 2; i++) {
      const r = await token();
      assert.equal(r.status, 503);
      assert.equal(r.headers?.["retry-after"], "7");
      assertEntraError(emu.url, json(r), "temporarily_unavailable", 90033);
    }
    assert.equal(handle.hits, 2);
    assert.equal(handle.remaining, 0);
    assert.equal(handle.active, false);
    assert.equal(emu.faults.list().length, 0);
    assert.equal((await token()).status, 200);
    const faulted = emu.requests.filter((r) => r.fault === "status");
    assert.deepEqual(faulted.slice(-2).map((r) => [r.status, r.tenant, r.client_id]), [
      [503, defaultTenant.id, DAEMON.clientId],
      [503, defaultTenant.id, DAEMON.clientId],
    ]);
  });

  test("throttle: 429 with Retry-After (5 s by default); other endpoints are not touched", async () => {
    const handle = emu.faults.inject({ kind: "throttle", endpoint: "token" });
    try {
      const r = await token();
      assert.equal(r.status, 429);
      assert.equal(r.headers?.["retry-after"], "5");
      assertEntraError(emu.url, json(r), "temporarily_unavailable", 90055);
      assert.equal((await send(configUrl(), { ca: emu.caCertificate })).status, 200);
      assert.equal(handle.remaining, undefined);
      assert.equal((await token()).status, 429, "a fault without count lasts");
    } finally {
      handle.remove();
    }
    assert.equal((await token()).status, 200);
  });

  test("tenant (GUID or domain) and app filters", async () => {
    const byDomain = emu.faults.inject({ kind: "status", endpoint: "token", tenant: DOMAIN.toUpperCase(), clientId: DAEMON.clientId });
    try {
      assert.equal((await token(CLIENT_CREDENTIALS, defaultTenant.id)).status, 500, "the GUID is the domain's tenant");
      assert.equal((await token(CLIENT_CREDENTIALS, DOMAIN)).status, 500);
      const web = { ...CLIENT_CREDENTIALS, client_id: WEB.clientId, client_secret: WEB.secrets[0] };
      assert.equal((await token(web)).status, 200, "another app is not affected");
      // Basic authentication names the app too.
      const basic = Buffer.from(`${DAEMON.clientId}:${DAEMON.secrets[0]}`).toString("base64");
      const r = await new Promise<number>((resolve, reject) => {
        const body = new URLSearchParams({ grant_type: "client_credentials", scope: CLIENT_CREDENTIALS.scope }).toString();
        const req = httpsRequest(tokenUrl(), {
          method: "POST",
          ca: emu.caCertificate,
          agent: false,
          headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
        }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(body);
      });
      assert.equal(r, 500);
    } finally {
      byDomain.remove();
    }
    const other = emu.faults.inject({ kind: "status", endpoint: "any", tenant: "organizations" });
    try {
      assert.equal((await token()).status, 200, "a fault for another tenant segment");
      assert.equal((await send(configUrl("organizations"), { ca: emu.caCertificate })).status, 500);
    } finally {
      other.remove();
    }
  });

  test("a fraction of the requests, the same ones for the same seed", async () => {
    const pattern = async (seed: number): Promise<string> => {
      const handle = emu.faults.inject({ kind: "status", endpoint: "openid-configuration", probability: 0.5, seed });
      let seen = "";
      for (let i = 0; i < 16; i++) seen += (await send(configUrl(), { ca: emu.caCertificate })).status === 500 ? "x" : ".";
      handle.remove();
      return seen;
    };
    const first = await pattern(7);
    assert.equal(await pattern(7), first);
    assert.ok(first.includes("x") && first.includes("."), first);
    assert.notEqual(await pattern(8), first);
  });

  test("faults queue up: the first active one that matches applies", async () => {
    emu.faults.inject({ kind: "status", endpoint: "token", status: 502, count: 1 });
    emu.faults.inject({ kind: "throttle", endpoint: "any", count: 1 });
    assert.equal((await token()).status, 502);
    assert.equal((await token()).status, 429);
    assert.equal((await token()).status, 200);
    emu.faults.inject({ kind: "status", endpoint: "token" });
    emu.faults.inject({ kind: "status", endpoint: "jwks" });
    emu.faults.clear();
    assert.equal(emu.faults.list().length, 0);
    assert.equal((await token()).status, 200);
  });

  test("the faults option injects from the start", async () => {
    const e = await createEmulator({ faults: [{ kind: "html", endpoint: "discovery", count: 1 }] });
    try {
      assert.equal(e.faults.list().length, 1);
      const r = await send(`${e.url}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${e.authority}/oauth2/v2.0/authorize`)}`, { ca: e.caCertificate });
      assert.equal(r.status, 502);
      assert.equal(e.faults.list().length, 0);
    } finally {
      await e.close();
    }
  });
});

describe("what each kind does on the wire", () => {
  test("html: a proxy's error page", async () => {
    emu.faults.inject({ kind: "html", endpoint: "token", count: 1 });
    const r = await token();
    assert.equal(r.status, 502);
    assert.match(String(r.headers?.["content-type"]), /^text\/html/);
    assert.match(r.text, /<title>502 Bad Gateway<\/title>/);
  });

  test("malformed-json: 200, a JSON content type, a body no JSON parser reads", async () => {
    emu.faults.inject({ kind: "malformed-json", endpoint: "token", count: 1 });
    const r = await token();
    assert.equal(r.status, 200);
    assert.match(String(r.headers?.["content-type"]), /^application\/json/);
    assert.ok(r.complete);
    assert.throws(() => JSON.parse(r.text), SyntaxError);
  });

  test("truncated-json: the real answer, cut in half, as a complete message", async () => {
    emu.faults.inject({ kind: "truncated-json", endpoint: "token", count: 1 });
    const r = await token();
    assert.equal(r.status, 200);
    assert.ok(r.complete);
    assert.equal(r.headers?.["content-length"], String(Buffer.byteLength(r.text)));
    assert.match(r.text, /^\{"token_type":"Bearer"/);
    assert.throws(() => JSON.parse(r.text), SyntaxError);
  });

  test("wrong-content-type: the real answer labelled text/html", async () => {
    emu.faults.inject({ kind: "wrong-content-type", endpoint: "token", count: 1 });
    const r = await token();
    assert.equal(r.status, 200);
    assert.match(String(r.headers?.["content-type"]), /^text\/html/);
    assert.equal(typeof json(r).access_token, "string");
  });

  test("reset: the connection is dropped without an answer; the log says so", async () => {
    emu.faults.inject({ kind: "reset", endpoint: "token", count: 1 });
    const r = await token();
    assert.equal(r.status, undefined);
    assert.match(String(r.error), /ECONNRESET|socket hang up/);
    const last = emu.requests.at(-1);
    assert.equal(last?.status, 0);
    assert.equal(last?.fault, "reset");
  });

  test("delay-headers: the real answer after delayMs", async () => {
    emu.faults.inject({ kind: "delay-headers", endpoint: "token", delayMs: 400, count: 1 });
    const r = await token();
    assert.equal(r.status, 200);
    assert.ok(r.headersAfter >= 390, `headers after ${r.headersAfter} ms`);
    assert.equal(typeof json(r).access_token, "string");
  });

  test("delay-headers by default outlasts a client's patience", async () => {
    emu.faults.inject({ kind: "delay-headers", endpoint: "token", count: 1 });
    const r = await token(CLIENT_CREDENTIALS, undefined, 300);
    assert.equal(r.error, "timeout");
    assert.equal(r.status, undefined);
  });

  test("stall-body: headers and half the body, then nothing until the client gives up", async () => {
    emu.faults.inject({ kind: "stall-body", endpoint: "token", count: 1 });
    const r = await token(CLIENT_CREDENTIALS, undefined, 400);
    assert.equal(r.status, 200);
    assert.equal(r.error, "timeout");
    assert.equal(r.complete, false);
    const announced = Number(r.headers?.["content-length"]);
    assert.equal(Buffer.byteLength(r.text), Math.floor(announced / 2));
    assert.equal((await token()).status, 200, "the emulator still answers");
  });

  test("stall-body with delayMs drops the connection after that long", async () => {
    emu.faults.inject({ kind: "stall-body", endpoint: "token", delayMs: 200, count: 1 });
    const r = await token(CLIENT_CREDENTIALS, undefined, 3000);
    assert.equal(r.status, 200);
    assert.equal(r.complete, false);
    assert.notEqual(r.error, "timeout");
  });

  test("foreign-issuer: only the OpenID configuration's issuer changes", async () => {
    const real = json(await send(configUrl(), { ca: emu.caCertificate }));
    emu.faults.inject({ kind: "foreign-issuer", endpoint: "any", count: 1 });
    assert.equal((await token()).status, 200, "a token request is not a discovery document");
    const foreign = json(await send(configUrl(), { ca: emu.caCertificate }));
    assert.equal(foreign.issuer, `${emu.url}/${FOREIGN_TENANT_ID}/v2.0`);
    assert.deepEqual({ ...foreign, issuer: real.issuer }, real);
    assert.equal(emu.faults.list().length, 0);
  });

  test("a fault on a closing emulator ends with it", async () => {
    const e = await createEmulator({ faults: [{ kind: "stall-body", endpoint: "any" }] });
    const pending = send(`${e.url}/common/discovery/v2.0/keys`, { ca: e.caCertificate, timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await e.close();
    const r = await pending;
    assert.ok(Date.now() - started < 2000);
    assert.notEqual(r.error, "timeout");
    assert.equal(r.complete, false);
  });
});

describe("ID-token faults", () => {
  const jwks = async (): Promise<ReturnType<typeof createLocalJWKSet>> =>
    createLocalJWKSet(json(await send(`${emu.url}/${defaultTenant.id}/discovery/v2.0/keys`, { ca: emu.caCertificate })) as unknown as JSONWebKeySet);

  test("expired-id-token: issued long expired; the access token is untouched", async () => {
    emu.faults.inject({ kind: "expired-id-token", endpoint: "token", clientId: DESKTOP.clientId, count: 1 });
    const now = Date.now() / 1000;
    const body = json(await token(ROPC));
    const id = decodeJwt(String(body.id_token));
    assert.ok(Number(id.exp) < now - 3000, `exp ${String(id.exp)}`);
    assert.ok(Number(id.iat) < Number(id.exp));
    await jwtVerify(String(body.id_token), await jwks(), { currentDate: new Date(Number(id.iat) * 1000) });
    assert.ok(Number(decodeJwt(String(body.access_token)).exp) > now);
    assert.ok(Number(decodeJwt(String(json(await token(ROPC)).id_token)).exp) > now, "the next one is fresh");
  });

  test("bad-id-token-signature: the signature does not verify; nothing else changes", async () => {
    emu.faults.inject({ kind: "bad-id-token-signature", endpoint: "any", count: 1 });
    assert.equal((await token()).status, 200, "an app token carries no ID token and does not use the fault up");
    const bad = String(json(await token(ROPC)).id_token);
    await assert.rejects(jwtVerify(bad, await jwks()), /signature verification failed/);
    assert.equal(decodeJwt(bad).aud, DESKTOP.clientId);
    await jwtVerify(String(json(await token(ROPC)).id_token), await jwks());
  });
});

describe("the managed identity listener", () => {
  test("takes faults from emulator.faults, by source; failNext is one of them", async () => {
    const mi = emu.managedIdentity;
    assert.ok(mi);
    const imds = `${mi.endpoint("imds")}?api-version=2018-02-01&resource=${encodeURIComponent("https://graph.microsoft.com")}`;
    const get = (url: string, timeoutMs?: number): Promise<Outcome> =>
      new Promise((resolve) => {
        const started = Date.now();
        const req = httpRequest(url, { headers: { Metadata: "true" }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), complete: true, headersAfter: Date.now() - started }));
        });
        req.on("error", (e: NodeJS.ErrnoException) => resolve({ text: "", complete: false, error: e.code ?? e.message, headersAfter: Date.now() - started }));
        if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
        req.end();
      });

    emu.faults.inject({ kind: "reset", endpoint: "managed-identity", source: "imds", count: 1 });
    emu.faults.inject({ kind: "truncated-json", endpoint: "managed-identity", source: "app-service", count: 1 });
    const reset = await get(imds);
    assert.match(String(reset.error), /ECONNRESET|socket hang up/);
    assert.equal(emu.faults.list().length, 1, "the app-service fault waits for its source");

    mi.failNext("imds", { status: 429, retryAfter: 3 });
    assert.deepEqual(emu.faults.list().at(-1)?.fault, { kind: "status", endpoint: "managed-identity", source: "imds", count: 1, status: 429, retryAfter: 3 });
    const throttled = await get(imds);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers?.["retry-after"], "3");
    assert.equal((JSON.parse(throttled.text) as { error: string }).error, "too_many_requests");

    emu.faults.inject({ kind: "html", endpoint: "managed-identity", count: 1 });
    const html = await get(imds);
    assert.equal(html.status, 502);
    assert.match(html.text, /<html>/);
    emu.faults.inject({ kind: "stall-body", endpoint: "any", count: 1 });
    const stalled = await get(imds, 300);
    assert.equal(stalled.error, "timeout");
    emu.faults.clear();
    const ok = await get(imds);
    assert.equal(ok.status, 200);
    assert.equal(typeof (JSON.parse(ok.text) as { access_token?: unknown }).access_token, "string");
    assert.deepEqual(mi.requests.slice(-5).map((r) => r.status), [0, 429, 502, 200, 200]);
  });
});

describe("--fault specs", () => {
  test("parse into faults, and print back", () => {
    const cases: Array<[string, Fault]> = [
      ["token:429:retry-after=2:count=3", { kind: "throttle", endpoint: "token", status: 429, retryAfter: 2, count: 3 }],
      ["token:503", { kind: "status", endpoint: "token", status: 503 }],
      ["discovery:reset:p=0.5", { kind: "reset", endpoint: "discovery", probability: 0.5 }],
      ["discovery:reset:p=.25:seed=42", { kind: "reset", endpoint: "discovery", probability: 0.25, seed: 42 }],
      [`token:stall-body:app=${DAEMON.clientId}`, { kind: "stall-body", endpoint: "token", clientId: DAEMON.clientId }],
      ["token:delay-headers:delay=2s", { kind: "delay-headers", endpoint: "token", delayMs: 2000 }],
      ["token:delay-headers:delay=250ms", { kind: "delay-headers", endpoint: "token", delayMs: 250 }],
      [`any:html:status=504:tenant=${DOMAIN}`, { kind: "html", endpoint: "any", status: 504, tenant: DOMAIN }],
      ["managed-identity:500:source=imds:count=1", { kind: "status", endpoint: "managed-identity", status: 500, source: "imds", count: 1 }],
      ["openid-configuration:foreign-issuer", { kind: "foreign-issuer", endpoint: "openid-configuration" }],
    ];
    for (const [spec, fault] of cases) {
      const parsed = parseFaultSpec(spec);
      assert.deepEqual(parsed, fault, spec);
      assert.deepEqual(parseFaultSpec(formatFaultSpec(parsed)), parsed, `${spec} round trip`);
    }
    assert.equal(formatFaultSpec(parseFaultSpec("token:429:count=3")), "token:throttle:count=3:status=429");
  });

  test("a bad spec is one line that quotes it and says what is wrong", () => {
    const bad: Array<[string, RegExp]> = [
      ["tokens:500", /unknown endpoint "tokens"; use one of token, authorize/],
      ["token", /unknown kind ""/],
      ["token:explode", /unknown kind "explode"; use a status code or one of status, throttle/],
      ["token:429:retry-after=soon", /retry-after must be a whole number, not "soon"/],
      ["token:429:count", /count needs a value/],
      ["token:429:count=1:count=2", /count is given twice/],
      ["token:429:colour=red", /unknown key "colour"; use count, p, seed/],
      ["token:reset:p=2", /p must be a number greater than 0 and at most 1/],
      ["token:reset:delay=soon", /delay must be milliseconds/],
      ["token:reset:retry-after=2", /retry-after must be left out for reset faults/],
      ["token:200", /status must be an HTTP status from 400 to 599/],
      ["discovery:expired-id-token", /endpoint must be token \(or any\)/],
      ["token:500:source=imds", /endpoint must be managed-identity when a source is given/],
    ];
    for (const [spec, message] of bad) {
      assert.throws(
        () => parseFaultSpec(spec),
        (e: unknown) =>
          e instanceof TypeError &&
          (e as TypeError & { code?: string }).code === "ERR_INVALID_ARG_VALUE" &&
          e.message.startsWith(`--fault ${JSON.stringify(spec)}: `) &&
          !e.message.includes("\n") &&
          message.test(e.message),
        spec,
      );
    }
  });
});

describe("msal-ts-emulator --fault", () => {
  const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
  const run = (args: string[]) => spawn(process.execPath, ["--import", "tsx", CLI, ...args], { stdio: "pipe" });

  test("injects the faults, lists them in the banner and logs faulted requests", async () => {
    const caOut = join(mkdtempSync(join(tmpdir(), "msal-ts-emulator-faults-")), "ca.pem");
    const child = run(["--port", "0", "--ca-out", caOut, "--fault", "token:429:retry-after=2:count=1", "--fault", "jwks:reset"]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 15_000);
        child.stdout.on("data", () => {
          if (out.includes("Press Ctrl+C to stop.")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.match(out, /faults:\n\s+1\.\s+token:throttle:count=1:status=429:retry-after=2\n\s+2\.\s+jwks:reset\n/);
      const url = /listening on (\S+)/.exec(out)?.[1] ?? "";
      const { readFileSync } = await import("node:fs");
      const ca = readFileSync(caOut, "utf8");
      const first = await send(`${url}/${defaultTenant.id}/oauth2/v2.0/token`, { form: CLIENT_CREDENTIALS, ca });
      assert.equal(first.status, 429);
      assert.equal(first.headers?.["retry-after"], "2");
      assert.equal((await send(`${url}/${defaultTenant.id}/oauth2/v2.0/token`, { form: CLIENT_CREDENTIALS, ca })).status, 200);
      assert.match(String((await send(`${url}/common/discovery/v2.0/keys`, { ca })).error), /ECONNRESET|socket hang up/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.match(out, /-> 429 \(fault: throttle\)/);
      assert.match(out, /GET \/common\/discovery\/v2\.0\/keys -> connection dropped \(fault: reset\)/);
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
  });

  test("a bad spec: one line on stderr, exit code 2, nothing started", async () => {
    const child = run(["--port", "0", "--fault", "token:429:retry-after=soon"]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assert.equal(stderr, 'msal-ts-emulator: --fault "token:429:retry-after=soon": retry-after must be a whole number, not "soon".\n');
  });

  test("--help documents the syntax", async () => {
    const child = run(["--help"]);
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    assert.equal(await new Promise((resolve) => child.on("exit", resolve)), 0);
    assert.match(stdout, /--fault <spec>/);
    assert.match(stdout, /endpoint: token \| authorize \| devicecode \| discovery/);
    assert.match(stdout, /kind: +status \| throttle \| delay-headers \| stall-body \| reset/);
    assert.match(stdout, /token:429:retry-after=2:count=3/);
  });
});
