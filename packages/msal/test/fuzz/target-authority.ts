// Authority URLs: parseAuthority, parseOidcAuthority and resolveAuthorityConfig, the application
// constructors' `authority`/`oidcAuthority`, and a call's own `authority` option.
import fc from "fast-check";
import {
  _clearDiscoveryCache,
  parseAuthority,
  parseOidcAuthority,
  resolveAuthorityConfig,
  type AuthorityDescriptor,
} from "../../src/authority/index.js";
import { ConfidentialClientApplication, PublicClientApplication, type HttpClient, type HttpRequestInit } from "../../src/index.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  FIXTURE_ACCOUNT,
  HOST,
  TENANT,
  expectTypedError,
  fixtureCache,
  judge,
  nowSeconds,
  settle,
  settleSync,
  toResponse,
  validUserTokenResponse,
  violation,
} from "./harness.js";
import { TOKEN_RESPONSE_KEYS, answerRecipeArb, buildAnswer, errorDocument, type AnswerRecipe } from "./wire-answers.js";

const SCHEMES = ["https://", "https://", "https://", "http://", "HTTPS://", "https:/", "https:", "https:\\\\", "//", "", "ftp://", "javascript:", " https://", "https:///", "wss://", "file://", "https://user:pass@"];
const HOSTS = [
  HOST,
  "login.microsoftonline.com",
  "login.microsoftonline.us",
  "contoso.b2clogin.com",
  "contoso.ciamlogin.com",
  "fs.contoso.com",
  "localhost:8443",
  "[::1]",
  "[::1]:8443",
  "127.0.0.1",
  "LOGIN.MicrosoftOnline.COM",
  "login.microsoftonline.com:443",
  "login.microsoftonline.com:0",
  "login.microsoftonline.com:99999",
  "xn--lgin-y9a.com",
  "l\u043egin.microsoftonline.com",
  "%6cogin.microsoftonline.com",
  "login.microsoftonline.com.",
  "",
  "evil.example\\@login.microsoftonline.com",
  "login.microsoftonline.com#@evil.example",
  "login.microsoftonline.com?@evil.example",
  "a..b",
  "exa mple.com",
  "\u0000",
];
const SEGMENTS = [
  "common",
  "organizations",
  "consumers",
  TENANT,
  "adfs",
  "ADFS",
  "contoso.onmicrosoft.com",
  "b2c_1_signin",
  "B2C_1_SignIn",
  "",
  ".",
  "..",
  "%2e%2e",
  "%2F",
  "tenant%00",
  "\u30c6\u30ca\u30f3\u30c8",
  "v2.0",
  "oauth2",
  "{tenantid}",
  "a b",
];

const segment = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SEGMENTS) }, { weight: 1, arbitrary: fc.webSegment() }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) });

/** An authority URL assembled from parts, most of them plausible. */
const assembledUrl = fc
  .tuple(
    fc.constantFrom(...SCHEMES),
    fc.constantFrom(...HOSTS),
    fc.array(segment, { maxLength: 4 }),
    fc.constantFrom("", "", "/", "//"),
    fc.constantFrom("", "", "?x=1", "?", "?dc=ESTS-PUB-WUS2-AZ1-FD000-TEST1", "?%zz", "?a=b&a=c", "?p=b2c_1_signin"),
    fc.constantFrom("", "", "#frag", "#"),
  )
  .map(([scheme, host, segments, trailing, query, fragment]) => `${scheme}${host}${segments.map((s) => `/${s}`).join("")}${trailing}${query}${fragment}`);

const anyUrl: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: assembledUrl },
  { weight: 2, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 42, {}, [], true, new URL(`https://${HOST}/${TENANT}`)) },
);

/** What the authority answers once an app uses the URL: instance discovery, its OpenID configuration, and the token request. */
interface DiscoveryAnswers {
  readonly instance: AnswerRecipe<"instance">;
  readonly document: AnswerRecipe<"document">;
  readonly token: AnswerRecipe<"token" | "error">;
}

