import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEmulator, createTestCertificate } from "../src/index.js";
import type { EmulatorOptions } from "../src/index.js";

const TENANT = "4f3e2d1c-0b9a-4877-a665-544332211000";

async function rejects(options: unknown, message: RegExp): Promise<void> {
  await assert.rejects(createEmulator(options as EmulatorOptions), (err: unknown) => {
    assert.ok(err instanceof TypeError, String(err));
    assert.match(err.message, message);
    return true;
  });
}

describe("configuration errors are TypeErrors naming the option", () => {
  test("tenant id must be a GUID", () => rejects({ tenants: [{ id: "contoso" }] }, /tenants\[0\]\.id must be a GUID/));
  test("tenants must not be empty", () => rejects({ tenants: [] }, /tenants must be a non-empty array/));
  test("port range", () => rejects({ port: 70000 }, /port/));
  test("tokenLifetime must be a positive integer", () => rejects({ tokenLifetime: -5 }, /tokenLifetime/));
  test("app needs a clientId", () => rejects({ tenants: [{ id: TENANT, apps: [{ secrets: ["x"] }] }] }, /apps\[0\]\.clientId/));
  test("API appId must be a GUID", () =>
    rejects({ tenants: [{ id: TENANT, apis: [{ identifier: "api://x", appId: "nope" }] }] }, /apis\[0\]\.appId must be a GUID/));
  test("a grant on an unknown API", () =>
    rejects({ tenants: [{ id: TENANT, apps: [{ clientId: "a", appRoles: { "api://nope": ["R"] } }] }] }, /not an API/));
  test("a grant of a role the API does not define", () =>
    rejects(
      { tenants: [{ id: TENANT, apis: [{ identifier: "api://x", roles: ["Read"] }], apps: [{ clientId: "a", appRoles: { "api://x": ["Write"] } }] }] },
      /does not define/,
    ));
  test("a certificate that is not PEM", () =>
    rejects({ tenants: [{ id: TENANT, apps: [{ clientId: "a", certificates: ["nope"] }] }] }, /certificates\[0\] is not a PEM certificate/));
  test("a domain used twice", () =>
    rejects(
      { tenants: [{ id: TENANT, domains: ["a.example"] }, { id: "5f3e2d1c-0b9a-4877-a665-544332211000", domains: ["A.example"] }] },
      /used twice/,
    ));
  test("a client id registered twice in a tenant", () =>
    rejects({ tenants: [{ id: TENANT, apps: [{ clientId: "a" }, { clientId: "A" }] }] }, /registered twice/));
});

describe("valid configuration", () => {
  test("grants on Graph by URL or app id, with certificates", async () => {
    const cert = createTestCertificate();
    const emu = await createEmulator({
      tenants: [
        {
          id: TENANT,
          apps: [
            {
              clientId: "a",
              certificates: [cert.certificate],
              appRoles: { "00000003-0000-0000-c000-000000000000": ["User.Read.All"], "https://graph.microsoft.com/": ["Mail.Read"] },
            },
          ],
        },
      ],
    });
    await emu.close();
    await emu.close();
  });
});
