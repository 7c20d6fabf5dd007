// Each source's answers, normalized: lifetimes as strings or numbers, expires_in vs expires_on, and the
// error shapes mapped as MSAL Python maps them (client-behavior §6.3).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManagedIdentityError, NetworkError } from "../../src/index.js";
import { readSourceResponse, type SourceOutcome } from "../../src/managed-identity/responses.js";

const NOW = 1_700_000_000;
const WHERE = "http://127.0.0.1:1/token";

function token(outcome: SourceOutcome) {
  assert.ok(outcome.ok, `expected a token, got ${JSON.stringify(outcome)}`);
  return outcome.token;
}

function error(outcome: SourceOutcome) {
  assert.ok(!outcome.ok, "expected an error");
  return outcome.error;
}

describe("successes", () => {
  test("IMDS: every value a string, expires_in read", () => {
    const body = { access_token: "at", refresh_token: "", expires_in: "86399", expires_on: String(NOW + 10), not_before: String(NOW), resource: "r", token_type: "Bearer" };
    assert.deepEqual(token(readSourceResponse("imds", 200, JSON.stringify(body), NOW, WHERE)), {
      access_token: "at", expires_in: 86399, token_type: "Bearer", resource: "r",
    });
  });

  test("IMDS without expires_in falls back to expires_on", () => {
    const body = { access_token: "at", expires_on: String(NOW + 3600) };
    assert.equal(token(readSourceResponse("imds", 200, JSON.stringify(body), NOW, WHERE)).expires_in, 3600);
  });

  test("App Service: expires_on as a string, relative to now", () => {
    const body = { access_token: "at", expires_on: String(NOW + 5000), resource: "r", token_type: "Bearer", client_id: "c" };
    assert.deepEqual(token(readSourceResponse("app-service", 200, JSON.stringify(body), NOW, WHERE)), {
      access_token: "at", expires_in: 5000, token_type: "Bearer", resource: "r",
    });
  });

  test("App Service prefers expires_on over an expires_in it did not document", () => {
    const body = { access_token: "at", expires_on: String(NOW + 5000), expires_in: "9" };
    assert.equal(token(readSourceResponse("app-service", 200, JSON.stringify(body), NOW, WHERE)).expires_in, 5000);
  });

  test("Service Fabric: expires_on as a number", () => {
    const body = { token_type: "Bearer", access_token: "at", expires_on: NOW + 7000, resource: "r" };
    assert.equal(token(readSourceResponse("service-fabric", 200, JSON.stringify(body), NOW, WHERE)).expires_in, 7000);
  });

  test("Azure ML: expires_on", () => {
    const body = { access_token: "at", expires_on: String(NOW + 60) };
    assert.equal(token(readSourceResponse("azure-ml", 200, JSON.stringify(body), NOW, WHERE)).expires_in, 60);
  });

  test("a missing token_type is Bearer; a source's refresh_in is kept", () => {
    const t = token(readSourceResponse("cloud-shell", 200, JSON.stringify({ access_token: "at", expires_in: 100, refresh_in: "50" }), NOW, WHERE));
    assert.equal(t.token_type, "Bearer");
    assert.equal(t.refresh_in, 50);
    assert.equal("resource" in t, false);
  });

  test("a token without a readable lifetime is a ManagedIdentityError that does not quote the body", () => {
    for (const body of [{ access_token: "secret-token" }, { access_token: "secret-token", expires_in: "soon" }]) {
      assert.throws(
        () => readSourceResponse("imds", 200, JSON.stringify(body), NOW, WHERE),
        (e: unknown) => e instanceof ManagedIdentityError && /expires_in or expires_on/.test(e.message) && !e.message.includes("secret-token"),
      );
    }
  });
});

