// Regional endpoints (ESTS-R): the host rules, the region setting, detection, and the policy of one
// app, driven through the one seam (an in-memory HTTP client).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  IMDS_REGION_URL,
  RegionPolicy,
  detectRegion,
  regionalHost,
  regionalUrl,
  resolveRegionSetting,
} from "../../src/application/region.js";
import { parseAuthority } from "../../src/authority/index.js";
import { ClientApplication, ConfidentialClientApplication, SerializableTokenCache, type HttpRequestInit } from "../../src/index.js";

interface Seen {
  readonly url: string;
  readonly init: HttpRequestInit;
}

/** An HTTP client answering IMDS with `answer`, recording every request. */
function imds(answer: () => Promise<Response> | Response) {
  const seen: Seen[] = [];
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    seen.push({ url, init });
    return answer();
  };
  return { http, seen };
}

const text = (body: string, status = 200) => new Response(body, { status, headers: { "content-type": "text/plain" } });

/** IMDS answering `region` once released, with REGION_NAME unset for the length of `fn`. */
async function withGatedImds(region: string, fn: (f: ReturnType<typeof imds>, release: () => void) => Promise<void>): Promise<void> {
  const previous = process.env.REGION_NAME;
  delete process.env.REGION_NAME;
  try {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const f = imds(async () => {
      await gate;
      return text(region);
    });
    await fn(f, release);
  } finally {
    if (previous !== undefined) process.env.REGION_NAME = previous;
  }
}

describe("regional host rules", () => {
  test("Microsoft's central hosts become {region}.login.microsoft.com; others {region}.{host}", () => {
    const cases: Array<[string, string | undefined]> = [
      ["login.microsoftonline.com", "westus2.login.microsoft.com"],
      ["login.microsoft.com", "westus2.login.microsoft.com"],
      ["login.windows.net", "westus2.login.microsoft.com"],
      ["sts.windows.net", "westus2.login.microsoft.com"],
      ["Login.MicrosoftOnline.COM", "westus2.login.microsoft.com"],
      ["login.microsoftonline.us", "westus2.login.microsoftonline.us"],
      ["login.chinacloudapi.cn", "westus2.login.chinacloudapi.cn"],
      ["login-us.microsoftonline.com", "westus2.login-us.microsoftonline.com"],
      ["contoso.ciamlogin.com", "westus2.contoso.ciamlogin.com"],
      ["localhost", "westus2.localhost"],
      // A port is kept, whatever the host.
      ["localhost:8443", "westus2.localhost:8443"],
      ["login.microsoftonline.com:8443", "westus2.login.microsoft.com:8443"],
      // IP addresses have no regional name.
      ["127.0.0.1", undefined],
      ["127.0.0.1:8443", undefined],
      ["[::1]:8443", undefined],
      ["", undefined],
    ];
    for (const [central, expected] of cases) assert.equal(regionalHost(central, "westus2"), expected, central);
  });

  test("a regional URL keeps the path and the query", () => {
    assert.equal(
      regionalUrl("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token?dc=ESTS-PUB", "eastus"),
      "https://eastus.login.microsoft.com/contoso.onmicrosoft.com/oauth2/v2.0/token?dc=ESTS-PUB",
    );
    assert.equal(regionalUrl("https://localhost:8443/t/oauth2/v2.0/token", "eastus"), "https://eastus.localhost:8443/t/oauth2/v2.0/token");
    assert.equal(regionalUrl("https://127.0.0.1:8443/t/oauth2/v2.0/token", "eastus"), undefined);
  });
});

