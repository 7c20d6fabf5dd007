import assert from "node:assert/strict";
import { test } from "node:test";
import { MsalError } from "../../src/errors.js";
import {
  buildAuthorizationRequestUrl,
  createAuthCodeFlow,
  parseAuthCodeResponse,
} from "../../src/protocol/auth-code-flow.js";
import type { AuthCodeFlow, CreateAuthCodeFlowOptions } from "../../src/protocol/auth-code-flow.js";
import { pkceChallenge } from "../../src/protocol/pkce.js";
import { hashNonce } from "../../src/protocol/random.js";

const ENDPOINT = "https://login.example.com/contoso/oauth2/v2.0/authorize";
const CLIENT = "my-client-id";
const SCOPES = ["User.Read", "openid", "profile", "offline_access"];
const BASE: CreateAuthCodeFlowOptions = { authorizationEndpoint: ENDPOINT, clientId: CLIENT, scopes: SCOPES };

const query = (url: string): URLSearchParams => new URL(url).searchParams;

/** Asserts a thrown MsalError with ERR_STATE_MISMATCH. */
function assertStateMismatch(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MsalError, `an MsalError, got ${String(e)}`);
    assert.equal(e.code, "ERR_STATE_MISMATCH");
    return true;
  });
}

// ---- createAuthCodeFlow: the URL ----

test("createAuthCodeFlow: every parameter on the URL", () => {
  const flow = createAuthCodeFlow({
    ...BASE,
    redirectUri: "https://app.example/callback",
    state: "my-state",
    prompt: "select_account",
    loginHint: "user@contoso.com",
    domainHint: "contoso.com",
    claims: '{"access_token":{"xms_cc":{"values":["CP1"]}}}',
    maxAge: 300,
    responseMode: "form_post",
  });
  const q = query(flow.auth_uri);
  const want: [string, string][] = [
    ["client_id", CLIENT],
    ["response_type", "code"],
    ["redirect_uri", "https://app.example/callback"],
    ["scope", "User.Read offline_access openid profile"],
    ["state", "my-state"],
    ["code_challenge", pkceChallenge(flow.code_verifier)],
    ["code_challenge_method", "S256"],
    ["nonce", hashNonce(flow.nonce)],
    ["client_info", "1"],
    ["login_hint", "user@contoso.com"],
    ["X-AnchorMailbox", "UPN:user@contoso.com"],
    ["prompt", "select_account"],
    ["domain_hint", "contoso.com"],
    ["claims", '{"access_token":{"xms_cc":{"values":["CP1"]}}}'],
    ["max_age", "300"],
    ["response_mode", "form_post"],
  ];
  assert.deepEqual([...q.entries()], want);
  const u = new URL(flow.auth_uri);
  assert.equal(`${u.origin}${u.pathname}`, ENDPOINT);
});

test("createAuthCodeFlow: only the required parameters when nothing optional is given", () => {
  const flow = createAuthCodeFlow(BASE);
  assert.deepEqual(
    [...query(flow.auth_uri).keys()],
    ["client_id", "response_type", "scope", "state", "code_challenge", "code_challenge_method", "nonce", "client_info"],
  );
  assert.match(flow.state, /^[A-Za-z]{16}$/);
  assert.equal(query(flow.auth_uri).get("state"), flow.state);
});

test("createAuthCodeFlow: the URL carries the nonce's hash, never the nonce itself, nor the verifier", () => {
  const flow = createAuthCodeFlow(BASE);
  assert.match(query(flow.auth_uri).get("nonce") ?? "", /^[0-9a-f]{64}$/);
  assert.ok(!flow.auth_uri.includes(flow.nonce));
  assert.ok(!flow.auth_uri.includes(flow.code_verifier));
});

test("createAuthCodeFlow: scope sorted, duplicates dropped, openid added when missing", () => {
  const flow = createAuthCodeFlow({ ...BASE, scopes: ["https://graph.microsoft.com/Mail.Read", "Calendars.Read", "Calendars.Read"] });
  assert.equal(query(flow.auth_uri).get("scope"), "Calendars.Read https://graph.microsoft.com/Mail.Read openid");
  assert.deepEqual(flow.scope, ["https://graph.microsoft.com/Mail.Read", "Calendars.Read", "openid"]);
});

