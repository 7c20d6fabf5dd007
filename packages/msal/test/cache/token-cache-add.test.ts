import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { describe, it } from "node:test";
import { CredentialType, SerializableTokenCache } from "../../src/cache/index.js";
import type { TokenCacheEvent } from "../../src/cache/index.js";
import { isMsalError } from "../../src/errors.js";
import { AAD_TOKEN_ENDPOINT, aadEvent, buildIdToken, buildResponse } from "./fixtures.js";

const NOW = 1000;

function stateAfter(...events: TokenCacheEvent[]): Record<string, Record<string, Record<string, unknown>>> {
  const cache = new SerializableTokenCache();
  for (const e of events) cache.add(e, NOW);
  return JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, unknown>>>;
}

/** The single entry of a section (the tests below write one per section). */
function only(state: Record<string, Record<string, Record<string, unknown>>>, section: string): [string, Record<string, unknown>] {
  const entries = Object.entries(state[section] ?? {});
  assert.equal(entries.length, 1, `${section} should hold exactly one entry`);
  return entries[0] as [string, Record<string, unknown>];
}

describe("TokenCache.add: what MSAL Python writes", () => {
  it("an Entra ID user response: AT, Account, IdToken, RT and AppMetadata under Python's keys", () => {
    const idToken = buildIdToken({ oid: "object1234", preferred_username: "John Doe" });
    const state = stateAfter(
      aadEvent(
        buildResponse({ uid: "uid", utid: "utid", access_token: "an access token", id_token: idToken, refresh_token: "a refresh token" }),
      ),
    );
    assert.deepEqual(state, {
      AccessToken: {
        "uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3": {
          credential_type: "AccessToken",
          secret: "an access token",
          home_account_id: "uid.utid",
          environment: "login.example.com",
          client_id: "my_client_id",
          target: "s1 s2 s3",
          realm: "contoso",
          token_type: "some type",
          cached_at: "1000",
          expires_on: "4600",
          extended_expires_on: "4600",
        },
      },
      Account: {
        "uid.utid-login.example.com-contoso": {
          home_account_id: "uid.utid",
          environment: "login.example.com",
          realm: "contoso",
          local_account_id: "object1234",
          username: "John Doe",
          authority_type: "MSSTS",
        },
      },
      IdToken: {
        "uid.utid-login.example.com-idtoken-my_client_id-contoso-": {
          credential_type: "IdToken",
          secret: idToken,
          home_account_id: "uid.utid",
          environment: "login.example.com",
          realm: "contoso",
          client_id: "my_client_id",
        },
      },
      RefreshToken: {
        "uid.utid-login.example.com-refreshtoken-my_client_id--s1 s2 s3": {
          credential_type: "RefreshToken",
          secret: "a refresh token",
          home_account_id: "uid.utid",
          environment: "login.example.com",
          client_id: "my_client_id",
          target: "s1 s2 s3",
          last_modification_time: "1000",
        },
      },
      AppMetadata: {
        "appmetadata-login.example.com-my_client_id": { client_id: "my_client_id", environment: "login.example.com" },
      },
    });
  });

  it("an ADFS response: no client_info, so home_account_id is the sub; realm adfs; authority_type ADFS", () => {
    const idToken = buildIdToken({ upn: "JaneDoe@example.com" });
    const state = stateAfter(
      aadEvent(buildResponse({ access_token: "an access token", id_token: idToken, refresh_token: "a refresh token" }), {
        token_endpoint: "https://fs.msidlab8.com/adfs/oauth2/token",
      }),
    );
    assert.deepEqual(state, {
      AccessToken: {
        "subject-fs.msidlab8.com-accesstoken-my_client_id-adfs-s1 s2 s3": {
          credential_type: "AccessToken",
          secret: "an access token",
          home_account_id: "subject",
          environment: "fs.msidlab8.com",
          client_id: "my_client_id",
          target: "s1 s2 s3",
          realm: "adfs",
          token_type: "some type",
          cached_at: "1000",
          expires_on: "4600",
          extended_expires_on: "4600",
        },
      },
      Account: {
        "subject-fs.msidlab8.com-adfs": {
          home_account_id: "subject",
          environment: "fs.msidlab8.com",
          realm: "adfs",
          local_account_id: "subject",
          username: "JaneDoe@example.com",
          authority_type: "ADFS",
        },
      },
      IdToken: {
        "subject-fs.msidlab8.com-idtoken-my_client_id-adfs-": {
          credential_type: "IdToken",
          secret: idToken,
          home_account_id: "subject",
          environment: "fs.msidlab8.com",
          realm: "adfs",
          client_id: "my_client_id",
        },
      },
      RefreshToken: {
        "subject-fs.msidlab8.com-refreshtoken-my_client_id--s1 s2 s3": {
          credential_type: "RefreshToken",
          secret: "a refresh token",
          home_account_id: "subject",
          environment: "fs.msidlab8.com",
          client_id: "my_client_id",
          target: "s1 s2 s3",
          last_modification_time: "1000",
        },
      },
      AppMetadata: {
        "appmetadata-fs.msidlab8.com-my_client_id": { client_id: "my_client_id", environment: "fs.msidlab8.com" },
      },
    });
  });

  it("a client credentials response: an app-only AT (home_account_id null, key starting with '-') and AppMetadata only", () => {
    const state = stateAfter(
      aadEvent(buildResponse({ access_token: "app token", token_type: "Bearer" }), {
        scope: ["https://graph.microsoft.com/.default"],
        grant_type: "client_credentials",
        environment: "login.microsoftonline.com",
        token_endpoint: "https://login.microsoftonline.com/tenant-guid/oauth2/v2.0/token",
      }),
    );
    assert.deepEqual(state, {
      AccessToken: {
        "-login.microsoftonline.com-accesstoken-my_client_id-tenant-guid-https://graph.microsoft.com/.default": {
          credential_type: "AccessToken",
          secret: "app token",
          home_account_id: null,
          environment: "login.microsoftonline.com",
          client_id: "my_client_id",
          target: "https://graph.microsoft.com/.default",
          realm: "tenant-guid",
          token_type: "Bearer",
          cached_at: "1000",
          expires_on: "4600",
          extended_expires_on: "4600",
        },
      },
      AppMetadata: {
        "appmetadata-login.microsoftonline.com-my_client_id": { client_id: "my_client_id", environment: "login.microsoftonline.com" },
      },
    });
  });

  const lifetimes: Array<{ name: string; response: Record<string, unknown>; expect: Record<string, string> }> = [
    { name: "expires_in number", response: { expires_in: 3600 }, expect: { expires_on: "4600", extended_expires_on: "4600" } },
    { name: "expires_in as a string (AAD v1)", response: { expires_in: "3600" }, expect: { expires_on: "4600", extended_expires_on: "4600" } },
    { name: "ext_expires_in as a string", response: { expires_in: 3600, ext_expires_in: "7200" }, expect: { expires_on: "4600", extended_expires_on: "8200" } },
    { name: "only expires_on (managed identity)", response: { expires_on: "5000" }, expect: { expires_on: "5000", extended_expires_on: "5000" } },
    { name: "expires_on as a number", response: { expires_on: 4000 }, expect: { expires_on: "4000", extended_expires_on: "4000" } },
    { name: "expires_in wins over expires_on", response: { expires_in: 100, expires_on: 9999 }, expect: { expires_on: "1100", extended_expires_on: "1100" } },
    { name: "neither: 600 seconds", response: {}, expect: { expires_on: "1600", extended_expires_on: "1600" } },
    { name: "refresh_in becomes refresh_on", response: { expires_in: 3600, refresh_in: 1800 }, expect: { expires_on: "4600", refresh_on: "2800" } },
    { name: "refresh_in as a string", response: { expires_in: 3600, refresh_in: "1800" }, expect: { refresh_on: "2800" } },
  ];
  for (const { name, response, expect } of lifetimes) {
    it(`lifetimes: ${name}`, () => {
      const state = stateAfter(aadEvent({ access_token: "at", ...response }));
      const [, at] = only(state, "AccessToken");
      assert.equal(at["cached_at"], "1000");
      for (const [field, value] of Object.entries(expect)) assert.equal(at[field], value, field);
      if (!("refresh_in" in response)) assert.equal("refresh_on" in at, false);
    });
  }

  it("token_type defaults to Bearer", () => {
    const [, at] = only(stateAfter(aadEvent({ access_token: "at", expires_in: 60 })), "AccessToken");
    assert.equal(at["token_type"], "Bearer");
  });

  it("copies key_id from the request data, and nothing else from it", () => {
    const state = stateAfter(
      aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "cert", token_type: "ssh-cert" }), {
        data: { key_id: "key1", req_cnf: "{}", token_type: "ssh-cert", password: "p@ss" },
      }),
    );
    const [key, at] = only(state, "AccessToken");
    assert.equal(at["key_id"], "key1");
    // MSAL Python's key leaves key_id (and the type) out; msal-ts keys an SSH certificate apart from the
    // bearer token for the same scopes, and per key, as MSAL JS keys it by scheme.
    assert.equal(key, "uid.utid-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3--ssh-cert-key1");
    assert.equal(JSON.stringify(state).includes("p@ss"), false);
  });

  it("a token bound to a new key_id replaces the previous one for the same scopes", () => {
    const response = buildResponse({ uid: "uid", utid: "utid", access_token: "cert2" });
    const state = stateAfter(
      aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "cert1" }), { data: { key_id: "1" } }),
      aadEvent(response, { data: { key_id: "2" } }),
    );
    const [, at] = only(state, "AccessToken");
    assert.equal(at["key_id"], "2");
    assert.equal(at["secret"], "cert2");
  });

  it("foci marks the refresh token and the AppMetadata with family_id", () => {
    const state = stateAfter(aadEvent(buildResponse({ uid: "uid", utid: "utid", access_token: "at", refresh_token: "frt", foci: "1" })));
    assert.equal(only(state, "RefreshToken")[1]["family_id"], "1");
    assert.deepEqual(only(state, "AppMetadata")[1], { client_id: "my_client_id", environment: "login.example.com", family_id: "1" });
  });

  const sources: Array<[string | undefined, string | undefined]> = [
    ["authorization_code", "authorization_code"],
    ["password", "password"],
    ["urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:device_code"],
    ["broker", "broker"],
    ["refresh_token", undefined],
    ["urn:ietf:params:oauth:grant-type:jwt-bearer", undefined],
    ["client_credentials", undefined],
    [undefined, undefined],
  ];
  for (const [grant, source] of sources) {
    it(`account_source for grant ${grant ?? "(none)"}: ${source ?? "absent"}`, () => {
      const event = aadEvent(buildResponse({ uid: "uid", utid: "utid", id_token: buildIdToken() }), grant === undefined ? {} : { grant_type: grant });
      const [, account] = only(stateAfter(event), "Account");
      assert.equal(account["account_source"], source);
      assert.equal("account_source" in account, source !== undefined);
    });
  }

  const usernames: Array<{ name: string; claims: Record<string, unknown>; extra: Partial<TokenCacheEvent>; expect: string }> = [
    { name: "preferred_username", claims: { preferred_username: "pu", upn: "upn" }, extra: { data: { username: "ropc" } }, expect: "pu" },
    { name: "upn (ADFS 2019)", claims: { upn: "upn" }, extra: { data: { username: "ropc" } }, expect: "upn" },
    { name: "the ROPC username", claims: {}, extra: { data: { username: "ropc" }, username: "fed" }, expect: "ropc" },
    { name: "the federated ROPC username", claims: {}, extra: { username: "fed" }, expect: "fed" },
    { name: "an empty string, never null", claims: {}, extra: {}, expect: "" },
  ];
  for (const { name, claims, extra, expect } of usernames) {
    it(`username falls back to ${name}`, () => {
      const [, account] = only(stateAfter(aadEvent(buildResponse({ uid: "u", utid: "t", id_token: buildIdToken(claims) }), extra)), "Account");
      assert.equal(account["username"], expect);
    });
  }

  it("local_account_id: the broker's _account_id, else oid, else sub", () => {
    const withOid = buildResponse({ uid: "u", utid: "t", id_token: buildIdToken({ oid: "the-oid" }) });
    assert.equal(only(stateAfter(aadEvent(withOid, { _account_id: "broker-id" })), "Account")[1]["local_account_id"], "broker-id");
    assert.equal(only(stateAfter(aadEvent(withOid)), "Account")[1]["local_account_id"], "the-oid");
    const noOid = buildResponse({ uid: "u", utid: "t", id_token: buildIdToken() });
    assert.equal(only(stateAfter(aadEvent(noOid)), "Account")[1]["local_account_id"], "subject");
    const noIdToken = buildResponse({ uid: "u", utid: "t", access_token: "at" });
    assert.equal(only(stateAfter(aadEvent(noIdToken)), "Account")[1]["local_account_id"], null);
  });

  it("prefers id_token_claims supplied by a broker over decoding the id_token", () => {
    const response = buildResponse({
      uid: "u",
      utid: "t",
      access_token: "at",
      id_token: buildIdToken({ preferred_username: "from-jwt" }),
      id_token_claims: { sub: "s", oid: "broker-oid", preferred_username: "from-broker" },
    });
    const [, account] = only(stateAfter(aadEvent(response, { grant_type: "broker" })), "Account");
    assert.equal(account["username"], "from-broker");
    assert.equal(account["local_account_id"], "broker-oid");
    assert.equal(account["account_source"], "broker");
  });

  it("a client_info without uid/utid falls back to the ID token's sub", () => {
    const response = { client_info: Buffer.from("{}").toString("base64url"), id_token: buildIdToken({ sub: "the-sub" }) };
    const [key, account] = only(stateAfter(aadEvent(response)), "Account");
    assert.equal(account["home_account_id"], "the-sub");
    assert.equal(key, "the-sub-login.example.com-contoso");
  });

  it("skip_account_creation (silent refresh) writes no Account", () => {
    const state = stateAfter(aadEvent(buildResponse({ uid: "u", utid: "t", access_token: "at", id_token: buildIdToken() }), { skip_account_creation: true }));
    assert.equal(state["Account"], undefined);
    assert.ok(state["IdToken"]);
  });

  it("authority_type given by the caller wins (Cloud Shell)", () => {
    const state = stateAfter(aadEvent(buildResponse({ uid: "u", utid: "t", id_token: buildIdToken() }), { authority_type: "CLOUDSHELL" }));
    assert.equal(only(state, "Account")[1]["authority_type"], "CLOUDSHELL");
  });

  it("environment: the injected one wins; else the token endpoint's host, lowercased, while realm keeps its case", () => {
    const injected = stateAfter(aadEvent({ access_token: "at" }, { environment: "login.microsoftonline.com" }));
    assert.equal(only(injected, "AccessToken")[1]["environment"], "login.microsoftonline.com");
    const derived = stateAfter(aadEvent({ access_token: "at" }, { token_endpoint: "https://Login.Example.COM:8443/Contoso/oauth2/v2.0/token" }));
    const [key, at] = only(derived, "AccessToken");
    assert.equal(at["environment"], "login.example.com");
    assert.equal(at["realm"], "Contoso");
    assert.equal(key, "-login.example.com-accesstoken-my_client_id-contoso-s1 s2 s3");
  });

  it("a path-less CIAM token endpoint yields the {subdomain}.onmicrosoft.com realm", () => {
    const state = stateAfter(aadEvent({ access_token: "at" }, { token_endpoint: "https://contoso.ciamlogin.com" }));
    assert.equal(only(state, "AccessToken")[1]["realm"], "contoso.onmicrosoft.com");
  });

  it("target: the response's scope (sorted) wins over the requested scopes", () => {
    const state = stateAfter(aadEvent({ access_token: "at", refresh_token: "rt", scope: "User.Read  openid profile" }, { scope: ["User.Read"] }));
    assert.equal(only(state, "AccessToken")[1]["target"], "User.Read openid profile");
    assert.equal(only(state, "RefreshToken")[1]["target"], "User.Read openid profile");
  });

  it("writing the same key again replaces the whole entry", () => {
    const state = stateAfter(aadEvent({ access_token: "old", expires_in: 10 }), aadEvent({ access_token: "new", expires_in: 20 }));
    const [, at] = only(state, "AccessToken");
    assert.equal(at["secret"], "new");
    assert.equal(at["expires_on"], "1020");
  });

  const malformed: Array<{ name: string; event: () => TokenCacheEvent; code: string }> = [
    { name: "expires_in not an integer", event: () => aadEvent({ access_token: "at", expires_in: "soon" }), code: "ERR_INVALID_RESPONSE" },
    { name: "expires_in null", event: () => aadEvent({ access_token: "at", expires_in: null as unknown as number }), code: "ERR_INVALID_RESPONSE" },
    { name: "refresh_in not an integer", event: () => aadEvent({ access_token: "at", refresh_in: "x" }), code: "ERR_INVALID_RESPONSE" },
    { name: "client_info not JSON", event: () => aadEvent({ access_token: "at", client_info: "bm90IGpzb24" }), code: "ERR_INVALID_RESPONSE" },
    { name: "id_token not a JWT", event: () => aadEvent({ id_token: "not-a-jwt" }), code: "ERR_INVALID_RESPONSE" },
    { name: "token_endpoint not a URL", event: () => aadEvent({ access_token: "at" }, { token_endpoint: "nowhere" }), code: "ERR_INVALID_ARG_VALUE" },
    { name: "token_endpoint without tenant", event: () => aadEvent({ access_token: "at" }, { token_endpoint: "https://login.example.com/" }), code: "ERR_INVALID_ARG_VALUE" },
    { name: "response missing", event: () => ({ client_id: "c", scope: [], token_endpoint: AAD_TOKEN_ENDPOINT }) as unknown as TokenCacheEvent, code: "ERR_INVALID_ARG_TYPE" },
    { name: "scope not an array", event: () => aadEvent({ access_token: "at" }, { scope: "s1" as unknown as string[] }), code: "ERR_INVALID_ARG_TYPE" },
  ];
  for (const { name, event, code } of malformed) {
    it(`rejects ${name} and writes nothing`, () => {
      const cache = new SerializableTokenCache();
      cache.add(aadEvent(buildResponse({ uid: "u", utid: "t", access_token: "kept" })), NOW);
      const before = cache.serialize();
      assert.throws(
        () => cache.add(event(), NOW),
        (e: unknown) => (e as { code?: unknown }).code === code && (code.startsWith("ERR_INVALID_ARG") ? e instanceof TypeError : isMsalError(e)),
      );
      assert.equal(cache.serialize(), before);
      assert.equal(cache.hasStateChanged, false);
    });
  }
});

