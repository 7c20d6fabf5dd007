// The fuzz targets at test size: a few hundred cases each, half with a fixed seed (the same cases
// on every run) and half with a fresh seed (fast-check prints it, with the replay path, when a case
// fails; `npm run fuzz -- --target=<name> --seed=<seed> --path=<path>` replays it). Then, as
// explicit examples, the failures the fuzzer found, each fixed in the library.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { AppContext } from "../../src/application/app-context.js";
import { acquireTokenByDeviceFlow, initiateDeviceFlow } from "../../src/application/device-flow.js";
import {
  ManagedIdentityClient,
  NetworkError,
  SerializableTokenCache,
  SystemAssignedManagedIdentity,
  type AuthenticationResult,
  type DeviceFlow,
} from "../../src/index.js";
import { discoverAuthority, parseAuthority } from "../../src/authority/index.js";
import { fetchMexEndpoint, hashNonce, requestSamlAssertion } from "../../src/protocol/index.js";
import {
  ACCESS_TOKEN,
  AUTHORITY,
  CLIENT_ID,
  FIXTURE_ACCOUNT,
  FakeAuthority,
  HOST,
  b64url,
  confidentialApp,
  fixtureCache,
  fixtureCacheState,
  jsonAnswer,
  nowSeconds,
  publicApp,
  toResponse,
  validAppTokenResponse,
  validUserTokenResponse,
  type WireAnswer,
} from "./harness.js";
import { FUZZ_TARGETS } from "./targets.js";

const CASES_PER_SEED = 150;
const FIXED_SEED = 20_240_601;
const RANDOM_SEED = Math.floor(Math.random() * 2 ** 31);

for (const target of FUZZ_TARGETS) {
  describe(`fuzz: ${target.name} (${target.summary})`, () => {
    test(`${CASES_PER_SEED} cases, fixed seed ${FIXED_SEED}`, async () => {
      await fc.assert(target.property(), { numRuns: CASES_PER_SEED, seed: FIXED_SEED, timeout: 10_000 });
    });
    test(`${CASES_PER_SEED} cases, random seed ${RANDOM_SEED}`, async () => {
      await fc.assert(target.property(), { numRuns: CASES_PER_SEED, seed: RANDOM_SEED, timeout: 10_000 });
    });
  });
}

function token(r: AuthenticationResult | null): Record<string, unknown> {
  assert.ok(r !== null && !("error" in r), `expected a token result, got ${JSON.stringify(r)}`);
  return r as unknown as Record<string, unknown>;
}

/** A managed identity source that gives every request the same answer. */
const answering = (answer: WireAnswer) => async (): Promise<Response> => toResponse(answer);

/** An answer whose headers arrive and whose body then breaks off, as a reset connection does. */
const brokenBody: WireAnswer = { status: 200, contentType: "application/json", body: JSON.stringify(validAppTokenResponse()), fault: "body-error" };

