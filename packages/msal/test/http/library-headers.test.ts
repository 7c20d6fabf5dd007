import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { CLIENT_SKU, libraryHeaders, sharedLibraryHeaders } from "../../src/http/index.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("libraryHeaders", () => {
  it("names the library, its version, the OS and the capabilities", () => {
    assert.deepEqual(libraryHeaders(), {
      "x-client-sku": "msal-ts",
      "x-client-ver": version,
      "x-client-os": process.platform,
      "x-ms-lib-capability": "retry-after, h429",
    });
    assert.equal(CLIENT_SKU, "msal-ts");
  });

  it("adds the app's name and version only when configured", () => {
    const h = libraryHeaders({ appName: "contoso-cli", appVersion: "2.1.0" });
    assert.equal(h["x-app-name"], "contoso-cli");
    assert.equal(h["x-app-ver"], "2.1.0");
    const none = libraryHeaders({ appName: "", appVersion: undefined });
    assert.equal("x-app-name" in none, false);
    assert.equal("x-app-ver" in none, false);
  });

  it("returns a fresh object each time", () => {
    const a = libraryHeaders();
    a["x-client-sku"] = "changed";
    assert.equal(libraryHeaders()["x-client-sku"], "msal-ts");
  });
});

describe("sharedLibraryHeaders", () => {
  it("gives applications with the same name and version one frozen object, and others their own", () => {
    const a = sharedLibraryHeaders({ appName: "shared-app", appVersion: "1.0" });
    assert.equal(sharedLibraryHeaders({ appName: "shared-app", appVersion: "1.0" }), a);
    assert.ok(Object.isFrozen(a));
    assert.deepEqual(a, libraryHeaders({ appName: "shared-app", appVersion: "1.0" }));
    const b = sharedLibraryHeaders({ appName: "shared-app", appVersion: "2.0" });
    assert.notEqual(b, a);
    assert.equal(b["x-app-ver"], "2.0");
    assert.equal(sharedLibraryHeaders()["x-app-name"], undefined);
  });
});
