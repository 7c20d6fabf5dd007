// msal-ts login and token through the browser sign-in: with --no-browser the command prints the
// sign-in URL; the test signs in there as a browser would and delivers the redirect to the
// command's loopback listener.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ADELE, assertOneLineError, commandEnv, json, run, start, startAuthority } from "./support.js";
import type { Running, TestAuthority } from "./support.js";

const SIGN_IN_URL = /open this URL in a browser on this machine:\n(https:\/\/\S+)\n/;

/** Signs in at the URL the command printed, then sends the browser to the redirect it was given. */
async function signInAt(t: TestAuthority, running: Running, options: { consent?: boolean } = {}): Promise<void> {
  const [, url = ""] = await running.waitFor(SIGN_IN_URL);
  const outcome = await t.emu.signIn(url, { ...ADELE, ...options });
  assert.match(outcome.url, /^http:\/\/(localhost|127\.0\.0\.1):\d+/);
  const redirect = await fetch(outcome.url);
  await redirect.body?.cancel();
}

describe("msal-ts sign-in through the browser", () => {
  let t: TestAuthority;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    t = await startAuthority();
    env = commandEnv({ MSAL_TS_CACHE: join(t.dir, "cache.json") });
  });
  after(() => t.emu.close());

  test("login --no-browser prints the URL, waits, and signs in with what the browser brings back", async () => {
    const login = start(["login", "--no-browser", "--timeout", "120", ...t.flags], env);
    await signInAt(t, login);
    const r = await login.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Signed in as ${ADELE.username}\n`);
    assert.match(r.stderr, /Waiting for you to sign in in the browser \(\d+:\d\d left\)/);
  });

  test("token with nothing cached for the scope signs in through the browser, then serves silently", async () => {
    const empty = commandEnv({ MSAL_TS_CACHE: join(t.dir, "token-cache.json") });
    const token = start(["token", "--scope", "User.Read", "--no-browser", "--json", ...t.flags], empty);
    await signInAt(t, token);
    const first = json<{ token_source: string; account: string }>(await token.done);
    assert.equal(first.token_source, "identity_provider");
    assert.equal(first.account, ADELE.username);
    const second = json<{ token_source: string }>(await run(["token", "--scope", "User.Read", "--json", ...t.flags], empty));
    assert.equal(second.token_source, "cache");
  });

  test("a sign-in the user cancels is the authority's error on one line, exit 1", async () => {
    const login = start(["login", "--no-browser", "--prompt", "consent", ...t.flags], commandEnv({ MSAL_TS_CACHE: join(t.dir, "cancelled.json") }));
    await signInAt(t, login, { consent: false });
    const r = await login.done;
    assert.equal(r.code, 1);
    assert.match(r.stderr.trimEnd().split("\n").at(-1) ?? "", /^msal-ts: error: access_denied: \S/);
  });

  test("--timeout ends the wait with one line, exit 1", async () => {
    const r = await run(["login", "--no-browser", "--timeout", "1", ...t.flags], commandEnv({ MSAL_TS_CACHE: join(t.dir, "timeout.json") }));
    assert.equal(r.code, 1);
    assert.match(r.stderr.trimEnd().split("\n").at(-1) ?? "", /^msal-ts: error: no sign-in came back within 1 seconds; allow more time with --timeout/);
  });

  test("several accounts: token asks which one", async () => {
    // Two accounts in one cache: Adele, and Alex (a federated user, whose sign-in page asks the same).
    const shared = commandEnv({ MSAL_TS_CACHE: join(t.dir, "two.json") });
    for (const user of [ADELE, { username: "alex@contoso.example", password: "alex-password~emulator" }]) {
      const login = start(["login", "--no-browser", "--prompt", "login", ...t.flags], shared);
      const [, url = ""] = await login.waitFor(SIGN_IN_URL);
      const outcome = await t.emu.signIn(url, user);
      await (await fetch(outcome.url)).body?.cancel();
      assert.equal((await login.done).code, 0);
    }
    assertOneLineError(await run(["token", "--scope", "User.Read", ...t.flags], shared), 2, /several accounts.*--account/);
    const picked = json<{ account: string; token_source: string }>(
      await run(["token", "--scope", "User.Read", "--account", ADELE.username.toUpperCase(), "--silent-only", "--json", ...t.flags], shared),
    );
    assert.equal(picked.account, ADELE.username);
  });
});
