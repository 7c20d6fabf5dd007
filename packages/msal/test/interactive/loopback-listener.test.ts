import assert from "node:assert/strict";
import { request } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { BrowserInteractionTimeoutError, MsalError } from "../../src/errors.js";
import { startLoopbackListener } from "../../src/interactive/loopback-listener.js";
import type { LoopbackListener, LoopbackListenerOptions } from "../../src/interactive/loopback-listener.js";
import { DEFAULT_FAILURE_TEMPLATE, escapeHtml, renderFailurePage } from "../../src/interactive/pages.js";

const STATE = "kJfRtYuIoPaSdFgH";
const CODE = "0.AAAA-the-authorization-code";

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** One request on a fresh connection, as a browser tab would send it. */
function send(port: number, path: string, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function assertRefused(port: number): Promise<void> {
  await assert.rejects(send(port, "/"), (e: NodeJS.ErrnoException) => {
    assert.equal(e.code, "ECONNREFUSED");
    return true;
  });
}

function query(fields: Record<string, string>): string {
  return `/?${new URLSearchParams(fields).toString()}`;
}

/** Settles to what happened: whether the promise is still pending after the listener answered. */
function track<T>(p: Promise<T>): { readonly settled: () => boolean } {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done };
}

async function withListener(
  options: LoopbackListenerOptions,
  body: (listener: LoopbackListener) => Promise<void>,
): Promise<void> {
  const listener = await startLoopbackListener(options);
  try {
    await body(listener);
  } finally {
    await listener.close();
  }
}

