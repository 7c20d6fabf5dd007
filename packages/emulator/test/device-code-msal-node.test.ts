// The emulator's device code flow against an unmodified @azure/msal-node: it finds /devicecode from the
// token endpoint, polls through authorization_pending, and gets the user's tokens once the code is
// approved on /devicelogin — or stops when the user declines.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PublicClientApplication } from "@azure/msal-node";
import { Agent } from "undici";
import { createEmulator } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { msalNodeNetwork } from "./support/msal-node.js";
import { ADELE, DESKTOP, TENANTS } from "./support/users.js";

let emu: Emulator;
let dispatcher: Agent;

before(async () => {
  emu = await createEmulator({ tenants: TENANTS, deviceCode: { interval: 1 } });
  dispatcher = new Agent({ connect: { ca: emu.caCertificate } });
});

after(async () => {
  await dispatcher?.close();
  await emu?.close();
});

function desktopApp(): PublicClientApplication {
  return new PublicClientApplication({
    auth: { clientId: DESKTOP.clientId, authority: emu.authority, knownAuthorities: [emu.host] },
    system: { networkClient: msalNodeNetwork(dispatcher) },
  });
}

describe("@azure/msal-node's device code flow against the emulator", () => {
  test("the user approves on /devicelogin while msal-node polls", async () => {
    let login: Promise<unknown> | undefined;
    let shown: { readonly verificationUri: string; readonly interval: number } | undefined;
    const result = await desktopApp().acquireTokenByDeviceCode({
      scopes: ["User.Read"],
      deviceCodeCallback: (response) => {
        shown = response;
        login = emu.completeDeviceLogin(response.userCode, { username: ADELE.username, password: ADELE.password });
      },
    });
    assert.equal(await login, "approved");
    assert.equal(shown?.verificationUri, emu.deviceLoginUrl);
    assert.equal(shown?.interval, 1);
    assert.equal(result?.account?.username, ADELE.username);
    assert.deepEqual(result?.scopes, ["User.Read", "openid", "profile"]);
    // msal-common's short grant type name.
    assert.equal(emu.tokenRequestCount({ grantType: "device_code", status: 200 }), 1);
  });

  test("a declined code ends msal-node's polling with authorization_declined", async () => {
    let login: Promise<unknown> | undefined;
    await assert.rejects(
      desktopApp().acquireTokenByDeviceCode({
        scopes: ["User.Read"],
        deviceCodeCallback: (response) => {
          login = emu.completeDeviceLogin(response.userCode, { username: ADELE.username, password: ADELE.password, decline: true });
        },
      }),
      (err: unknown) => {
        // msal-node reports any poll error but authorization_pending this way, with the server's error as message.
        const e = err as { errorCode?: string; errorMessage?: string };
        assert.equal(e.errorCode, "post_request_failed");
        assert.match(String(e.errorMessage), /authorization_declined/);
        return true;
      },
    );
    assert.equal(await login, "declined");
  });
});