/** One case: an authority setting, and what the authorities answer once it is used. */
export interface AuthorityCase {
  readonly url: unknown;
  readonly oidc: boolean;
  readonly both: boolean;
  readonly validateAuthority: unknown;
  readonly instanceDiscovery: unknown;
  readonly confidential: boolean;
  /** Whether to use the app once built (discovery, a sign-in URL, a redemption, a silent call with the URL as its authority). */
  readonly use: boolean;
  readonly answers: DiscoveryAnswers;
}

const INSTANCE_KEYS = ["tenant_discovery_endpoint", "api-version", "metadata", "preferred_network", "preferred_cache", "aliases", "error", "error_description"];
const DOCUMENT_KEYS = ["issuer", "authorization_endpoint", "token_endpoint", "device_authorization_endpoint", "end_session_endpoint", "jwks_uri", "tenant_region_scope"];

/** Generates cases. */
export const authorityCaseArb: fc.Arbitrary<AuthorityCase> = fc.record({
  url: anyUrl,
  oidc: fc.boolean(),
  both: fc.constantFrom(false, false, false, true),
  validateAuthority: fc.constantFrom<unknown>(undefined, undefined, true, false, "false", 0),
  instanceDiscovery: fc.constantFrom<unknown>(
    undefined,
    undefined,
    true,
    false,
    "",
    `https://${HOST}/common/discovery/instance`,
    "http://login.microsoftonline.com/common/discovery/instance",
    "not a url",
    1,
  ),
  confidential: fc.boolean(),
  use: fc.boolean(),
  answers: fc.record({
    instance: answerRecipeArb(["instance"] as const, INSTANCE_KEYS, { intact: 6 }),
    document: answerRecipeArb(["document"] as const, DOCUMENT_KEYS, { intact: 6 }),
    token: answerRecipeArb(["token", "token", "error"] as const, [...TOKEN_RESPONSE_KEYS], { intact: 6 }),
  }),
});

/** The authority a discovery request is about: the base its documents' endpoints live under. */
function baseOf(url: URL): string {
  if (url.pathname.includes("/discovery/instance")) {
    const authorize = url.searchParams.get("authorization_endpoint") ?? "";
    return authorize.replace(/\/oauth2\/(v2\.0\/)?authorize$/, "");
  }
  return `${url.origin}${url.pathname.replace(/(\/v2\.0)?\/\.well-known\/openid-configuration$/, "")}`;
}

/**
 * An authority that answers for any host: instance discovery and OpenID configurations built
 * for the authority asked about, then mutated by the case; tokens likewise. It records every
 * URL it was sent to.
 */
function anyAuthority(c: AuthorityCase): { readonly http: HttpClient; readonly urls: string[] } {
  const urls: string[] = [];
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    urls.push(url);
    new Headers(init.headers);
    const u = new URL(url);
    const base = baseOf(u);
    if (init.method === "GET" && u.pathname.includes("/discovery/instance")) {
      const host = URL.canParse(base) ? new URL(base).host : "login.microsoftonline.com";
      const instance = {
        tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
        "api-version": "1.1",
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host, "login.windows.net"] }],
      };
      return toResponse(buildAnswer(c.answers.instance, { instance }));
    }
    if (init.method === "GET" && u.pathname.endsWith("/.well-known/openid-configuration")) {
      const document = {
        issuer: `${base}/v2.0`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      };
      return toResponse(buildAnswer(c.answers.document, { document }));
    }
    if (init.method === "POST") {
      const issuer = `${url.replace(/\/oauth2\/v2\.0\/token$/, "")}/v2.0`;
      return toResponse(buildAnswer(c.answers.token, { token: validUserTokenResponse(nowSeconds(), undefined, issuer), error: errorDocument() }));
    }
    return new Response("not found", { status: 404 });
  };
  return { http, urls };
}

