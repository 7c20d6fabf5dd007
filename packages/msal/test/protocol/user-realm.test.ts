import assert from "node:assert/strict";
import { test } from "node:test";
import { discoverUserRealm } from "../../src/protocol/user-realm.js";
import { fakeHttpClient, json } from "../authority/fake-http-client.js";

const HOST = "localhost:8443";
const USER = "alice+test@fabrikam.example";
const URL_ = `https://${HOST}/common/userrealm/alice%2Btest%40fabrikam.example?api-version=1.0`;

const FEDERATED = {
  ver: "1.0",
  account_type: "Federated",
  domain_name: "fabrikam.example",
  federation_protocol: "WSTrust",
  federation_metadata_url: `https://${HOST}/federation/fabrikam.example/mex`,
  federation_active_auth_url: `https://${HOST}/federation/fabrikam.example/trust/13/usernamemixed`,
  cloud_instance_name: "microsoftonline.com",
  cloud_audience_urn: "urn:federation:MicrosoftOnline",
};
const MANAGED = { ver: "1.0", account_type: "Managed", domain_name: "contoso.com", cloud_instance_name: "microsoftonline.com", cloud_audience_urn: "urn:federation:MicrosoftOnline" };
const UNKNOWN = { ver: "1.0", account_type: "Unknown", cloud_instance_name: "microsoftonline.com", cloud_audience_urn: "urn:federation:MicrosoftOnline" };

for (const [name, realm] of [["Federated", FEDERATED], ["Managed", MANAGED], ["Unknown", UNKNOWN]] as const) {
  test(`discoverUserRealm returns a ${name} realm as sent`, async () => {
    const http = fakeHttpClient({ [URL_]: json(realm) });
    assert.deepEqual(await discoverUserRealm(http, HOST, USER), realm);
  });
}

test("discoverUserRealm asks host:port (the port kept), path-encoded, with Accept and a client-request-id", async () => {
  const http = fakeHttpClient({ [URL_]: json(MANAGED) });
  await discoverUserRealm(http, HOST, USER);
  const [request] = http.requests;
  assert.equal(request?.url, URL_);
  assert.equal(request?.init.method, "GET");
  assert.equal(request?.init.headers.accept, "application/json");
  assert.match(request?.init.headers["client-request-id"] ?? "", /^[0-9a-f-]{36}$/);
});

test("discoverUserRealm sends the caller's client-request-id and signal", async () => {
  const controller = new AbortController();
  const http = fakeHttpClient({ [URL_]: json(MANAGED) });
  await discoverUserRealm(http, HOST, USER, { headers: { "client-request-id": "corr-1" }, signal: controller.signal });
  assert.equal(http.requests[0]?.init.headers["client-request-id"], "corr-1");
  assert.equal(http.requests[0]?.init.signal, controller.signal);
});

test("discoverUserRealm: a 404 means the host has no user realm endpoint", async () => {
  const http = fakeHttpClient({});
  assert.equal(await discoverUserRealm(http, HOST, USER), undefined);
});

const failures: { name: string; answer: Response; error: Record<string, unknown> }[] = [
  { name: "HTTP 500", answer: new Response("oops", { status: 500 }), error: { name: "NetworkError", code: "ERR_HTTP_STATUS", status: 500 } },
  { name: "HTTP 400", answer: json({ error: "invalid_request" }, 400), error: { name: "NetworkError", code: "ERR_HTTP_STATUS", status: 400 } },
  { name: "a body that is not JSON", answer: new Response("<html/>", { status: 200 }), error: { name: "NetworkError", code: "ERR_INVALID_RESPONSE" } },
  { name: "JSON without account_type", answer: json({ ver: "1.0" }), error: { name: "NetworkError", code: "ERR_INVALID_RESPONSE" } },
];

for (const f of failures) {
  test(`discoverUserRealm: ${f.name} throws, without naming the user`, async () => {
    const http = fakeHttpClient({ [URL_]: f.answer });
    await assert.rejects(discoverUserRealm(http, HOST, USER), (e: Error) => {
      for (const [k, v] of Object.entries(f.error)) assert.equal((e as unknown as Record<string, unknown>)[k], v, k);
      assert.ok(!e.message.includes("alice"), e.message);
      return true;
    });
  });
}

test("discoverUserRealm: a transport failure is ERR_NETWORK", async () => {
  const http = async (): Promise<Response> => {
    throw new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND") });
  };
  await assert.rejects(discoverUserRealm(http, HOST, USER), { name: "NetworkError", code: "ERR_NETWORK" });
});

for (const host of ["https://login.microsoftonline.com", "login.microsoftonline.com/common", "", "a b"]) {
  test(`discoverUserRealm refuses the host ${JSON.stringify(host)}`, async () => {
    await assert.rejects(discoverUserRealm(fakeHttpClient({}), host, USER), { code: "ERR_INVALID_ARG_VALUE" });
  });
}

test("discoverUserRealm refuses an empty username", async () => {
  await assert.rejects(discoverUserRealm(fakeHttpClient({}), HOST, ""), { code: "ERR_INVALID_ARG_TYPE" });
});