test("createAuthCodeFlow: a query already on the authorization endpoint is kept", () => {
  const endpoint = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?p=B2C_1_signin&dc=ESTS-PUB-WUS2";
  const flow = createAuthCodeFlow({ ...BASE, authorizationEndpoint: endpoint });
  const u = new URL(flow.auth_uri);
  assert.equal(u.pathname, "/contoso.onmicrosoft.com/oauth2/v2.0/authorize");
  assert.equal(u.searchParams.get("p"), "B2C_1_signin");
  assert.equal(u.searchParams.get("dc"), "ESTS-PUB-WUS2");
  assert.equal(u.searchParams.get("client_id"), CLIENT);
});

test("createAuthCodeFlow: extraQuery is appended", () => {
  const flow = createAuthCodeFlow({ ...BASE, extraQuery: { instance_aware: "true", sid: "abc" } });
  const q = query(flow.auth_uri);
  assert.equal(q.get("instance_aware"), "true");
  assert.equal(q.get("sid"), "abc");
});

for (const name of ["state", "nonce", "code_challenge", "client_id", "scope", "prompt", "X-AnchorMailbox"]) {
  test(`createAuthCodeFlow: extraQuery may not set ${name}`, () => {
    assert.throws(() => createAuthCodeFlow({ ...BASE, extraQuery: { [name]: "x" } }), { name: "TypeError", code: "ERR_INVALID_ARG_VALUE" });
  });
}

test("createAuthCodeFlow: every accepted prompt and response_mode", () => {
  for (const prompt of ["none", "login", "consent", "select_account", "create"] as const) {
    assert.equal(query(createAuthCodeFlow({ ...BASE, prompt }).auth_uri).get("prompt"), prompt);
  }
  for (const responseMode of ["query", "fragment", "form_post"] as const) {
    assert.equal(query(createAuthCodeFlow({ ...BASE, responseMode }).auth_uri).get("response_mode"), responseMode);
  }
});

const badOptions: { name: string; options: Record<string, unknown>; code: string }[] = [
  { name: "an unknown prompt", options: { prompt: "always" }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "two prompts at once", options: { prompt: "login consent" }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "an unknown response_mode", options: { responseMode: "web_message" }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "a negative max_age", options: { maxAge: -1 }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "a fractional max_age", options: { maxAge: 1.5 }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "a max_age string", options: { maxAge: "300" }, code: "ERR_INVALID_ARG_TYPE" },
  { name: "no scopes", options: { scopes: [] }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "scopes as a string", options: { scopes: "openid profile" }, code: "ERR_INVALID_ARG_TYPE" },
  { name: "a scope with a space", options: { scopes: ["openid profile"] }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "no client id", options: { clientId: "" }, code: "ERR_INVALID_ARG_TYPE" },
  { name: "a relative endpoint", options: { authorizationEndpoint: "/authorize" }, code: "ERR_INVALID_ARG_VALUE" },
  { name: "a non-string loginHint", options: { loginHint: 5 }, code: "ERR_INVALID_ARG_TYPE" },
];
for (const c of badOptions) {
  test(`createAuthCodeFlow refuses ${c.name}`, () => {
    assert.throws(() => createAuthCodeFlow({ ...BASE, ...c.options } as CreateAuthCodeFlowOptions), { name: "TypeError", code: c.code });
  });
}

// ---- createAuthCodeFlow: the flow object ----

test("createAuthCodeFlow: the flow holds what the redemption needs, and only given optionals", () => {
  const bare = createAuthCodeFlow(BASE);
  assert.deepEqual(Object.keys(bare).sort(), ["auth_uri", "code_verifier", "nonce", "scope", "state"]);
  assert.match(bare.code_verifier, /^[A-Za-z0-9\-._~]{43}$/);
  assert.match(bare.nonce, /^[A-Za-z]{16}$/);
  const full = createAuthCodeFlow({ ...BASE, redirectUri: "http://localhost:3000/cb", claims: "{}", maxAge: 0, responseMode: "query" });
  assert.equal(full.redirect_uri, "http://localhost:3000/cb");
  assert.equal(full.claims_challenge, "{}");
  assert.equal(full.max_age, 0);
  assert.equal(full.response_mode, "query");
  assert.equal(query(full.auth_uri).get("max_age"), "0");
});

