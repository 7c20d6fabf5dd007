import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fetch } from "undici";
import { SignInError, signInWithForm } from "../src/index.js";
import type { FetchLike } from "../src/index.js";
import { ADELE, MEGAN, WEB_CREDENTIALS, WEB_REDIRECT, authorizeUrl, pkce, tokenRequest, useUserFlowEmulator } from "./support/users.js";

const env = useUserFlowEmulator();

const viaUndici: FetchLike = (url, init) => fetch(url, { ...init, dispatcher: env.dispatcher }) as unknown as Promise<Response>;

describe("signInWithForm", () => {
  test("runs the auth code flow end to end over undici, with PKCE", async () => {
    const { verifier, challenge } = pkce();
    const result = await signInWithForm(authorizeUrl(env.emu, { code_challenge: challenge, code_challenge_method: "S256" }), {
      username: ADELE.username,
      password: ADELE.password,
      fetch: viaUndici,
    });
    assert.equal(result.responseMode, "query");
    assert.ok(result.url.startsWith(`${WEB_REDIRECT}?`));
    const r = await tokenRequest(env.emu, {
      grant_type: "authorization_code",
      ...WEB_CREDENTIALS,
      code: result.params.code ?? "",
      redirect_uri: WEB_REDIRECT,
      code_verifier: verifier,
      scope: "openid offline_access User.Read",
    });
    assert.equal(r.status, 200, r.text);
  });

  test("passes the second factor and returns form_post fields", async () => {
    const result = await signInWithForm(authorizeUrl(env.emu, { response_mode: "form_post" }), {
      username: MEGAN.username,
      password: MEGAN.password,
      ca: env.emu.caCertificate,
    });
    assert.equal(result.responseMode, "form_post");
    assert.equal(result.url, WEB_REDIRECT);
    assert.deepEqual(Object.keys(result.params), ["code", "state"]);
  });

  test("a shared cookie map keeps the session: the next sign-in needs no password", async () => {
    const cookies = new Map<string, string>();
    await env.emu.signIn(authorizeUrl(env.emu), { username: ADELE.username, password: ADELE.password, cookies });
    assert.ok(cookies.has("msalts_session"));
    const again = await env.emu.signIn(authorizeUrl(env.emu, { prompt: "select_account" }), { cookies });
    assert.ok(again.params.code);
    await assert.rejects(env.emu.signIn(authorizeUrl(env.emu, { prompt: "select_account" }), { cookies, account: "another" }), /username and password/);
  });

  test("returns error redirects as results; throws SignInError for refusals and error pages", async () => {
    const declined = await env.emu.signIn(authorizeUrl(env.emu, { prompt: "consent" }), { username: ADELE.username, password: ADELE.password, consent: false });
    assert.equal(declined.params.error, "access_denied");
    await assert.rejects(env.emu.signIn(authorizeUrl(env.emu), { username: ADELE.username, password: "wrong" }), (err: unknown) => {
      assert.ok(err instanceof SignInError);
      assert.match(err.message, /Your account or password is incorrect/);
      return true;
    });
    await assert.rejects(env.emu.signIn(authorizeUrl(env.emu), { username: MEGAN.username, password: MEGAN.password, mfaCode: "999999" }), /That code didn't work/);
    await assert.rejects(env.emu.signIn(authorizeUrl(env.emu, { client_id: "unknown-app" })), /AADSTS700016/);
    await assert.rejects(signInWithForm(authorizeUrl(env.emu)), /unable to verify|self.signed|certificate/i);
  });
});
