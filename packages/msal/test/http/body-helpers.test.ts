import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { NetworkError } from "../../src/errors.js";
import { formEncode, readJson } from "../../src/http/index.js";

describe("formEncode", () => {
  it("encodes in order with + for spaces, leaving out undefined and empty values", () => {
    assert.equal(
      formEncode({
        grant_type: "client_credentials",
        scope: "https://graph.microsoft.com/.default offline_access",
        client_secret: undefined,
        claims: "",
        client_info: "1",
      }),
      "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default+offline_access&client_info=1",
    );
  });

  it("escapes reserved characters", () => {
    assert.equal(formEncode({ a: "x&y=z+1%" }), "a=x%26y%3Dz%2B1%25");
    assert.equal(formEncode({}), "");
  });

  it("escapes what encodeURIComponent leaves alone, and writes a lone surrogate as U+FFFD", () => {
    assert.equal(formEncode({ "a b": "!'()~ *-._" }), "a+b=%21%27%28%29%7E+*-._");
    assert.equal(formEncode({ s: "x\uD800y\uDC00", pair: "\u{1F600}", "é": "ü" }), "s=x%EF%BF%BDy%EF%BF%BD&pair=%F0%9F%98%80&%C3%A9=%C3%BC");
  });

  it("writes exactly what URLSearchParams writes, for any names and values", () => {
    const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: fc.constantFrom(..."!'()~ *-._%&=+\uD800\uDFFF") }));
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 6 }), (pairs) => {
        const params: Record<string, string> = {};
        for (const [name, value] of pairs) params[name] = value;
        const expected = new URLSearchParams();
        for (const [name, value] of Object.entries(params)) if (value !== "") expected.append(name, value);
        assert.equal(formEncode(params), expected.toString());
      }),
      { numRuns: 2000 },
    );
  });
});

describe("readJson", () => {
  it("parses a JSON object", async () => {
    assert.deepEqual(await readJson(new Response('{"access_token":"t","expires_in":3600}')), {
      access_token: "t",
      expires_in: 3600,
    });
  });

  const bad: [string, string][] = [
    ["HTML", "<html>secret-token-abc</html>"],
    ["an empty body", ""],
    ["a JSON array", '["secret-token-abc"]'],
    ["a JSON string", '"secret-token-abc"'],
    ["JSON null", "null"],
  ];
  for (const [name, body] of bad) {
    it(`rejects ${name} with ERR_INVALID_RESPONSE, quoting status and type but never the body`, async () => {
      const response = new Response(body, { status: 502, headers: { "content-type": "text/html" } });
      await assert.rejects(
        readJson(response),
        (e: unknown) =>
          e instanceof NetworkError &&
          e.code === "ERR_INVALID_RESPONSE" &&
          e.status === 502 &&
          /HTTP 502/.test(e.message) &&
          /text\/html/.test(e.message) &&
          !e.message.includes("secret-token-abc"),
      );
    });
  }
});