test("createAuthCodeFlow: each flow gets its own state, verifier and nonce", () => {
  const a = createAuthCodeFlow(BASE);
  const b = createAuthCodeFlow(BASE);
  assert.notEqual(a.state, b.state);
  assert.notEqual(a.code_verifier, b.code_verifier);
  assert.notEqual(a.nonce, b.nonce);
});

test("createAuthCodeFlow: an empty state is replaced by a random one", () => {
  assert.match(createAuthCodeFlow({ ...BASE, state: "" }).state, /^[A-Za-z]{16}$/);
});

// ---- parseAuthCodeResponse ----

test("parseAuthCodeResponse: a flow survives a JSON round trip (a session store)", () => {
  const flow = createAuthCodeFlow({ ...BASE, redirectUri: "https://app.example/cb", maxAge: 60 });
  const stored = JSON.parse(JSON.stringify(flow)) as AuthCodeFlow;
  assert.deepEqual(stored, flow);
  const got = parseAuthCodeResponse(stored, { code: "the-code", state: flow.state, session_state: "s" });
  assert.deepEqual(got, { code: "the-code", scopes: flow.scope });
});

test("parseAuthCodeResponse: client_info passed on", () => {
  const flow = createAuthCodeFlow(BASE);
  const got = parseAuthCodeResponse(flow, { code: "c", state: flow.state, client_info: "eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ" });
  assert.deepEqual(got, { code: "c", client_info: "eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ", scopes: flow.scope });
});

test("parseAuthCodeResponse: URLSearchParams are accepted", () => {
  const flow = createAuthCodeFlow(BASE);
  const got = parseAuthCodeResponse(flow, new URLSearchParams({ code: "c", state: flow.state }));
  assert.deepEqual(got, { code: "c", scopes: flow.scope });
});

test("parseAuthCodeResponse: state different → ERR_STATE_MISMATCH", () => {
  const flow = createAuthCodeFlow(BASE);
  assertStateMismatch(() => parseAuthCodeResponse(flow, { code: "c", state: `${flow.state}x` }));
  assertStateMismatch(() => parseAuthCodeResponse(flow, { code: "c", state: flow.state.toLowerCase() === flow.state ? "ABC" : flow.state.toLowerCase() }));
  assertStateMismatch(() => parseAuthCodeResponse(createAuthCodeFlow(BASE), { code: "c", state: flow.state }));
});

test("parseAuthCodeResponse: state missing or empty in the response → ERR_STATE_MISMATCH", () => {
  const flow = createAuthCodeFlow(BASE);
  assertStateMismatch(() => parseAuthCodeResponse(flow, { code: "c" }));
  assertStateMismatch(() => parseAuthCodeResponse(flow, { code: "c", state: "" }));
  assertStateMismatch(() => parseAuthCodeResponse(flow, { code: "c", state: undefined }));
});

test("parseAuthCodeResponse: the state is checked before an error is returned", () => {
  const flow = createAuthCodeFlow(BASE);
  assertStateMismatch(() => parseAuthCodeResponse(flow, { error: "access_denied", state: "forged" }));
});

test("parseAuthCodeResponse: the state message does not quote either state", () => {
  const flow = createAuthCodeFlow({ ...BASE, state: "flow-state-value" });
  assert.throws(
    () => parseAuthCodeResponse(flow, { code: "c", state: "response-state-value" }),
    (e: Error) => !e.message.includes("flow-state-value") && !e.message.includes("response-state-value"),
  );
});

