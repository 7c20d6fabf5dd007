// PopAuthScheme's validation, the data checks of SSH certificate requests, and what a PoP call
// sends, caches and returns — driven through an in-memory HTTP client.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { calculateJwkThumbprint, compactVerify, decodeJwt, importJWK, type JWK } from "jose";
import {
  ConfidentialClientApplication,
  PopAuthScheme,
  PublicClientApplication,
  SerializableTokenCache,
  type Account,
  type AuthenticationResult,
  type HttpRequestInit,
  type PopHttpMethod,
  type TokenResult,
} from "../../src/index.js";

const TENANT = "9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2";
const BASE = `https://login.unit.test/${TENANT}`;
const URL_A = "https://api.contoso.com/orders";

function fakeAuthority(answer: (form: URLSearchParams) => unknown) {
  const posts: URLSearchParams[] = [];
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    if (url.includes("openid-configuration")) {
      return Response.json({
        issuer: `${BASE}/v2.0`,
        authorization_endpoint: `${BASE}/oauth2/v2.0/authorize`,
        token_endpoint: `${BASE}/oauth2/v2.0/token`,
        jwks_uri: `${BASE}/discovery/v2.0/keys`,
      });
    }
    const form = new URLSearchParams(init.body ?? "");
    posts.push(form);
    return Response.json(answer(form));
  };
  return { http, posts };
}

/** An app whose every HTTP request fails the test: for checks that must happen before any I/O. */
function offlineApp(): ConfidentialClientApplication {
  return new ConfidentialClientApplication("app-id", {
    clientCredential: "secret",
    authority: `https://login.unit.test/${TENANT}`,
    validateAuthority: false,
    httpClient: async () => assert.fail("no request may be sent"),
  });
}

function cca(http: (url: string, init: HttpRequestInit) => Promise<Response>, cache = new SerializableTokenCache()) {
  return new ConfidentialClientApplication("app-id", {
    clientCredential: "secret",
    authority: `https://login.unit.test/${TENANT}`,
    validateAuthority: false,
    httpClient: http,
    tokenCache: cache,
  });
}

function ok(r: AuthenticationResult): TokenResult {
  if ("error" in r) assert.fail(`expected a token, got ${r.error}`);
  return r;
}

/** The authority's answer to a token request: a PoP token when asked for one, its number in `n`. */
function issuing() {
  let n = 0;
  return (form: URLSearchParams) => {
    n++;
    return form.get("token_type") === "pop"
      ? { access_token: `pop-at-${n}`, token_type: "pop", expires_in: 3600 }
      : { access_token: `bearer-at-${n}`, token_type: "Bearer", expires_in: 3600 };
  };
}

async function verifiedShr(shr: string): Promise<Record<string, unknown>> {
  const claims = decodeJwt(shr);
  const jwk = (claims.cnf as { jwk: JWK }).jwk;
  await compactVerify(shr, await importJWK(jwk, "RS256"));
  return claims;
}

describe("PopAuthScheme", () => {
  it("has MSAL Python's method constants", () => {
    assert.deepEqual(
      [PopAuthScheme.HTTP_GET, PopAuthScheme.HTTP_POST, PopAuthScheme.HTTP_PUT, PopAuthScheme.HTTP_DELETE, PopAuthScheme.HTTP_PATCH],
      ["GET", "POST", "PUT", "DELETE", "PATCH"],
    );
  });

  it("takes each of the five methods, an absolute URL and a nonce", () => {
    for (const method of ["GET", "POST", "PUT", "DELETE", "PATCH"] as const) {
      const scheme = new PopAuthScheme(method, URL_A, "n1");
      assert.equal(scheme.httpMethod, method);
      assert.equal(scheme.url, URL_A);
      assert.equal(scheme.nonce, "n1");
      assert.equal(scheme.key, undefined);
      assert.ok(Object.isFrozen(scheme));
    }
  });

  const invalid: Array<[string, unknown, unknown, unknown, unknown?]> = [
    ["a lower-case method", "get", URL_A, "n"],
    ["a mixed-case method", "Post", URL_A, "n"],
    ["a method outside the five", "HEAD", URL_A, "n"],
    ["a missing method", undefined, URL_A, "n"],
    ["an empty method", "", URL_A, "n"],
    ["a missing URL", "GET", undefined, "n"],
    ["an empty URL", "GET", "", "n"],
    ["a relative URL", "GET", "/orders", "n"],
    ["a non-http URL", "GET", "ftp://api.contoso.com/orders", "n"],
    ["a missing nonce", "GET", URL_A, undefined],
    ["an empty nonce", "GET", URL_A, ""],
    ["a non-string nonce", "GET", URL_A, 42],
    ["a public key", "GET", URL_A, "n", { key: generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey }],
    ["a public JWK", "GET", URL_A, "n", { key: generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }) }],
  ];
  for (const [name, method, url, nonce, options] of invalid) {
    it(`refuses ${name} with a TypeError`, () => {
      assert.throws(() => new PopAuthScheme(method as PopHttpMethod, url as string, nonce as string, options as never), TypeError);
    });
  }

  it("isPopSupported() is true for every application", () => {
    assert.equal(offlineApp().isPopSupported(), true);
    assert.equal(new PublicClientApplication("public-id", { authority: BASE, validateAuthority: false }).isPopSupported(), true);
  });
});