/** A URL's protocol and host as the WHATWG parser sees them, or `undefined` when it does not parse. */
function whatwg(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** A descriptor must describe an https URL on the host the configured URL names, and nothing else. */
function checkDescriptor(d: AuthorityDescriptor, input: string, what: string): void {
  const given = whatwg(input);
  if (given?.protocol !== "https:") throw violation(`${what} accepted ${JSON.stringify(input)}, which is not an https URL`);
  if (d.host !== given.hostname.toLowerCase()) throw violation(`${what} took the host ${d.host} from ${JSON.stringify(input)} (WHATWG: ${given.hostname})`);
  for (const [name, value] of [["url", d.url], ["openIdConfigurationUrl", d.openIdConfigurationUrl]] as const) {
    const u = whatwg(value);
    if (u?.protocol !== "https:" || u.host !== d.instance) throw violation(`${what} built a ${name} ${JSON.stringify(value)} off the authority's host ${d.instance}`);
  }
  if (d.tenant === "") throw violation(`${what} accepted ${JSON.stringify(input)} without a tenant`);
}

/**
 * Authority parsing accepts only https URLs, describes exactly the host they name, and refuses
 * anything else with `ERR_AUTHORITY` or a coded TypeError; applications built on an accepted
 * authority only ever send requests to https URLs.
 */
export async function checkAuthorityCase(c: AuthorityCase): Promise<void> {
  if (typeof c.url === "string") {
    const url = c.url;
    const entra = settleSync(() => parseAuthority(url));
    if (entra.ok) checkDescriptor(entra.value, url, "parseAuthority");
    else expectTypedError(entra.error, "parseAuthority");
    const oidc = settleSync(() => parseOidcAuthority(url));
    if (oidc.ok) checkDescriptor(oidc.value, url, "parseOidcAuthority");
    else expectTypedError(oidc.error, "parseOidcAuthority");
  }
  const config = {
    authority: c.oidc && !c.both ? undefined : c.url,
    oidcAuthority: c.oidc || c.both ? c.url : undefined,
    validateAuthority: c.validateAuthority,
    instanceDiscovery: c.instanceDiscovery,
  };
  const resolved = settleSync(() => resolveAuthorityConfig(config as Parameters<typeof resolveAuthorityConfig>[0]));
  if (resolved.ok) {
    if (typeof c.url === "string" && c.url !== "") checkDescriptor(resolved.value, c.url, "resolveAuthorityConfig");
  } else {
    expectTypedError(resolved.error, "resolveAuthorityConfig");
  }

  const authority = anyAuthority(c);
  try {
    await useAuthority(c, config, authority.http);
  } finally {
    // Discovery answers are memoised for the process; a hundred thousand authorities would pile up.
    _clearDiscoveryCache();
  }
  const insecure = authority.urls.find((u) => whatwg(u)?.protocol !== "https:");
  if (insecure !== undefined) throw violation(`a request went to ${insecure}, which is not https`);
}

async function useAuthority(c: AuthorityCase, config: Record<string, unknown>, http: HttpClient): Promise<void> {
  const options = { ...config, httpClient: http, tokenCache: fixtureCache() } as ConstructorParameters<typeof PublicClientApplication>[1];
  const built = settleSync(() =>
    c.confidential
      ? new ConfidentialClientApplication(CLIENT_ID, { ...options, clientCredential: CLIENT_SECRET })
      : new PublicClientApplication(CLIENT_ID, options),
  );
  if (!built.ok) {
    expectTypedError(built.error, "the application constructor");
  } else {
    const app = built.value;
    if (whatwg(app.authority)?.protocol !== "https:") throw violation(`an application took the authority ${app.authority}`);
    if (c.use) {
      const flow = await settle(() => app.initiateAuthCodeFlow(["s1"]));
      if (!flow.ok) expectTypedError(flow.error, "initiateAuthCodeFlow");
      else if (whatwg(flow.value.auth_uri)?.protocol !== "https:") throw violation(`initiateAuthCodeFlow built the sign-in URL ${flow.value.auth_uri}`);
      judge(await settle(() => app.acquireTokenByRefreshToken("rt-given", ["s1"])), "acquireTokenByRefreshToken");
    }
  }
  if (c.use) {
    // A call's own authority goes through the same checks, on an app of the fuzzed authority.
    const app = new PublicClientApplication(CLIENT_ID, {
      authority: `https://${HOST}/${TENANT}`,
      validateAuthority: false,
      instanceDiscovery: false,
      httpClient: http,
      tokenCache: fixtureCache(),
    });
    const silent = await settle(() =>
      app.acquireTokenSilentWithError(["s1"], FIXTURE_ACCOUNT, { authority: c.url as string, forceRefresh: true }),
    );
    judge(silent, "acquireTokenSilentWithError with an authority");
  }
}
