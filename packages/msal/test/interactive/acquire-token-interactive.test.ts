// acquireTokenInteractive's checks of its arguments, which fail before any request or listener.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfidentialClientApplication, PublicClientApplication, type HttpClient } from "../../src/index.js";

/** An HTTP client that fails the test if the library sends anything. */
const noNetwork: HttpClient = () => assert.fail("no request is expected for a bad argument");

const app = new PublicClientApplication("d4e1c0de-0000-4a11-8c11-000000000003", {
  authority: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
  httpClient: noNetwork,
});

const neverOpen = (): never => assert.fail("no browser is opened for a bad argument");

describe("acquireTokenInteractive arguments", () => {
  test("scopes must be an array of single scopes without the reserved ones", async () => {
    await assert.rejects(app.acquireTokenInteractive("User.Read" as unknown as string[], { openBrowser: neverOpen }), {
      code: "ERR_INVALID_ARG_TYPE",
    });
    await assert.rejects(app.acquireTokenInteractive(["User.Read openid"], { openBrowser: neverOpen }), { code: "ERR_INVALID_ARG_VALUE" });
    await assert.rejects(app.acquireTokenInteractive(["openid"], { openBrowser: neverOpen }), { code: "ERR_INVALID_ARG_VALUE" });
  });

  test("extraScopesToConsent must be an array of scopes, without the reserved ones", async () => {
    await assert.rejects(
      app.acquireTokenInteractive(["User.Read"], { extraScopesToConsent: "api://orders/Orders.Read" as unknown as string[], openBrowser: neverOpen }),
      { code: "ERR_INVALID_ARG_TYPE" },
    );
    await assert.rejects(
      app.acquireTokenInteractive(["User.Read"], { extraScopesToConsent: ["offline_access"], openBrowser: neverOpen }),
      (e: Error & { code?: string }) => e.code === "ERR_INVALID_ARG_VALUE" && /offline_access/.test(e.message),
    );
  });

  test("options of the wrong type are refused", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["openBrowser", { openBrowser: "chromium" }, "ERR_INVALID_ARG_TYPE"],
      ["successTemplate", { successTemplate: 42 }, "ERR_INVALID_ARG_TYPE"],
      ["failureTemplate", { failureTemplate: {} }, "ERR_INVALID_ARG_TYPE"],
      ["timeout type", { timeout: "60" }, "ERR_INVALID_ARG_TYPE"],
      ["timeout zero", { timeout: 0 }, "ERR_INVALID_ARG_VALUE"],
      ["timeout negative", { timeout: -5 }, "ERR_INVALID_ARG_VALUE"],
      ["signal", { signal: "stop" }, "ERR_INVALID_ARG_TYPE"],
    ];
    for (const [name, options, code] of cases) {
      await assert.rejects(app.acquireTokenInteractive(["User.Read"], options as never), { code }, name);
    }
    await assert.rejects(app.acquireTokenInteractive(["User.Read"], null as never), { code: "ERR_INVALID_ARG_TYPE" });
  });

  test("an aborted signal stops the call before anything happens", async () => {
    const reason = new Error("cancelled by the user");
    await assert.rejects(
      app.acquireTokenInteractive(["User.Read"], { signal: AbortSignal.abort(reason), openBrowser: neverOpen }),
      (e) => e === reason,
    );
  });

  test("only public clients sign users in interactively", () => {
    const confidential = new ConfidentialClientApplication("d4e1c0de-0000-4a11-8c11-000000000002", {
      clientCredential: "secret",
      httpClient: noNetwork,
    });
    assert.equal("acquireTokenInteractive" in confidential, false);
    assert.equal(typeof app.acquireTokenInteractive, "function");
  });
});