describe("data and authScheme checks, before any request", () => {
  const account: Account = {
    home_account_id: "uid.utid",
    environment: "login.unit.test",
    username: "adele@contoso.com",
    account_source: "authorization_code",
    authority_type: "MSSTS",
    local_account_id: "uid",
    realm: TENANT,
  } as Account;

  it("an SSH certificate request without req_cnf or key_id throws a TypeError naming it", async () => {
    const app = offlineApp();
    await assert.rejects(app.acquireTokenForClient(["s/.default"], { data: { token_type: "ssh-cert", key_id: "k1" } }), (e: Error) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /req_cnf/);
      return true;
    });
    await assert.rejects(app.acquireTokenForClient(["s/.default"], { data: { token_type: "ssh-cert", req_cnf: "{}" } }), /key_id/);
    await assert.rejects(app.acquireTokenSilent(["User.Read"], account, { data: { token_type: "ssh-cert", key_id: "k1" } }), /req_cnf/);
    await assert.rejects(app.acquireTokenSilentWithError(["User.Read"], account, { data: { token_type: "ssh-cert", req_cnf: "{}" } }), /key_id/);
    await assert.rejects(app.acquireTokenByUsernamePassword("u", "p", ["User.Read"], { data: { token_type: "ssh-cert" } }), /req_cnf/);
    await assert.rejects(app.acquireTokenOnBehalfOf("assertion", ["User.Read"], { data: { token_type: "ssh-cert", req_cnf: "{}" } }), /key_id/);
    await assert.rejects(app.acquireTokenByRefreshToken("rt", ["User.Read"], { data: { token_type: "ssh-cert" } }), /req_cnf/);
    await assert.rejects(app.acquireTokenByAuthorizationCode("code", ["User.Read"], { data: { token_type: "ssh-cert" } }), /req_cnf/);
  });

  it("authScheme must be a PopAuthScheme and leaves token_type, req_cnf and key_id to itself", async () => {
    const app = offlineApp();
    const scheme = new PopAuthScheme("GET", URL_A, "n");
    await assert.rejects(app.acquireTokenForClient(["s/.default"], { authScheme: { httpMethod: "GET" } as never }), TypeError);
    for (const name of ["token_type", "req_cnf", "key_id"]) {
      await assert.rejects(app.acquireTokenForClient(["s/.default"], { authScheme: scheme, data: { [name]: "x" } }), new RegExp(name));
    }
  });

  it("data values must be strings", async () => {
    await assert.rejects(offlineApp().acquireTokenForClient(["s/.default"], { data: { n: 1 as unknown as string } }), TypeError);
  });
});