describe("the region setting", () => {
  const code = (c: string) => (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === c;

  test("follows MSAL Python: option first, then MSAL_FORCE_REGION; false ignores it", () => {
    assert.deepEqual(resolveRegionSetting(undefined, {}), { kind: "none" });
    assert.deepEqual(resolveRegionSetting(undefined, { MSAL_FORCE_REGION: "" }), { kind: "none" });
    assert.deepEqual(resolveRegionSetting(undefined, { MSAL_FORCE_REGION: "eastus" }), {
      kind: "fixed",
      region: "eastus",
      from: "MSAL_FORCE_REGION",
    });
    assert.deepEqual(resolveRegionSetting("WestUS2", { MSAL_FORCE_REGION: "eastus" }), { kind: "fixed", region: "westus2", from: "azureRegion" });
    assert.deepEqual(resolveRegionSetting(false, { MSAL_FORCE_REGION: "eastus" }), { kind: "none" });
    assert.deepEqual(resolveRegionSetting(true, { MSAL_FORCE_REGION: "eastus" }), { kind: "detect" });
    assert.equal(ClientApplication.ATTEMPT_REGION_DISCOVERY, true);
    assert.deepEqual(resolveRegionSetting(ClientApplication.ATTEMPT_REGION_DISCOVERY, {}), { kind: "detect" });
  });

  test("a name that cannot be a host label is refused, in the option and in the environment", () => {
    for (const bad of ["", "west us 2", "westus2.evil.example", "west_us", "-westus"]) {
      assert.throws(() => resolveRegionSetting(bad, {}), code("ERR_INVALID_ARG_VALUE"), JSON.stringify(bad));
    }
    for (const bad of [null, 42, {}, ["westus2"]]) assert.throws(() => resolveRegionSetting(bad, {}), code("ERR_INVALID_ARG_TYPE"));
    assert.throws(
      () => resolveRegionSetting(undefined, { MSAL_FORCE_REGION: "West US" }),
      (e: unknown) => code("ERR_INVALID_ARG_VALUE")(e) && /MSAL_FORCE_REGION/.test((e as Error).message),
    );
  });

  test("the constructor of a confidential client checks azureRegion", () => {
    const build = (azureRegion: unknown) =>
      new ConfidentialClientApplication("app", { clientCredential: "s", azureRegion: azureRegion as string });
    assert.throws(() => build("not a region"), code("ERR_INVALID_ARG_VALUE"));
    assert.throws(() => build(7), code("ERR_INVALID_ARG_TYPE"));
    assert.ok(build("westus2"));
  });
});

describe("region detection", () => {
  test("REGION_NAME wins, with its spaces removed and in lower case; IMDS is not asked", async () => {
    const f = imds(() => text("westus2"));
    assert.deepEqual(await detectRegion(f.http, { env: { REGION_NAME: " East US 2 " } }), { region: "eastus2", from: "REGION_NAME" });
    assert.equal(f.seen.length, 0);
  });

  test("IMDS: a GET with Metadata: true to the location leaf, whose text is the region", async () => {
    const f = imds(() => text("westus2\n"));
    assert.deepEqual(await detectRegion(f.http, { env: {} }), { region: "westus2", from: "IMDS" });
    assert.equal(f.seen.length, 1);
    const [req] = f.seen;
    assert.equal(req?.url, IMDS_REGION_URL);
    assert.equal(req?.url, "http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01");
    assert.equal(req?.init.method, "GET");
    assert.deepEqual(req?.init.headers, { Metadata: "true" });
    assert.ok(req?.init.signal instanceof AbortSignal);
  });

  test("an empty or unusable REGION_NAME falls back to IMDS", async () => {
    const logged: string[] = [];
    const f = imds(() => text("eastus"));
    assert.deepEqual(await detectRegion(f.http, { env: { REGION_NAME: "" } }), { region: "eastus", from: "IMDS" });
    assert.deepEqual(await detectRegion(f.http, { env: { REGION_NAME: "west_us" }, log: (_l, m) => logged.push(m) }), {
      region: "eastus",
      from: "IMDS",
    });
    assert.equal(f.seen.length, 2);
    assert.ok(logged.some((m) => /REGION_NAME/.test(m)));
  });

  test("no region when IMDS fails, answers an error status, or answers something that is not a region", async () => {
    const answers: Array<() => Promise<Response> | Response> = [
      () => Promise.reject(new TypeError("fetch failed")),
      () => text("westus2", 404),
      () => text("westus2", 500),
      () => text("<html><body>Proxy login</body></html>"),
      () => text(""),
      () => text("westus2.evil.example"),
      () => text("x".repeat(100)),
    ];
    for (const answer of answers) assert.equal(await detectRegion(imds(answer).http, { env: {} }), undefined);
  });

  test("no region when IMDS does not answer in time, even through a client that ignores the signal", async () => {
    const f = imds(() => new Promise<Response>(() => undefined));
    const started = Date.now();
    assert.equal(await detectRegion(f.http, { env: {}, timeoutMs: 50 }), undefined);
    assert.ok(Date.now() - started < 1000);
  });
});

describe("one app's regional policy", () => {
  const aad = parseAuthority("https://login.microsoftonline.com/contoso.onmicrosoft.com");
  const central = "https://login.microsoftonline.com/9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2/oauth2/v2.0/token";

  test("a fixed region rewrites the token endpoint's host and asks nobody", async () => {
    const f = imds(() => text("eastus"));
    const policy = new RegionPolicy({ kind: "fixed", region: "westus2", from: "azureRegion" }, aad, undefined);
    assert.equal(
      await policy.tokenEndpoint(f.http, central),
      "https://westus2.login.microsoft.com/9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2/oauth2/v2.0/token",
    );
    assert.equal(f.seen.length, 0);
    assert.equal(await new RegionPolicy({ kind: "none" }, aad, undefined).tokenEndpoint(f.http, central), central);
  });

  test("detection runs once; concurrent callers share it and later ones reuse its outcome", async () => {
    await withGatedImds("eastus", async (f, release) => {
      const policy = new RegionPolicy({ kind: "detect" }, aad, undefined);
      const calls = [policy.tokenEndpoint(f.http, central), policy.tokenEndpoint(f.http, central), policy.region(f.http)];
      release();
      const [a, b, region] = await Promise.all(calls);
      assert.equal(a, central.replace("login.microsoftonline.com", "eastus.login.microsoft.com"));
      assert.equal(b, a);
      assert.equal(region, "eastus");
      assert.equal(await policy.region(f.http), "eastus");
      assert.equal(f.seen.length, 1);

      // No region found is an outcome too: it is not asked again.
      const none = imds(() => text("nope", 404));
      const unlucky = new RegionPolicy({ kind: "detect" }, aad, undefined);
      assert.equal(await unlucky.tokenEndpoint(none.http, central), central);
      assert.equal(await unlucky.tokenEndpoint(none.http, central), central);
      assert.equal(none.seen.length, 1);
    });
  });

  test("a caller's signal ends its own wait only", async () => {
    await withGatedImds("eastus", async (f, release) => {
      const policy = new RegionPolicy({ kind: "detect" }, aad, undefined);
      const controller = new AbortController();
      const impatient = policy.tokenEndpoint(f.http, central, controller.signal);
      const patient = policy.tokenEndpoint(f.http, central);
      controller.abort();
      await assert.rejects(impatient, { name: "AbortError" });
      release();
      assert.match(await patient, /^https:\/\/eastus\.login\.microsoft\.com\//);
      assert.equal(f.seen.length, 1);
    });
  });

  test("authorities without regional endpoints stay central, with one warning", async () => {
    const logged: string[] = [];
    const log = (level: string, message: string) => logged.push(`${level}: ${message}`);
    const b2c = parseAuthority("https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin");
    const b2cToken = "https://contoso.b2clogin.com/contoso.onmicrosoft.com/b2c_1_signin/oauth2/v2.0/token";
    const policy = new RegionPolicy({ kind: "fixed", region: "westus2", from: "azureRegion" }, b2c, log);
    const f = imds(() => text("eastus"));
    assert.equal(await policy.tokenEndpoint(f.http, b2cToken), b2cToken);
    assert.equal(await policy.tokenEndpoint(f.http, b2cToken), b2cToken);
    assert.equal(logged.filter((l) => l.startsWith("warning:")).length, 1);

    const ip = parseAuthority("https://127.0.0.1:8443/contoso.onmicrosoft.com");
    const ipToken = "https://127.0.0.1:8443/9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2/oauth2/v2.0/token";
    assert.equal(await new RegionPolicy({ kind: "fixed", region: "westus2", from: "azureRegion" }, ip, undefined).tokenEndpoint(f.http, ipToken), ipToken);
  });
});

describe("acquireTokenForClient through the seam", () => {
  const TENANT = "9f0c1c56-0c51-4d55-b9a1-3e3bd0a1c7f2";

  function authority() {
    const seen: Seen[] = [];
    const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
      seen.push({ url, init });
      if (url.includes("openid-configuration")) {
        const base = `https://login.microsoftonline.com/${TENANT}`;
        return Response.json({ authorization_endpoint: `${base}/oauth2/v2.0/authorize`, token_endpoint: `${base}/oauth2/v2.0/token` });
      }
      return Response.json({ access_token: "AT", token_type: "Bearer", expires_in: 3600 });
    };
    return { http, seen, posts: () => seen.filter((s) => s.init.method === "POST").map((s) => s.url) };
  }

  test("the token POST goes regional; the cache entry keeps the central environment", async () => {
    const f = authority();
    const cache = new SerializableTokenCache();
    const app = new ConfidentialClientApplication("app", {
      tokenCache: cache,
      clientCredential: "secret",
      authority: `https://login.microsoftonline.com/${TENANT}`,
      validateAuthority: false,
      httpClient: f.http,
      azureRegion: "westus2",
    });
    const r = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
    assert.ok(!("error" in r));
    assert.deepEqual(f.posts(), [`https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token`]);
    const state = JSON.parse(cache.serialize()) as { AccessToken: Record<string, { environment: string }> };
    assert.deepEqual(
      Object.values(state.AccessToken).map((e) => e.environment),
      ["login.microsoftonline.com"],
    );
    // From the cache now: no request, regional or not.
    await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
    assert.equal(f.posts().length, 1);
  });
});