describe("fuzz regressions", () => {
  test("token-response: a body that breaks off mid-read is a NetworkError, not a bare TypeError", async () => {
    const cache = fixtureCache();
    const before = cache.serialize();
    await assert.rejects(confidentialApp(new FakeAuthority([brokenBody]), cache).acquireTokenForClient(["s1"]), (e: unknown) => {
      assert.ok(e instanceof NetworkError, `got ${String(e)}`);
      assert.equal(e.code, "ERR_NETWORK");
      return true;
    });
    assert.equal(cache.serialize(), before);
  });

  test("managed-identity: a body that breaks off mid-read is a NetworkError, not a bare TypeError", async () => {
    const client = new ManagedIdentityClient(new SystemAssignedManagedIdentity(), {
      httpClient: answering(brokenBody),
      environment: { MSAL_MANAGED_IDENTITY_ENDPOINT: "http://127.0.0.1:9/metadata/identity/oauth2/token" },
    });
    await assert.rejects(client.acquireTokenForClient({ resource: "https://vault.azure.net" }), (e: unknown) => e instanceof NetworkError && e.code === "ERR_NETWORK");
  });

  test("discovery, MEX and WS-Trust: a body that breaks off mid-read is a NetworkError too", async () => {
    const broken = answering({ ...brokenBody, contentType: "application/xml" });
    const networkError = (e: unknown): boolean => e instanceof NetworkError && e.code === "ERR_NETWORK";
    const authority = parseAuthority(`https://${HOST}/broken-body-tenant`, { validateAuthority: false });
    await assert.rejects(discoverAuthority(authority, { httpClient: broken, instanceDiscovery: false, validateAuthority: false }), networkError);
    await assert.rejects(fetchMexEndpoint(broken, "https://sts.fuzz.test/adfs/services/trust/mex"), networkError);
    const endpoint = { address: "https://sts.fuzz.test/adfs/services/trust/13/usernamemixed", version: "1.3" } as const;
    await assert.rejects(requestSamlAssertion(broken, endpoint, { username: "user@fuzz.test", password: "p" }), networkError);
  });

  test("token-response: a success with an empty error member is a token result without it", async () => {
    const authority = new FakeAuthority([jsonAnswer(200, { ...validAppTokenResponse(), error: "" })]);
    const result = await confidentialApp(authority, new SerializableTokenCache()).acquireTokenForClient(["s1"]);
    assert.ok(!("error" in result), "a token result must not read as an error result");
    assert.equal(token(result).access_token, ACCESS_TOKEN);
  });

  test("token-response: a success without expires_in gets the lifetime the cache records", async () => {
    const cache = new SerializableTokenCache();
    const { expires_in: _omitted, ...response } = validAppTokenResponse();
    const app = confidentialApp(new FakeAuthority([jsonAnswer(200, response)]), cache);
    const first = token(await app.acquireTokenForClient(["s1"]));
    assert.equal(first.expires_in, 600);
    const [entry] = Object.values((JSON.parse(cache.serialize()) as { AccessToken: Record<string, { cached_at: string; expires_on: string }> }).AccessToken);
    assert.ok(entry);
    assert.equal(Number(entry.expires_on) - Number(entry.cached_at), 600);
  });

  test("token-response: a token_type that is not a string is cached and handed out as Bearer", async () => {
    const cache = new SerializableTokenCache();
    const app = confidentialApp(new FakeAuthority([jsonAnswer(200, { ...validAppTokenResponse(), token_type: [] })]), cache);
    assert.equal(token(await app.acquireTokenForClient(["s1"])).token_type, "Bearer");
    const hit = token(await app.acquireTokenForClient(["s1"]));
    assert.equal(hit.token_source, "cache");
    assert.equal(hit.token_type, "Bearer");
  });

  test("token-response: an error answer that also holds tokens gives an error result without them", async () => {
    const answer = jsonAnswer(400, { error: "invalid_grant", access_token: null, refresh_token: "rt-x", id_token: "x.y.z" });
    const result = await publicApp(new FakeAuthority([answer]), fixtureCache()).acquireTokenByRefreshToken("rt-given", ["s1"]);
    assert.ok("error" in result);
    assert.equal(result.error, "invalid_grant");
    for (const name of ["access_token", "refresh_token", "id_token"]) assert.ok(!(name in result), `${name} in the error result`);
  });

  test("cache: an access token or refresh token whose secret is empty is never handed out or redeemed", async () => {
    const state = fixtureCacheState() as Record<string, Record<string, Record<string, unknown>>>;
    for (const section of ["AccessToken", "RefreshToken"]) {
      for (const entry of Object.values(state[section] ?? {})) entry["secret"] = "";
    }
    const cache = new SerializableTokenCache();
    cache.deserialize(JSON.stringify(state));
    const authority = new FakeAuthority([jsonAnswer(200, validAppTokenResponse())]);
    const result = token(await confidentialApp(authority, cache).acquireTokenForClient(["other"]));
    assert.equal(result.access_token, ACCESS_TOKEN, "the empty cached token was handed out");
    assert.equal(authority.posts.length, 1);
    const silent = await publicApp(new FakeAuthority(), cache).acquireTokenSilentWithError(["s1"], FIXTURE_ACCOUNT, { forceRefresh: true });
    assert.equal(silent, null, "an empty refresh token was redeemed");
  });

  test("authority: a tenant with a malformed percent-escape (https://host/%) is cached as it stands, not a URIError", () => {
    const cache = new SerializableTokenCache();
    cache.add({ client_id: CLIENT_ID, scope: ["s1"], token_endpoint: `https://${HOST}/%/oauth2/v2.0/token`, response: validAppTokenResponse() });
    const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, { realm: string }> };
    assert.deepEqual(Object.values(state.AccessToken).map((e) => e.realm), ["%"]);
  });

  test("managed-identity: a Service Fabric error code of __proto__ maps to invalid_request, not Object.prototype", async () => {
    const body = { error: { correlationId: "c-1", code: "__proto__", message: "nope" } };
    const client = new ManagedIdentityClient(new SystemAssignedManagedIdentity(), {
      httpClient: answering(jsonAnswer(400, body)),
      environment: {
        IDENTITY_ENDPOINT: "http://127.0.0.1:9/msi/token",
        IDENTITY_HEADER: "header",
        IDENTITY_SERVER_THUMBPRINT: "0123456789ABCDEF0123456789ABCDEF01234567",
      },
    });
    const result = await client.acquireTokenForClient({ resource: "https://vault.azure.net" });
    assert.ok("error" in result);
    assert.equal(result.error, "invalid_request");
  });

  test("managed-identity: an IMDS error beside an empty access_token gives an error result without it", async () => {
    const client = new ManagedIdentityClient(new SystemAssignedManagedIdentity(), {
      httpClient: answering(jsonAnswer(400, { error: "invalid_resource", access_token: "" })),
      environment: { MSAL_MANAGED_IDENTITY_ENDPOINT: "http://127.0.0.1:9/metadata/identity/oauth2/token" },
    });
    const result = await client.acquireTokenForClient({ resource: "https://vault.azure.net" });
    assert.ok("error" in result);
    assert.ok(!("access_token" in result));
  });

  test("auth-code: a client_info whose uid a header cannot carry leaves out X-AnchorMailbox instead of breaking the request", async () => {
    const cache = fixtureCache();
    const app = publicApp(new FakeAuthority(), cache);
    const flow = await app.initiateAuthCodeFlow(["s1"], { state: "st-1" });
    const authority = new FakeAuthority([jsonAnswer(200, validUserTokenResponse(nowSeconds(), hashNonce(flow.nonce)))]);
    const clientInfo = b64url({ uid: "line\nbreak", utid: "t\u0000" });
    const result = await publicApp(authority, cache).acquireTokenByAuthCodeFlow(flow, { state: "st-1", code: "c", client_info: clientInfo });
    token(result);
    assert.equal(authority.invalidRequests, 0);
    assert.equal(authority.posts[0]?.headers["X-AnchorMailbox"], undefined);
  });

  describe("device-code", () => {
    const deviceAuthorization = {
      device_code: "dc-1",
      user_code: "CODE",
      verification_uri: "https://microsoft.com/devicelogin",
      expires_in: 900,
      interval: 5,
    };
    const context = (authority: FakeAuthority): AppContext =>
      new AppContext(CLIENT_ID, { authority: AUTHORITY, validateAuthority: false, instanceDiscovery: false, httpClient: authority.http }, false);

    test("an empty error member beside a complete device authorization does not make the flow read as an error", async () => {
      const ctx = context(new FakeAuthority([jsonAnswer(200, { ...deviceAuthorization, error: "" })]));
      const flow = await initiateDeviceFlow(ctx, ["s1"]);
      assert.ok(!("error" in flow));
      assert.equal(flow.user_code, "CODE");
    });

    test("a polling error that also holds access_token gives an error result without it", async () => {
      const authority = new FakeAuthority([jsonAnswer(400, { error: "authorization_declined", access_token: null })]);
      const flow = { ...deviceAuthorization, expires_at: nowSeconds() + 900, _correlation_id: "c" } as DeviceFlow;
      const result = await acquireTokenByDeviceFlow(context(authority), flow, {}, async () => {});
      assert.ok("error" in result);
      assert.equal(result.error, "authorization_declined");
      assert.ok(!("access_token" in result));
    });

    test("a flow whose correlation id a header cannot carry polls with a fresh one", async () => {
      const authority = new FakeAuthority([jsonAnswer(200, validUserTokenResponse(nowSeconds()))]);
      const flow = { ...deviceAuthorization, expires_at: nowSeconds() + 900, _correlation_id: "bad\u0000id" } as DeviceFlow;
      token(await acquireTokenByDeviceFlow(context(authority), flow, {}, async () => {}));
      assert.equal(authority.invalidRequests, 0);
      assert.match(authority.posts[0]?.headers["client-request-id"] ?? "", /^[0-9a-f-]{36}$/);
    });
  });
});