describe("errors", () => {
  test("IMDS: the OAuth error as sent", () => {
    const body = { error: "invalid_resource", error_description: "AADSTS500011: …" };
    assert.deepEqual(error(readSourceResponse("imds", 400, JSON.stringify(body), NOW, WHERE)), body);
  });

  test("IMDS: a JSON error without an OAuth error becomes invalid_request", () => {
    const e = error(readSourceResponse("imds", 404, JSON.stringify({ message: "updating" }), NOW, WHERE));
    assert.equal(e.error, "invalid_request");
    assert.equal(e.error_description, 'HTTP 404: {"message":"updating"}');
  });

  test("App Service: {statusCode, message} becomes invalid_scope", () => {
    const e = error(readSourceResponse("app-service", 500, JSON.stringify({ statusCode: 500, message: "An unexpected error" }), NOW, WHERE));
    assert.deepEqual(e, { error: "invalid_scope", error_description: "500, An unexpected error" });
  });

  test("Azure ML: invalid_scope with the payload", () => {
    const e = error(readSourceResponse("azure-ml", 401, JSON.stringify({ statusCode: 401, message: "no secret" }), NOW, WHERE));
    assert.equal(e.error, "invalid_scope");
    assert.match(e.error_description ?? "", /"message":"no secret"/);
  });

  const fabric: Array<[string, string]> = [
    ["SecretHeaderNotFound", "unauthorized_client"],
    ["ManagedIdentityNotFound", "invalid_client"],
    ["ArgumentNullOrEmpty", "invalid_scope"],
    ["InvalidApiVersion", "invalid_request"],
    ["InternalServerError", "invalid_request"],
  ];
  for (const [code, oauth] of fabric) {
    test(`Service Fabric: ${code} becomes ${oauth}, with the body and its correlation id`, () => {
      const text = JSON.stringify({ error: { correlationId: "7f1c", code, message: "m" } });
      assert.deepEqual(error(readSourceResponse("service-fabric", 400, text, NOW, WHERE)), {
        error: oauth, error_description: text, correlation_id: "7f1c",
      });
    });
  }

  test("Cloud Shell: {error: {code, message}} becomes invalid_request", () => {
    const text = JSON.stringify({ error: { code: "BadRequest", message: "m" } });
    assert.deepEqual(error(readSourceResponse("cloud-shell", 400, text, NOW, WHERE)), { error: "invalid_request", error_description: text });
  });

  test("Arc: an OAuth error as sent, anything else invalid_request with the body", () => {
    assert.equal(error(readSourceResponse("azure-arc", 401, JSON.stringify({ error: "invalid_client" }), NOW, WHERE)).error, "invalid_client");
    assert.deepEqual(error(readSourceResponse("azure-arc", 500, JSON.stringify({ oops: 1 }), NOW, WHERE)), {
      error: "invalid_request", error_description: 'HTTP 500: {"oops":1}',
    });
  });

  test("a JSON object without a token, even with 200, is an error result", () => {
    assert.equal(error(readSourceResponse("imds", 200, "{}", NOW, WHERE)).error, "invalid_request");
  });
});

describe("unreadable answers are thrown", () => {
  const cases: Array<[number, string, string]> = [
    [200, "<html>proxy login</html>", "ERR_INVALID_RESPONSE"],
    [200, "[]", "ERR_INVALID_RESPONSE"],
    [500, "Internal Server Error", "ERR_HTTP_STATUS"],
    [404, "", "ERR_HTTP_STATUS"],
  ];
  for (const [status, text, code] of cases) {
    test(`HTTP ${status} ${JSON.stringify(text)} → NetworkError ${code}`, () => {
      assert.throws(
        () => readSourceResponse("app-service", status, text, NOW, WHERE),
        (e: unknown) => e instanceof NetworkError && e.code === code && e.status === status && e.message.includes(WHERE),
      );
    });
  }

  test("a token with a failure status is thrown without quoting it", () => {
    assert.throws(
      () => readSourceResponse("imds", 500, JSON.stringify({ access_token: "secret-token", expires_in: 1 }), NOW, WHERE),
      (e: unknown) => e instanceof NetworkError && e.code === "ERR_HTTP_STATUS" && !e.message.includes("secret-token"),
    );
  });
});