const good = createAuthCodeFlow(BASE);
const notFlows: { name: string; flow: unknown }[] = [
  { name: "an empty object (a lost session)", flow: {} },
  { name: "null", flow: null },
  { name: "undefined", flow: undefined },
  { name: "a string", flow: "flow" },
  { name: "an array", flow: [good] },
  { name: "no state", flow: { ...good, state: undefined } },
  { name: "an empty state", flow: { ...good, state: "" } },
  { name: "no code_verifier", flow: { ...good, code_verifier: undefined } },
  { name: "no nonce", flow: { ...good, nonce: undefined } },
  { name: "no scope", flow: { ...good, scope: undefined } },
  { name: "scope not an array", flow: { ...good, scope: "openid" } },
  { name: "a redirect_uri that is not a string", flow: { ...good, redirect_uri: 5 } },
  { name: "a max_age that is not a number", flow: { ...good, max_age: "60" } },
];
for (const c of notFlows) {
  test(`parseAuthCodeResponse: a flow with ${c.name} → ERR_STATE_MISMATCH`, () => {
    assertStateMismatch(() => parseAuthCodeResponse(c.flow as AuthCodeFlow, { code: "c", state: good.state }));
  });
}

test("parseAuthCodeResponse: an error comes back with error, error_description and error_uri only", () => {
  const flow = createAuthCodeFlow(BASE);
  const got = parseAuthCodeResponse(flow, {
    state: flow.state,
    error: "access_denied",
    error_description: "AADSTS65004: User declined to consent.",
    error_uri: "https://login.example.com/error?code=65004",
    correlation_id: "c",
    trace_id: "t",
    session_state: "s",
  });
  assert.deepEqual(got, {
    error: {
      error: "access_denied",
      error_description: "AADSTS65004: User declined to consent.",
      error_uri: "https://login.example.com/error?code=65004",
    },
  });
});

test("parseAuthCodeResponse: an error with no description is just the error", () => {
  const flow = createAuthCodeFlow(BASE);
  assert.deepEqual(parseAuthCodeResponse(flow, { state: flow.state, error: "login_required" }), { error: { error: "login_required" } });
});

test("parseAuthCodeResponse: a code wins over an error, as in MSAL Python", () => {
  const flow = createAuthCodeFlow(BASE);
  const got = parseAuthCodeResponse(flow, { state: flow.state, code: "c", error: "server_error" });
  assert.ok(!("error" in got));
});

test("parseAuthCodeResponse: neither code nor error → TypeError", () => {
  const flow = createAuthCodeFlow(BASE);
  for (const response of [{ state: flow.state }, { state: flow.state, code: "" }, { state: flow.state, error: "" }]) {
    assert.throws(() => parseAuthCodeResponse(flow, response), { name: "TypeError", code: "ERR_INVALID_ARG_VALUE", message: /neither code nor error/ });
  }
});

const repeated: { name: string; response: (state: string) => Record<string, unknown> | URLSearchParams }[] = [
  { name: "state", response: (s) => ({ state: [s, s], code: "c" }) },
  { name: "state (one element)", response: (s) => ({ state: [s], code: "c" }) },
  { name: "code", response: (s) => ({ state: s, code: ["c1", "c2"] }) },
  { name: "error", response: (s) => ({ state: s, error: ["access_denied", "server_error"] }) },
  { name: "client_info", response: (s) => ({ state: s, code: "c", client_info: ["a", "b"] }) },
  { name: "state in URLSearchParams", response: (s) => new URLSearchParams([["state", s], ["state", s], ["code", "c"]]) },
  { name: "code in URLSearchParams", response: (s) => new URLSearchParams([["state", s], ["code", "c1"], ["code", "c2"]]) },
];
for (const c of repeated) {
  test(`parseAuthCodeResponse: a repeated ${c.name} is refused`, () => {
    const flow = createAuthCodeFlow(BASE);
    assert.throws(() => parseAuthCodeResponse(flow, c.response(flow.state) as Record<string, unknown>), {
      name: "TypeError",
      code: "ERR_INVALID_ARG_VALUE",
      message: /more than once/,
    });
  });
}

