import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ClientApplication, ConfidentialClientApplication, PublicClientApplication, SerializableTokenCache } from "@msal-ts/msal";
import {
  ADELE,
  DESKTOP_APP,
  GRAPH_READ,
  ORDERS_READ,
  WEB_APP,
  WEB_REDIRECT,
  last,
  ok,
  ordersApi,
  publicApp,
  recordingClient,
  startAuthority,
  webApp,
  type RecordingClient,
  type SeenRequest,
  type TestAuthority,
} from "./support.js";

let t: TestAuthority;

before(async () => {
  t = await startAuthority();
});

after(async () => {
  await t.emu.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const now = (): number => Math.floor(Date.now() / 1000);

function current(r: SeenRequest): string | undefined {
  return r.headers["x-client-current-telemetry"];
}

function lastTelemetry(r: SeenRequest): string | undefined {
  return r.headers["x-client-last-telemetry"];
}

/** `Oid:{uid}@{utid}` from a result's client_info. */
function oidAnchor(clientInfo: string | undefined): string {
  assert.ok(clientInfo);
  const { uid, utid } = JSON.parse(Buffer.from(clientInfo, "base64url").toString("utf8")) as { uid: string; utid: string };
  return `Oid:${uid}@${utid}`;
}

async function signedIn(rec: RecordingClient, cache = new SerializableTokenCache()) {
  const app = webApp(t, { tokenCache: cache, httpClient: rec.http });
  const flow = await app.initiateAuthCodeFlow(GRAPH_READ, { redirectUri: WEB_REDIRECT });
  const first = ok(await app.acquireTokenByAuthCodeFlow(flow, (await t.emu.signIn(flow.auth_uri, ADELE)).params));
  const [account] = await app.getAccounts();
  assert.ok(account);
  return { app, cache, account, first };
}

describe("telemetry and routing headers", () => {
  test("the API ids are MSAL's", () => {
    assert.equal(ClientApplication.ACQUIRE_TOKEN_SILENT_ID, "84");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_BY_REFRESH_TOKEN, "85");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_INTERACTIVE, "169");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID, "301");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_ON_BEHALF_OF_ID, "523");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID, "622");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_FOR_CLIENT_ID, "730");
    assert.equal(ClientApplication.ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID, "832");
    assert.equal(ClientApplication.GET_ACCOUNTS_ID, "902");
    assert.equal(ClientApplication.REMOVE_ACCOUNT_ID, "903");
    assert.equal(PublicClientApplication.ACQUIRE_TOKEN_SILENT_ID, "84");
    assert.equal(ConfidentialClientApplication.ACQUIRE_TOKEN_ON_BEHALF_OF_ID, "523");
  });

  test("auth code redemption: 832,0, a fresh client-request-id, Oid anchor, library headers", async () => {
    const rec = await recordingClient(t);
    const { first } = await signedIn(rec);
    const redemption = last(rec.tokenRequests());
    assert.equal(redemption.body.get("grant_type"), "authorization_code");
    assert.equal(current(redemption), "4|832,0|");
    assert.equal(lastTelemetry(redemption), "4|0|||");
    assert.match(redemption.headers["client-request-id"] ?? "", UUID);
    assert.equal(redemption.headers["x-anchormailbox"], oidAnchor(first.client_info));
    assert.ok(redemption.headers["x-client-sku"]);
    assert.ok(redemption.headers["x-client-ver"]);
    assert.equal(redemption.body.get("client_info"), "1");
  });

  test("silent: cache hits are counted, forceRefresh is 84,1 with the Oid anchor", async () => {
    const rec = await recordingClient(t);
    const { app, account, first } = await signedIn(rec);
    const posts = rec.tokenRequests().length;
    ok(await app.acquireTokenSilent(GRAPH_READ, account));
    ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(rec.tokenRequests().length, posts, "two cache hits");
    ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    const refresh = last(rec.tokenRequests());
    assert.equal(refresh.body.get("grant_type"), "refresh_token");
    assert.equal(current(refresh), "4|84,1|");
    assert.equal(lastTelemetry(refresh), "4|2|||", "the two cache hits since the last request");
    assert.equal(refresh.headers["x-anchormailbox"], oidAnchor(first.client_info));
    assert.match(refresh.headers["client-request-id"] ?? "", UUID);
    assert.notEqual(refresh.headers["client-request-id"], last(rec.tokenRequests().slice(0, -1)).headers["client-request-id"]);

    // A successful request resets the count.
    ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(lastTelemetry(last(rec.tokenRequests())), "4|0|||");
  });

  test("silent misses: 84,2 for no token, 84,3 for one about to expire, 84,4 for one past refresh_on", async () => {
    const rec = await recordingClient(t);
    const { app, cache, account } = await signedIn(rec);
    ok(await app.acquireTokenSilent(ORDERS_READ, account));
    assert.equal(current(last(rec.tokenRequests())), "4|84,2|", "no token for these scopes");

    const at = cache.findAccessToken({
      home_account_id: account.home_account_id,
      environment: account.environment,
      client_id: WEB_APP,
      realm: t.emu.defaultTenantId,
      scopes: GRAPH_READ,
    });
    assert.ok(at);
    cache.modify("AccessToken", at, { expires_on: String(now() + 100) });
    ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(current(last(rec.tokenRequests())), "4|84,3|", "a token with less than five minutes left counts as expired");

    const fresh = cache.findAccessToken({
      home_account_id: account.home_account_id,
      environment: account.environment,
      client_id: WEB_APP,
      realm: t.emu.defaultTenantId,
      scopes: GRAPH_READ,
    });
    assert.ok(fresh);
    cache.modify("AccessToken", fresh, { refresh_on: String(now() - 1) });
    const r = ok(await app.acquireTokenSilent(GRAPH_READ, account));
    assert.equal(r.token_source, "identity_provider");
    assert.equal(current(last(rec.tokenRequests())), "4|84,4|");
  });

  test("a failed request is reported on the next one, then forgotten", async () => {
    const rec = await recordingClient(t);
    const { app, cache, account } = await signedIn(rec);
    const [rt] = cache.findRefreshTokens({ home_account_id: account.home_account_id, environment: account.environment });
    assert.ok(rt);
    cache.modify("RefreshToken", rt, { secret: "garbage" });
    const failedCall = await app.acquireTokenSilentWithError(GRAPH_READ, account, { forceRefresh: true });
    assert.ok(failedCall && "error" in failedCall);
    const failedRequest = last(rec.tokenRequests());
    const failedId = failedRequest.headers["client-request-id"];
    assert.ok(failedId);

    cache.modify("RefreshToken", { ...rt, secret: "garbage" }, { secret: rt.secret });
    ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    const next = last(rec.tokenRequests());
    assert.equal(lastTelemetry(next), `4|0|84,${failedId}|invalid_grant|`);
    ok(await app.acquireTokenSilent(GRAPH_READ, account, { forceRefresh: true }));
    assert.equal(lastTelemetry(last(rec.tokenRequests())), "4|0|||");
  });

  test("acquireTokenByRefreshToken is 85,1", async () => {
    const rec = await recordingClient(t);
    const { first } = await signedIn(rec);
    const migrating = webApp(t, { httpClient: rec.http });
    ok(await migrating.acquireTokenByRefreshToken(first.refresh_token ?? "", GRAPH_READ));
    assert.equal(current(last(rec.tokenRequests())), "4|85,1|");
  });

  test("username/password is 301,0 with the upn anchor", async () => {
    const rec = await recordingClient(t);
    const app = publicApp(t, DESKTOP_APP, { httpClient: rec.http });
    ok(await app.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, GRAPH_READ));
    const ropc = last(rec.tokenRequests());
    assert.equal(ropc.body.get("grant_type"), "password");
    assert.equal(current(ropc), "4|301,0|");
    assert.equal(ropc.headers["x-anchormailbox"], `upn:${ADELE.username}`);
    const realm = rec.seen.find((r) => r.url.includes("/common/userrealm/"));
    assert.ok(realm, "user realm discovery ran first");
    assert.equal(realm.headers["client-request-id"], ropc.headers["client-request-id"], "one correlation id for the call");
  });

  test("on-behalf-of is 523 (2 on a cache miss, 1 when forced)", async () => {
    const rec = await recordingClient(t);
    const user = publicApp(t, DESKTOP_APP);
    const incoming = ok(await user.acquireTokenByUsernamePassword(ADELE.username, ADELE.password, ORDERS_READ)).access_token;
    const api = ordersApi(t, { httpClient: rec.http });
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ));
    const obo = last(rec.tokenRequests());
    assert.equal(obo.body.get("requested_token_use"), "on_behalf_of");
    assert.equal(current(obo), "4|523,2|");
    ok(await api.acquireTokenOnBehalfOf(incoming, GRAPH_READ, { forceRefresh: true }));
    assert.equal(current(last(rec.tokenRequests())), "4|523,1|");
  });
});
