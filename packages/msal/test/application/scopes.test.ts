import assert from "node:assert/strict";
import { test } from "node:test";
import { RESERVED_SCOPES, assertExcludeScopes, assertScopes, decorateScopes } from "../../src/application/scopes.js";

test("RESERVED_SCOPES: openid, profile, offline_access", () => {
  assert.deepEqual([...RESERVED_SCOPES], ["openid", "profile", "offline_access"]);
});

const decorations: { name: string; scopes: string[]; exclude?: string[]; want: string[] }[] = [
  { name: "one scope", scopes: ["User.Read"], want: ["User.Read", "openid", "profile", "offline_access"] },
  { name: "no scopes (sign-in only)", scopes: [], want: ["openid", "profile", "offline_access"] },
  { name: "order kept, duplicates dropped", scopes: ["b", "a", "b"], want: ["b", "a", "openid", "profile", "offline_access"] },
  { name: "the client id as a scope (B2C)", scopes: ["my-client-id"], want: ["my-client-id", "openid", "profile", "offline_access"] },
  { name: "offline_access excluded", scopes: ["User.Read"], exclude: ["offline_access"], want: ["User.Read", "openid", "profile"] },
  { name: "profile and offline_access excluded", scopes: ["User.Read"], exclude: ["profile", "offline_access"], want: ["User.Read", "openid"] },
  { name: "a user scope excluded", scopes: ["User.Read", "Mail.Read"], exclude: ["Mail.Read"], want: ["User.Read", "openid", "profile", "offline_access"] },
  { name: "an exclusion that matches nothing", scopes: ["User.Read"], exclude: ["email"], want: ["User.Read", "openid", "profile", "offline_access"] },
  { name: "empty exclusions", scopes: ["User.Read"], exclude: [], want: ["User.Read", "openid", "profile", "offline_access"] },
  { name: "case-sensitive, as MSAL Python: OpenID is a user scope", scopes: ["OpenID"], want: ["OpenID", "openid", "profile", "offline_access"] },
];
for (const c of decorations) {
  test(`decorateScopes: ${c.name}`, () => {
    const input = [...c.scopes];
    assert.deepEqual(decorateScopes(input, c.exclude), c.want);
    assert.deepEqual(input, c.scopes, "the caller's array is not changed");
  });
}

for (const reserved of ["openid", "profile", "offline_access"]) {
  test(`decorateScopes: passing ${reserved} is refused, saying it is added automatically`, () => {
    assert.throws(() => decorateScopes(["User.Read", reserved]), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.equal((e as { code?: string }).code, "ERR_INVALID_ARG_VALUE");
      assert.match(e.message, new RegExp(`may not include ${reserved}`));
      assert.match(e.message, /adds openid, profile and offline_access/);
      return true;
    });
  });
}

test("decorateScopes: all reserved scopes named once in the message", () => {
  assert.throws(() => decorateScopes(["openid", "profile", "openid"]), { message: /may not include openid, profile:/ });
});

const badArgs: { name: string; run: () => unknown; code: string }[] = [
  { name: "scopes not an array", run: () => decorateScopes("User.Read" as unknown as string[]), code: "ERR_INVALID_ARG_TYPE" },
  { name: "a scope with a space", run: () => decorateScopes(["User.Read Mail.Read"]), code: "ERR_INVALID_ARG_VALUE" },
  { name: "an empty scope", run: () => decorateScopes([""]), code: "ERR_INVALID_ARG_VALUE" },
  { name: "excludeScopes not an array", run: () => decorateScopes(["a"], "offline_access" as unknown as string[]), code: "ERR_INVALID_ARG_TYPE" },
  { name: "excludeScopes with openid", run: () => decorateScopes(["a"], ["openid"]), code: "ERR_INVALID_ARG_VALUE" },
  { name: "excludeScopes with a non-string", run: () => decorateScopes(["a"], [5] as unknown as string[]), code: "ERR_INVALID_ARG_VALUE" },
];
for (const c of badArgs) {
  test(`decorateScopes refuses ${c.name}`, () => {
    assert.throws(c.run, { name: "TypeError", code: c.code });
  });
}

test("assertExcludeScopes: absent or a list without openid", () => {
  assert.doesNotThrow(() => assertExcludeScopes(undefined));
  assert.doesNotThrow(() => assertExcludeScopes(["offline_access"]));
  assert.throws(() => assertExcludeScopes(["openid"]), { code: "ERR_INVALID_ARG_VALUE", message: /openid/ });
  assert.throws(() => assertExcludeScopes(new Set(["x"])), { code: "ERR_INVALID_ARG_TYPE" });
});

test("assertScopes: a non-empty array of single scopes", () => {
  assert.doesNotThrow(() => assertScopes(["https://graph.microsoft.com/.default"]));
  assert.throws(() => assertScopes([]), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => assertScopes("scope"), { code: "ERR_INVALID_ARG_TYPE" });
  assert.throws(() => assertScopes(["a b"]), { code: "ERR_INVALID_ARG_VALUE" });
  assert.throws(() => assertScopes(["ok"].concat([" "])), { code: "ERR_INVALID_ARG_VALUE" });
});