describe("loopback listener", () => {
  test("binds a port the system chose and names it in a localhost redirect URI", async () => {
    await withListener({}, async (listener) => {
      assert.ok(listener.port > 0);
      assert.equal(listener.redirectUri, `http://localhost:${listener.port}`);
    });
  });

  test("takes the redirect with the flow's state, shows a page without the code, then closes", async () => {
    const listener = await startLoopbackListener();
    const waiting = listener.waitForResponse(STATE);
    const reply = await send(listener.port, query({ code: CODE, state: STATE, client_info: "eyJ1aWQiOiJ1In0" }));
    assert.equal(reply.status, 200);
    assert.match(reply.body, /Authentication complete/);
    assert.ok(!reply.body.includes(CODE), "the page must not echo the code");
    assert.ok(!reply.body.includes(STATE), "the page must not echo the query");
    assert.equal(reply.headers["cache-control"], "no-store");
    assert.equal(reply.headers["referrer-policy"], "no-referrer");
    assert.deepEqual(await waiting, { code: CODE, state: STATE, client_info: "eyJ1aWQiOiJ1In0" });
    await assertRefused(listener.port);
  });

  test("a request with another state (or none) is answered 400 and ignored", async () => {
    const ignored: string[] = [];
    await withListener({ onIgnoredRequest: (reason) => ignored.push(reason) }, async (listener) => {
      const waiting = listener.waitForResponse(STATE);
      const progress = track(waiting);
      const forged = await send(listener.port, query({ code: "forged-code", state: "someone-elses-state" }));
      assert.equal(forged.status, 400);
      assert.ok(!forged.body.includes("forged-code"));
      assert.equal((await send(listener.port, query({ code: "no-state-code" }))).status, 400);
      assert.equal((await send(listener.port, query({ code: "longer", state: `${STATE}x` }))).status, 400);
      assert.equal(progress.settled(), false, "a forged request must not end the wait");

      const real = await send(listener.port, query({ code: CODE, state: STATE }));
      assert.equal(real.status, 200);
      assert.equal((await waiting).code, CODE);
      assert.equal(ignored.length, 3);
      for (const reason of ignored) {
        assert.ok(!reason.includes("forged-code") && !reason.includes("someone-elses-state"), "reasons never carry the query");
      }
    });
  });

  test("other paths, methods, repeated fields and empty responses are ignored", async () => {
    await withListener({}, async (listener) => {
      const waiting = listener.waitForResponse(STATE);
      const progress = track(waiting);
      assert.equal((await send(listener.port, "/favicon.ico")).status, 404);
      assert.equal((await send(listener.port, `/other${query({ code: CODE, state: STATE }).slice(1)}`)).status, 404);
      const post = await send(listener.port, query({ code: CODE, state: STATE }), "POST");
      assert.equal(post.status, 405);
      assert.equal(post.headers["allow"], "GET");
      assert.equal((await send(listener.port, `/?state=${STATE}&code=a&code=b`)).status, 400);
      assert.equal((await send(listener.port, query({ state: STATE }))).status, 400);
      assert.equal((await send(listener.port, query({ state: STATE, code: "" }))).status, 400);
      assert.equal(progress.settled(), false);

      await send(listener.port, query({ code: CODE, state: STATE }));
      assert.equal((await waiting).code, CODE);
    });
  });

  test("a request before anyone waits is ignored, and the wait still works afterwards", async () => {
    await withListener({}, async (listener) => {
      assert.equal((await send(listener.port, query({ code: CODE, state: STATE }))).status, 400);
      const waiting = listener.waitForResponse(STATE);
      await send(listener.port, query({ code: CODE, state: STATE }));
      assert.equal((await waiting).code, CODE);
    });
  });

  test("answers a custom path only", async () => {
    await withListener({ path: "/callback" }, async (listener) => {
      assert.equal(listener.redirectUri, `http://localhost:${listener.port}/callback`);
      const waiting = listener.waitForResponse(STATE);
      assert.equal((await send(listener.port, query({ code: CODE, state: STATE }))).status, 404);
      await send(listener.port, `/callback${query({ code: CODE, state: STATE }).slice(1)}`);
      assert.equal((await waiting).code, CODE);
    });
  });

  test("an error redirect shows the failure page with the error escaped, and resolves to its fields", async () => {
    const listener = await startLoopbackListener();
    const waiting = listener.waitForResponse(STATE);
    const description = `AADSTS65004: User declined to consent. <script>alert("x")</script>`;
    const reply = await send(listener.port, query({ error: "access_denied", error_description: description, state: STATE }));
    assert.equal(reply.status, 200);
    assert.match(reply.body, /Authentication failed/);
    assert.match(reply.body, /access_denied/);
    assert.ok(!reply.body.includes("<script>"), "the description is escaped");
    assert.ok(reply.body.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert.deepEqual(await waiting, { error: "access_denied", error_description: description, state: STATE });
    await assertRefused(listener.port);
  });

  test("custom pages: the success page is sent as written, the failure page filled and escaped", async () => {
    const ok = await startLoopbackListener({ successTemplate: "<p>Welcome back {error}</p>" });
    const okWait = ok.waitForResponse(STATE);
    const okReply = await send(ok.port, query({ code: CODE, state: STATE }));
    assert.equal(okReply.body, "<p>Welcome back {error}</p>");
    await okWait;

    const bad = await startLoopbackListener({ failureTemplate: "<p>{error}: {error_description} ({error})</p>" });
    const badWait = bad.waitForResponse(STATE);
    const badReply = await send(bad.port, query({ error: "<b>denied</b>", state: STATE }));
    assert.equal(badReply.body, "<p>&lt;b&gt;denied&lt;/b&gt;:  (&lt;b&gt;denied&lt;/b&gt;)</p>");
    await badWait;
  });

  test("a port in use is a clear error", async () => {
    const first = await startLoopbackListener();
    try {
      await assert.rejects(startLoopbackListener({ port: first.port }), (e: unknown) => {
        assert.ok(e instanceof MsalError);
        assert.equal(e.code, "ERR_LOOPBACK_PORT_IN_USE");
        assert.match(e.message, new RegExp(`Port ${first.port}`));
        return true;
      });
    } finally {
      await first.close();
    }

    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      await assert.rejects(startLoopbackListener({ port }), { code: "ERR_LOOPBACK_PORT_IN_USE" });
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  test("listens on the port it is given", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await withListener({ port }, async (listener) => {
      assert.equal(listener.port, port);
      assert.equal(listener.redirectUri, `http://localhost:${port}`);
    });
  });

  test("a timeout rejects with BrowserInteractionTimeoutError and closes the listener", async () => {
    const listener = await startLoopbackListener();
    await assert.rejects(listener.waitForResponse(STATE, { timeout: 0.2 }), (e: unknown) => {
      assert.ok(e instanceof BrowserInteractionTimeoutError);
      assert.equal(e.code, "ERR_BROWSER_INTERACTION_TIMEOUT");
      return true;
    });
    await assertRefused(listener.port);
  });

  test("an abort rejects with the signal's reason and closes the listener", async () => {
    const listener = await startLoopbackListener();
    const controller = new AbortController();
    const waiting = listener.waitForResponse(STATE, { signal: controller.signal });
    await send(listener.port, "/favicon.ico");
    controller.abort();
    await assert.rejects(waiting, { name: "AbortError" });
    await assertRefused(listener.port);

    const again = await startLoopbackListener();
    const reason = new Error("the user closed the window");
    await assert.rejects(again.waitForResponse(STATE, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await assertRefused(again.port);
  });

  test("close() ends a pending wait", async () => {
    const listener = await startLoopbackListener();
    const waiting = listener.waitForResponse(STATE);
    await listener.close();
    await assert.rejects(waiting, { code: "ERR_ABORTED" });
    await assertRefused(listener.port);
    await listener.close();
  });

  test("one sign-in per listener", async () => {
    const listener = await startLoopbackListener();
    const waiting = listener.waitForResponse(STATE);
    await assert.rejects(listener.waitForResponse(STATE), { code: "ERR_INVALID_ARG_VALUE" });
    await send(listener.port, query({ code: CODE, state: STATE }));
    await waiting;
    const closed = await startLoopbackListener();
    await closed.close();
    await assert.rejects(closed.waitForResponse(STATE), { code: "ERR_ABORTED" });
  });

  test("bad options are refused", async () => {
    for (const port of [-1, 65536, 1.5, Number.NaN]) {
      await assert.rejects(startLoopbackListener({ port }), { code: "ERR_INVALID_ARG_VALUE" }, `port ${port}`);
    }
    await assert.rejects(startLoopbackListener({ port: "8400" as unknown as number }), { code: "ERR_INVALID_ARG_TYPE" });
    await assert.rejects(startLoopbackListener({ path: "callback" }), { code: "ERR_INVALID_ARG_VALUE" });
    await assert.rejects(startLoopbackListener({ successTemplate: 1 as unknown as string }), { code: "ERR_INVALID_ARG_TYPE" });
    await withListener({}, async (listener) => {
      for (const timeout of [0, -1, Number.NaN, 1e10]) {
        await assert.rejects(listener.waitForResponse(STATE, { timeout }), { code: "ERR_INVALID_ARG_VALUE" }, `timeout ${timeout}`);
      }
      await assert.rejects(listener.waitForResponse(STATE, { timeout: "5" as unknown as number }), { code: "ERR_INVALID_ARG_TYPE" });
      await assert.rejects(listener.waitForResponse(""), { code: "ERR_INVALID_ARG_TYPE" });
    });
  });
});

describe("listener pages", () => {
  test("escapeHtml escapes markup and quotes", () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  test("the default failure page shows the error and the description, escaped", () => {
    const page = renderFailurePage(DEFAULT_FAILURE_TEMPLATE, { error: "access_denied", error_description: "a < b" });
    assert.match(page, /<span id="error">access_denied<\/span>/);
    assert.match(page, /a &lt; b/);
    assert.ok(!page.includes("{error"));
    assert.ok(!renderFailurePage(DEFAULT_FAILURE_TEMPLATE, { error: "x" }).includes("{error_description}"));
  });
});