describe("TokenCache.add: writing an entry again", () => {
  const clientEvent = (secret: string): TokenCacheEvent => ({
    client_id: "my_client_id",
    scope: ["s1"],
    token_endpoint: AAD_TOKEN_ENDPOINT,
    grant_type: "client_credentials",
    response: { access_token: secret, token_type: "Bearer", expires_in: 3600 },
  });
  const query = { home_account_id: null, environment: "login.example.com", client_id: "my_client_id", realm: "contoso", scopes: ["s1"] };

  it("keeps the stored entry when nothing in it changed, and replaces it when anything did", () => {
    const cache = new SerializableTokenCache();
    cache.add(clientEvent("t1"), NOW);
    const first = cache.findAccessToken(query, NOW);
    assert.equal(first?.secret, "t1");
    const before = cache.serialize();
    cache.add(clientEvent("t1"), NOW);
    assert.equal(cache.findAccessToken(query, NOW), first, "the same object: nothing changed");
    assert.equal(cache.hasStateChanged, true, "add() reports a change, as MSAL Python's does");
    assert.equal(cache.serialize(), before);
    cache.add(clientEvent("t1"), NOW + 1);
    const later = cache.findAccessToken(query, NOW + 1);
    assert.notEqual(later, first);
    assert.equal(later?.cached_at, String(NOW + 1));
    cache.add(clientEvent("t2"), NOW + 1);
    assert.equal(cache.findAccessToken(query, NOW + 1)?.secret, "t2");
    assert.equal(cache.count().AccessToken, 1);
  });

  it("drops a field the new entry no longer has, within the same second", () => {
    const cache = new SerializableTokenCache();
    const event = clientEvent("t1");
    cache.add({ ...event, response: { ...event.response, refresh_in: 1800 } }, NOW);
    assert.equal(cache.findAccessToken(query, NOW)?.refresh_on, String(NOW + 1800));
    cache.add(event, NOW);
    assert.equal(cache.findAccessToken(query, NOW)?.refresh_on, undefined);
  });

  it("writes the app metadata again once it was removed, changed or the cache reloaded", () => {
    const cache = new SerializableTokenCache();
    cache.add(clientEvent("t1"), NOW);
    const metadata = cache.getAppMetadata("my_client_id", "login.example.com");
    assert.ok(metadata);
    cache.add(clientEvent("t1"), NOW);
    assert.equal(cache.getAppMetadata("my_client_id", "login.example.com"), metadata, "unchanged, not rewritten");

    assert.equal(cache.remove(CredentialType.APP_METADATA, metadata), true);
    assert.equal(cache.count().AppMetadata, 0);
    cache.add(clientEvent("t1"), NOW);
    assert.deepEqual(cache.getAppMetadata("my_client_id", "login.example.com"), metadata, "written again after its removal");

    const event = clientEvent("t1");
    cache.add({ ...event, response: { ...event.response, foci: "1" } }, NOW);
    assert.equal(cache.getAppMetadata("my_client_id", "login.example.com")?.family_id, "1");
    cache.add(event, NOW);
    assert.equal(cache.getAppMetadata("my_client_id", "login.example.com")?.family_id, undefined, "replaced as MSAL Python replaces it");

    cache.deserialize(JSON.stringify({ AccessToken: {} }));
    cache.add(event, NOW);
    assert.equal(cache.count().AppMetadata, 1, "a reloaded cache gets its app metadata");
  });
});