describe("a PoP token for the app itself", () => {
  it("asks with token_type=pop and req_cnf = base64url {kid}, and returns a signed request over the token", async () => {
    const f = fakeAuthority(issuing());
    const app = cca(f.http);
    const r = ok(await app.acquireTokenForClient(["s/.default"], { authScheme: new PopAuthScheme("POST", `${URL_A}/7`, "nonce-1") }));
    const [post] = f.posts;
    assert.ok(post);
    assert.equal(post.get("token_type"), "pop");
    const reqCnf = JSON.parse(Buffer.from(post.get("req_cnf") ?? "", "base64url").toString("utf8")) as { kid: string };
    assert.deepEqual(Object.keys(reqCnf), ["kid"]);
    assert.equal(post.get("key_id"), null, "the key id is the authority's business through req_cnf only");

    assert.equal(r.token_type, "pop");
    assert.equal(r.token_source, "identity_provider");
    const claims = await verifiedShr(r.access_token);
    assert.equal(claims.at, "pop-at-1");
    assert.equal(claims.m, "POST");
    assert.equal(claims.u, "api.contoso.com");
    assert.equal(claims.p, "/orders/7");
    assert.equal(claims.nonce, "nonce-1");
    assert.equal(await calculateJwkThumbprint((claims.cnf as { jwk: JWK }).jwk, "sha256"), reqCnf.kid);
  });

  it("is cached with token_type pop and key_id; a cache hit gets a freshly signed request for its own call", async () => {
    const f = fakeAuthority(issuing());
    const cache = new SerializableTokenCache();
    const app = cca(f.http, cache);
    const first = ok(await app.acquireTokenForClient(["s/.default"], { authScheme: new PopAuthScheme("GET", URL_A, "n1") }));
    const second = ok(await app.acquireTokenForClient(["s/.default"], { authScheme: new PopAuthScheme("DELETE", `${URL_A}/9`, "n2") }));
    assert.equal(f.posts.length, 1, "the second call is a cache hit");
    assert.equal(second.token_source, "cache");
    assert.equal(second.token_type, "pop");
    const claims = await verifiedShr(second.access_token);
    assert.equal(claims.at, "pop-at-1");
    assert.deepEqual([claims.m, claims.p, claims.nonce], ["DELETE", "/orders/9", "n2"]);
    assert.notEqual(second.access_token, first.access_token);

    const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, Record<string, unknown>> };
    const entries = Object.values(state.AccessToken);
    assert.equal(entries.length, 1);
    const entry = entries[0];
    assert.ok(entry);
    assert.equal(entry.credential_type, "AccessToken");
    assert.equal(entry.token_type, "pop");
    assert.equal(entry.secret, "pop-at-1", "the bound access token is cached, never a signed request");
    const kid = (JSON.parse(Buffer.from(f.posts[0]?.get("req_cnf") ?? "", "base64url").toString("utf8")) as { kid: string }).kid;
    assert.equal(entry.key_id, kid);
  });

  it("bearer and PoP tokens for the same scopes neither answer for nor replace each other", async () => {
    const f = fakeAuthority(issuing());
    const cache = new SerializableTokenCache();
    const app = cca(f.http, cache);
    const pop = () => app.acquireTokenForClient(["s/.default"], { authScheme: new PopAuthScheme("GET", URL_A, "n") });
    ok(await pop());
    const bearer = ok(await app.acquireTokenForClient(["s/.default"]));
    assert.equal(bearer.access_token, "bearer-at-2", "a bearer call is not served the PoP token");
    assert.equal(bearer.token_type, "Bearer");
    assert.equal(f.posts[1]?.get("token_type"), null);
    assert.equal(cache.count().AccessToken, 2);
    const again = ok(await pop());
    assert.equal(again.token_source, "cache");
    assert.equal((await verifiedShr(again.access_token)).at, "pop-at-1");
    assert.equal(ok(await app.acquireTokenForClient(["s/.default"])).access_token, "bearer-at-2");
    assert.equal(f.posts.length, 2);
  });

  it("another key's PoP token is not used: each app instance has its own key unless one is given", async () => {
    const f = fakeAuthority(issuing());
    const cache = new SerializableTokenCache();
    const scheme = new PopAuthScheme("GET", URL_A, "n");
    ok(await cca(f.http, cache).acquireTokenForClient(["s/.default"], { authScheme: scheme }));
    ok(await cca(f.http, cache).acquireTokenForClient(["s/.default"], { authScheme: scheme }));
    assert.equal(f.posts.length, 2, "a second instance, with a key of its own, cannot use the first one's token");
    assert.equal(cache.count().AccessToken, 2, "nor does it replace it");

    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const shared = new PopAuthScheme("GET", URL_A, "n", { key: privateKey });
    ok(await cca(f.http, cache).acquireTokenForClient(["s/.default"], { authScheme: shared }));
    const hit = ok(await cca(f.http, cache).acquireTokenForClient(["s/.default"], { authScheme: new PopAuthScheme("PUT", URL_A, "m", { key: privateKey.export({ format: "jwk" }) }) }));
    assert.equal(hit.token_source, "cache", "the same key, even as a JWK, finds its token");
    assert.equal(f.posts.length, 3);
  });

  it("a bearer answer to a PoP request is refused and not cached", async () => {
    const f = fakeAuthority(() => ({ access_token: "plain", token_type: "Bearer", expires_in: 3600 }));
    const cache = new SerializableTokenCache();
    await assert.rejects(
      cca(f.http, cache).acquireTokenForClient(["s/.default"], { authScheme: new PopAuthScheme("GET", URL_A, "n") }),
      (e: Error & { code?: string }) => e.code === "ERR_INVALID_RESPONSE",
    );
    assert.equal(cache.count().AccessToken, 0);
  });
});
