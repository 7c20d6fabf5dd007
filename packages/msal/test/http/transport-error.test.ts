import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MsalError, NetworkError } from "../../src/errors.js";
import { isTimeout, toTransportError } from "../../src/http/index.js";

const URL_ = "https://login.example.com/tenant/oauth2/v2.0/token?client-request-id=1";

describe("toTransportError", () => {
  it("keeps errors msal-ts already made", () => {
    const e = new MsalError("ERR_DISCOVERY", "x");
    assert.equal(toTransportError(e, URL_), e);
  });

  it("returns the reason of an aborted caller signal", () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(toTransportError(new TypeError("fetch failed"), URL_, controller.signal), controller.signal.reason);
  });

  it("maps timeouts to ERR_TIMEOUT", () => {
    const timeouts = [
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      new TypeError("fetch failed", { cause: Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" }) }),
      new TypeError("fetch failed", { cause: Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" }) }),
    ];
    for (const t of timeouts) {
      assert.ok(isTimeout(t));
      const e = toTransportError(t, URL_);
      assert.ok(e instanceof NetworkError && e.code === "ERR_TIMEOUT" && e.cause === t);
    }
  });

  it("names the host and the innermost reason, never the path or query", () => {
    const refused = new AggregateError([Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:443"), { code: "ECONNREFUSED" })]);
    const e = toTransportError(new TypeError("fetch failed", { cause: refused }), URL_);
    assert.ok(e instanceof NetworkError);
    assert.equal(e.code, "ERR_NETWORK");
    assert.match(e.message, /^Could not reach login\.example\.com: connect ECONNREFUSED 10\.0\.0\.1:443\./);
    assert.doesNotMatch(e.message, /client-request-id|oauth2/);
  });

  it("names the proxy by host only", () => {
    const e = toTransportError(new Error("socket hang up"), URL_, undefined, "http://user:secret@proxy.corp:3128");
    assert.ok(e instanceof NetworkError);
    assert.match(e.message, /login\.example\.com through the proxy proxy\.corp:3128: socket hang up/);
    assert.doesNotMatch(e.message, /secret/);
  });
});
