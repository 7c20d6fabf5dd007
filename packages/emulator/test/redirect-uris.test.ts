import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { redirectUriMatches } from "../src/sign-in/redirect-uris.js";

describe("redirect URI matching", () => {
  test("exact, or loopback with any port", () => {
    const cases: [string, string, boolean][] = [
      ["https://app.example/cb", "https://app.example/cb", true],
      ["https://app.example/cb", "https://app.example/cb/", false],
      ["https://app.example/cb", "https://app.example:8443/cb", false],
      ["https://app.example/cb", "HTTPS://APP.EXAMPLE/cb", false],
      ["http://localhost", "http://localhost:53123", true],
      ["http://localhost", "http://localhost:53123/", true],
      ["http://localhost", "http://127.0.0.1:53123", true],
      ["http://localhost", "http://[::1]:53123", true],
      ["http://localhost", "http://localhost:53123/cb", false],
      ["http://localhost/auth/redirect", "http://localhost:3000/auth/redirect", true],
      ["http://localhost/auth/redirect", "http://127.0.0.1:3000/auth/redirect", true],
      ["http://localhost/auth/redirect", "http://localhost:3000/auth/redirect?x=1", false],
      ["http://localhost/auth/redirect", "http://localhost:3000/auth/redirect#f", false],
      ["http://localhost/auth/redirect", "https://localhost:3000/auth/redirect", false],
      ["http://localhost/auth/redirect", "http://user:pw@localhost:3000/auth/redirect", false],
      ["http://127.0.0.1/cb", "http://localhost:9/cb", true],
      ["https://localhost/cb", "https://localhost:9/cb", false],
      ["http://localhost/cb", "http://localhost.evil.example:9/cb", false],
      ["http://localhost/cb", "not a url", false],
    ];
    for (const [registered, requested, expected] of cases) {
      assert.equal(redirectUriMatches(registered, requested), expected, `${registered} vs ${requested}`);
    }
  });
});