test("parseAuthCodeResponse: a repeated field it does not read is ignored", () => {
  const flow = createAuthCodeFlow(BASE);
  assert.deepEqual(parseAuthCodeResponse(flow, { state: flow.state, code: "c", session_state: ["a", "b"] }), { code: "c", scopes: flow.scope });
});

test("parseAuthCodeResponse: a nested object (qs-style parsing) is refused", () => {
  const flow = createAuthCodeFlow(BASE);
  assert.throws(() => parseAuthCodeResponse(flow, { state: flow.state, code: { a: "b" } }), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
});

test("parseAuthCodeResponse: authResponse must be an object", () => {
  const flow = createAuthCodeFlow(BASE);
  for (const response of [null, "code=c", [["code", "c"]]]) {
    assert.throws(() => parseAuthCodeResponse(flow, response as unknown as Record<string, unknown>), { name: "TypeError", code: "ERR_INVALID_ARG_TYPE" });
  }
});

const scopeCases: { name: string; scopes: string[] | undefined; want: string[] | "refused" }[] = [
  { name: "absent: all of the flow's", scopes: undefined, want: SCOPES },
  { name: "empty: all of the flow's", scopes: [], want: SCOPES },
  { name: "a subset", scopes: ["User.Read"], want: ["User.Read"] },
  { name: "a decorated subset", scopes: ["User.Read", "openid", "offline_access"], want: ["User.Read", "openid", "offline_access"] },
  { name: "all of them", scopes: SCOPES, want: SCOPES },
  { name: "one not requested", scopes: ["User.Read", "Mail.Send"], want: "refused" },
  { name: "different case", scopes: ["user.read"], want: "refused" },
];
for (const c of scopeCases) {
  test(`parseAuthCodeResponse: scopes ${c.name}`, () => {
    const flow = createAuthCodeFlow(BASE);
    const run = () => parseAuthCodeResponse(flow, { code: "c", state: flow.state }, { scopes: c.scopes });
    if (c.want === "refused") {
      assert.throws(run, { name: "TypeError", code: "ERR_INVALID_ARG_VALUE", message: /subset/ });
    } else {
      assert.deepEqual(run(), { code: "c", scopes: c.want });
    }
  });
}

// ---- buildAuthorizationRequestUrl ----

test("buildAuthorizationRequestUrl: no PKCE, no client_info, no routing hint; the nonce as given", () => {
  const url = buildAuthorizationRequestUrl({
    ...BASE,
    redirectUri: "https://app.example/cb",
    state: "s1",
    nonce: "my-nonce",
    loginHint: "user@contoso.com",
    prompt: "login",
    domainHint: "organizations",
    claims: '{"id_token":{}}',
    responseMode: "form_post",
  });
  assert.deepEqual(
    [...query(url).entries()],
    [
      ["client_id", CLIENT],
      ["response_type", "code"],
      ["redirect_uri", "https://app.example/cb"],
      ["scope", "User.Read offline_access openid profile"],
      ["state", "s1"],
      ["nonce", "my-nonce"],
      ["login_hint", "user@contoso.com"],
      ["prompt", "login"],
      ["domain_hint", "organizations"],
      ["claims", '{"id_token":{}}'],
      ["response_mode", "form_post"],
    ],
  );
});

test("buildAuthorizationRequestUrl: nothing optional sent unless given; the endpoint's query kept", () => {
  const url = buildAuthorizationRequestUrl({ ...BASE, authorizationEndpoint: `${ENDPOINT}?p=policy` });
  assert.deepEqual([...query(url).keys()], ["p", "client_id", "response_type", "scope"]);
});

test("buildAuthorizationRequestUrl: another response_type on request; bad prompts refused", () => {
  assert.equal(query(buildAuthorizationRequestUrl({ ...BASE, responseType: "id_token" })).get("response_type"), "id_token");
  assert.throws(() => buildAuthorizationRequestUrl({ ...BASE, prompt: "always" as "login" }), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => buildAuthorizationRequestUrl({ ...BASE, extraQuery: { nonce: "n" } }), { code: "ERR_INVALID_ARG_VALUE" });
});
