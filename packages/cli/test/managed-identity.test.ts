// msal-ts token --managed-identity against the emulator's managed identity endpoints: the source is
// found from the environment the process gets, and the second process is served from the cache.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assertOneLineError, commandEnv, json, run, startAuthority } from "./support.js";
import type { TestAuthority } from "./support.js";

const USER_ASSIGNED = "5a1e0000-0000-4c11-8c11-0000000000b1";

interface TokenJson {
  readonly access_token: string;
  readonly token_source: string;
  readonly account: string | null;
}

describe("msal-ts token --managed-identity", () => {
  let t: TestAuthority;

  before(async () => {
    t = await startAuthority({ managedIdentity: { identities: [{ clientId: USER_ASSIGNED }] } });
  });
  after(() => t.emu.close());

  function envFor(source: "imds" | "app-service", cache: string): NodeJS.ProcessEnv {
    const mi = t.emu.managedIdentity;
    assert.ok(mi, "the emulator serves managed identity endpoints");
    return commandEnv({ ...mi.environment(source).env, MSAL_TS_CACHE: join(t.dir, cache) });
  }

  test("a system-assigned identity on IMDS: from the endpoint, then from the cache in a second process", async () => {
    const env = envFor("imds", "mi-imds.json");
    const args = ["token", "--managed-identity", "--scope", "https://graph.microsoft.com/.default", "--json"];
    const first = json<TokenJson>(await run(args, env));
    assert.equal(first.token_source, "identity_provider");
    assert.equal(first.account, null);
    const requests = t.emu.managedIdentity?.requestCount("imds");
    const second = json<TokenJson>(await run(args, env));
    assert.equal(second.token_source, "cache");
    assert.equal(second.access_token, first.access_token);
    assert.equal(t.emu.managedIdentity?.requestCount("imds"), requests);
  });

  test("a user-assigned identity on App Service, by client id", async () => {
    const env = envFor("app-service", "mi-app-service.json");
    const out = json<TokenJson>(await run(["token", "--managed-identity", USER_ASSIGNED, "--scope", "https://graph.microsoft.com", "--json"], env));
    assert.equal(out.token_source, "identity_provider");
    const claims = JSON.parse(Buffer.from(out.access_token.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    assert.equal(claims.appid ?? claims.azp, USER_ASSIGNED);
  });

  test("an identity the host does not have: the source's error on one line, exit 1", async () => {
    const env = envFor("imds", "mi-unknown.json");
    assertOneLineError(await run(["token", "--managed-identity", "00000000-0000-0000-0000-0000000000ff", "--scope", "https://graph.microsoft.com"], env), 1);
  });
});
