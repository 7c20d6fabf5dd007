import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NetworkError } from "../../src/errors.js";
import { createDefaultHttpClient } from "../../src/http/index.js";
import type { DefaultHttpClient } from "../../src/http/index.js";
import type { ConnectProxy, LocalServer, TlsFixture } from "./local-servers.js";
import { makeSelfSignedCertificate, startConnectProxy, startHttpsServer } from "./local-servers.js";

let tls: TlsFixture;
let server: LocalServer;
let proxy: ConnectProxy;
const clients: DefaultHttpClient[] = [];

/** A client closed at the end of the suite. */
function client(options: Parameters<typeof createDefaultHttpClient>[0]): DefaultHttpClient {
  const c = createDefaultHttpClient(options);
  clients.push(c);
  return c;
}

before(async () => {
  tls = makeSelfSignedCertificate();
  server = await startHttpsServer(tls, (req, body, res) => {
    if (req.url === "/never") return; // holds the request open: the client must time out
    if (req.url === "/empty") return void res.writeHead(204).end();
    if (req.url === "/moved") return void res.writeHead(307, { location: "/moved-here" }).end();
    res.writeHead(200, { "content-type": "application/json", "x-echo": "yes" });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  });
  proxy = await startConnectProxy();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
  await proxy.close();
  tls.dispose();
});

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe("createDefaultHttpClient: TLS", () => {
  it("fails with ERR_NETWORK naming the host and the reason when the certificate is not trusted", async () => {
    const http = client({});
    await assert.rejects(
      http(`${server.origin}/`, { method: "GET", headers: {} }),
      (e: unknown) =>
        e instanceof NetworkError &&
        e.code === "ERR_NETWORK" &&
        e.message.includes(`127.0.0.1:${server.port}`) &&
        /self-signed certificate/.test(e.message) &&
        e.cause !== undefined,
    );
  });

  it("trusts a CA bundle given by path, and sends method, headers and body", async () => {
    const http = client({ verify: tls.certPath });
    const res = await http(`${server.origin}/token?x=1`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-client-sku": "msal-ts" },
      body: "grant_type=client_credentials&scope=a+b",
    });
    assert.equal(res.status, 200);
    assert.ok(res instanceof Response);
    assert.equal(res.headers.get("x-echo"), "yes");
    assert.equal(res.url, `${server.origin}/token?x=1`);
    const echo = (await res.json()) as Echo;
    assert.equal(echo.method, "POST");
    assert.equal(echo.url, "/token?x=1");
    assert.equal(echo.headers["x-client-sku"], "msal-ts");
    assert.equal(echo.body, "grant_type=client_credentials&scope=a+b");
  });

  it("trusts CA certificates given as text", async () => {
    const http = client({ verify: { ca: tls.cert } });
    assert.equal((await http(`${server.origin}/`, { method: "GET", headers: {} })).status, 200);
  });

  it("skips verification with verify: false (tests only)", async () => {
    const http = client({ verify: false });
    assert.equal((await http(`${server.origin}/`, { method: "GET", headers: {} })).status, 200);
  });

  it("returns bodiless statuses", async () => {
    const http = client({ verify: tls.certPath });
    const res = await http(`${server.origin}/empty`, { method: "GET", headers: {} });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), "");
  });

  it("follows a redirect for a GET but never for a POST", async () => {
    const http = client({ verify: tls.certPath });
    const get = await http(`${server.origin}/moved`, { method: "GET", headers: {} });
    assert.equal(((await get.json()) as Echo).url, "/moved-here");
    const post = await http(`${server.origin}/moved`, { method: "POST", headers: {}, body: "client_secret=s" });
    assert.equal(post.status, 307);
    assert.equal(post.headers.get("location"), "/moved-here");
  });

  it("reuses one pooled connection across requests", async () => {
    const http = client({ verify: tls.certPath });
    const before = server.connections();
    for (let i = 0; i < 3; i++) {
      await (await http(`${server.origin}/`, { method: "GET", headers: {} })).text();
      // undici puts the socket back in the pool just after the body ends.
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(server.connections() - before, 1);
  });
});

