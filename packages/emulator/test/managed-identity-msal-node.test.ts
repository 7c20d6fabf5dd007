// The emulator's IMDS endpoint serves the real MSAL Node unchanged, pointed at it by the variable the
// emulator hands out (AZURE_POD_IDENTITY_AUTHORITY_HOST). msal-node reads process.env and keeps the
// source it detected for the life of the process, so this file tests one source and restores the
// environment afterwards.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ManagedIdentityApplication } from "@azure/msal-node";
import { decodeJwt } from "jose";
import { Agent } from "undici";
import { createEmulator } from "../src/index.js";
import type { Emulator, ManagedIdentityHost } from "../src/index.js";
import { msalNodeNetwork } from "./support/msal-node.js";

const USER_ASSIGNED = "7d0a5c2e-0000-4b00-9c00-0000000000d1";

let emu: Emulator;
let mi: ManagedIdentityHost;
let dispatcher: Agent;
const saved: Record<string, string | undefined> = {};

before(async () => {
  emu = await createEmulator({ managedIdentity: { identities: [{ clientId: USER_ASSIGNED }] } });
  assert.ok(emu.managedIdentity);
  mi = emu.managedIdentity;
  dispatcher = new Agent();
  for (const [name, value] of Object.entries(mi.environment("imds").env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});

after(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await dispatcher.close();
  await emu.close();
});

test("msal-node: system-assigned from IMDS, then from its cache", async () => {
  const app = new ManagedIdentityApplication({ system: { networkClient: msalNodeNetwork(dispatcher) } });
  assert.match(app.getManagedIdentitySource(), /Imds$/);
  const first = await app.acquireToken({ resource: "https://graph.microsoft.com" });
  assert.equal(decodeJwt(first.accessToken).appid, mi.systemAssigned.clientId);
  assert.ok(first.expiresOn && first.expiresOn.getTime() > Date.now() + 86000 * 1000);
  const second = await app.acquireToken({ resource: "https://graph.microsoft.com" });
  assert.equal(second.fromCache, true);
  assert.equal(mi.requestCount("imds"), 1);
});

test("msal-node: a user-assigned identity by client id", async () => {
  const app = new ManagedIdentityApplication({
    managedIdentityIdParams: { userAssignedClientId: USER_ASSIGNED },
    system: { networkClient: msalNodeNetwork(dispatcher) },
  });
  const result = await app.acquireToken({ resource: "api://orders" });
  assert.equal(decodeJwt(result.accessToken).appid, USER_ASSIGNED);
  assert.equal(mi.requests.at(-1)?.query.client_id, USER_ASSIGNED);
});
