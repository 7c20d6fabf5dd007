import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withRequestLogging } from "../../src/application/request-logging.js";
import type { HttpClient } from "../../src/http/http-client.js";

const answer = (status: number): HttpClient => async () => new Response("{}", { status });

function logged(http: HttpClient, pii = false): { readonly http: HttpClient; readonly lines: string[] } {
  const lines: string[] = [];
  return { http: withRequestLogging(http, (level, message) => lines.push(`${level}: ${message}`), pii), lines };
}

describe("withRequestLogging", () => {
  test("a token request: method, endpoint and grant before and after, never the body, headers or query", async () => {
    const { http, lines } = logged(answer(200));
    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: "rt-secret-value", client_secret: "cs-secret" }).toString();
    await http("https://login.example/tenant/oauth2/v2.0/token?dc=ESTS-PUB&x=secretish", {
      method: "POST",
      headers: { authorization: "Basic Y2xpZW50OnNlY3JldA==" },
      body,
    });
    assert.equal(lines.length, 2);
    assert.equal(lines[0], "verbose: HTTP POST https://login.example/tenant/oauth2/v2.0/token (grant_type=refresh_token)");
    assert.match(lines[1] ?? "", /^verbose: HTTP POST https:\/\/login\.example\/tenant\/oauth2\/v2\.0\/token \(grant_type=refresh_token\) answered 200 in \d+ ms$/);
    assert.ok(!lines.join("\n").match(/secret|Y2xpZW50|dc=/), "nothing from the body, headers or query");
  });

  test("an error status is logged at info; a transport failure at warning, by name and code only, and rethrown", async () => {
    const { http, lines } = logged(answer(400));
    await http("https://login.example/t/oauth2/v2.0/token", { method: "POST", headers: {}, body: "grant_type=password&password=hunter2hunter2" });
    assert.match(lines[1] ?? "", /^info: .* answered 400 in \d+ ms$/);

    const failure = Object.assign(new TypeError("fetch failed for https://login.example/t?secret=1"), { cause: { code: "ECONNREFUSED" } });
    const broken = logged(async () => Promise.reject(failure));
    await assert.rejects(broken.http("https://login.example/t/v2.0/.well-known/openid-configuration", { method: "GET", headers: {} }), (e) => e === failure);
    assert.match(broken.lines[1] ?? "", /^warning: HTTP GET https:\/\/login\.example\/t\/v2\.0\/\.well-known\/openid-configuration failed after \d+ ms: TypeError \(ECONNREFUSED\)$/);
  });

  test("usernames in paths are masked unless enablePiiLog; a SOAP body has no grant", async () => {
    const masked = logged(answer(200));
    await masked.http("https://login.example/common/userrealm/adele%40contoso.com?api-version=1.0", { method: "GET", headers: {} });
    await masked.http("https://adfs.example/users/lee@contoso.com/x", { method: "POST", headers: {}, body: "<s:Envelope>grant_type=x</s:Envelope>" });
    assert.equal(masked.lines[0], "verbose: HTTP GET https://login.example/common/userrealm/{username}");
    assert.equal(masked.lines[2], "verbose: HTTP POST https://adfs.example/users/{username}/x");

    const pii = logged(answer(200), true);
    await pii.http("https://login.example/common/userrealm/adele%40contoso.com", { method: "GET", headers: {} });
    assert.equal(pii.lines[0], "verbose: HTTP GET https://login.example/common/userrealm/adele%40contoso.com");
  });

  test("without a logger the client is returned as is", () => {
    const http = answer(200);
    assert.equal(withRequestLogging(http, undefined, false), http);
  });
});