describe("createDefaultHttpClient: failures", () => {
  it("times out with ERR_TIMEOUT when the server never answers", async () => {
    const http = client({ verify: tls.certPath, timeout: 0.5 });
    await assert.rejects(
      http(`${server.origin}/never`, { method: "GET", headers: {} }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_TIMEOUT" && /0\.5 s/.test(e.message),
    );
  });

  it("rethrows the caller's abort reason (an AbortError), not a NetworkError", async () => {
    const http = client({ verify: tls.certPath, timeout: 30 });
    const controller = new AbortController();
    const pending = http(`${server.origin}/never`, { method: "GET", headers: {}, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof DOMException && e.name === "AbortError");
  });

  it("rejects at once for a signal already aborted", async () => {
    const http = client({ verify: tls.certPath });
    const reason = new Error("stop");
    await assert.rejects(
      http(`${server.origin}/`, { method: "GET", headers: {}, signal: AbortSignal.abort(reason) }),
      (e: unknown) => e === reason,
    );
  });

  it("reports a refused connection as ERR_NETWORK", async () => {
    const http = client({ verify: tls.certPath });
    // The proxy port speaks plain HTTP; a closed port is found by closing a server.
    const gone = await startHttpsServer(tls, () => undefined);
    await gone.close();
    await assert.rejects(
      http(`${gone.origin}/`, { method: "GET", headers: {} }),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_NETWORK" && /ECONNREFUSED/.test(e.message),
    );
  });
});

describe("createDefaultHttpClient: proxies", () => {
  it("tunnels an https request through a CONNECT proxy", async () => {
    const http = client({ verify: tls.certPath, proxies: proxy.origin });
    const res = await http(`${server.origin}/via-proxy`, { method: "GET", headers: {} });
    assert.equal(((await res.json()) as Echo).url, "/via-proxy");
    assert.deepEqual(proxy.tunnels.slice(-1), [`127.0.0.1:${server.port}`]);
  });

  it("accepts MSAL Python's { http, https } map and proxy credentials", async () => {
    const seen = proxy.tunnels.length;
    const http = client({
      verify: tls.certPath,
      proxies: { https: `http://user:p%40ss@127.0.0.1:${proxy.port}`, http: "http://unused.invalid:1" },
    });
    assert.equal((await http(`${server.origin}/`, { method: "GET", headers: {} })).status, 200);
    assert.equal(proxy.tunnels.length, seen + 1);
    assert.equal(proxy.authorizations.at(-1), `Basic ${Buffer.from("user:p@ss").toString("base64")}`);
  });

  it("goes direct for a scheme the map does not name", async () => {
    const seen = proxy.tunnels.length;
    const http = client({ verify: tls.certPath, proxies: { http: proxy.origin } });
    assert.equal((await http(`${server.origin}/`, { method: "GET", headers: {} })).status, 200);
    assert.equal(proxy.tunnels.length, seen);
  });

  it("still checks the target's certificate through the tunnel", async () => {
    const http = client({ proxies: proxy.origin });
    await assert.rejects(http(`${server.origin}/`, { method: "GET", headers: {} }), { code: "ERR_NETWORK" });
  });
});

describe("createDefaultHttpClient: options", () => {
  it("rejects bad options with TypeErrors", () => {
    assert.throws(() => createDefaultHttpClient({ verify: "/no/such/ca.pem" }), {
      code: "ERR_INVALID_ARG_VALUE",
      message: /\/no\/such\/ca\.pem/,
    });
    assert.throws(() => createDefaultHttpClient({ verify: 1 as unknown as boolean }), { code: "ERR_INVALID_ARG_TYPE" });
    assert.throws(() => createDefaultHttpClient({ timeout: 0 }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => createDefaultHttpClient({ timeout: Number.NaN }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => createDefaultHttpClient({ proxies: "ftp://proxy:21" }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => createDefaultHttpClient({ proxies: "not a url" }), { code: "ERR_INVALID_ARG_VALUE" });
    assert.throws(() => createDefaultHttpClient({ proxies: 3 as unknown as string }), { code: "ERR_INVALID_ARG_TYPE" });
  });

  it("does not quote proxy credentials in errors", () => {
    assert.throws(
      () => createDefaultHttpClient({ proxies: "http://user:secret@" }),
      (e: unknown) => e instanceof TypeError && !e.message.includes("secret"),
    );
  });
});
