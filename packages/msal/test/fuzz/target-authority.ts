// Authority URLs: parseAuthority, parseOidcAuthority and resolveAuthorityConfig, the application
// constructors' `authority`/`oidcAuthority`, and a call's own `authority` option.
import fc from "fast-check";
import { parseAuthority, parseOidcAuthority, resolveAuthorityConfig, type AuthorityDescriptor } from "../../src/authority/index.js";
import { ConfidentialClientApplication, PublicClientApplication } from "../../src/index.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  FIXTURE_ACCOUNT,
  FakeAuthority,
  HOST,
  TENANT,
  expectTypedError,
  fixtureCache,
  judge,
  settle,
  settleSync,
  violation,
} from "./harness.js";

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

export interface AuthorityCase {
  readonly url: unknown;
  readonly oidc: boolean;
  readonly both: boolean;
  readonly validateAuthority: unknown;
  readonly instanceDiscovery: unknown;
  readonly confidential: boolean;
  /** Whether to use the app once built (discovery, a silent call with the URL as its authority). */
  readonly use: boolean;
}

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
});

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

  const authority = new FakeAuthority();
  const options = { ...config, httpClient: authority.http, tokenCache: fixtureCache() } as ConstructorParameters<typeof PublicClientApplication>[1];
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
    }
  }
  if (c.use) {
    // A call's own authority goes through the same checks, on an app of the fuzzed authority.
    const app = new PublicClientApplication(CLIENT_ID, {
      authority: `https://${HOST}/${TENANT}`,
      validateAuthority: false,
      instanceDiscovery: false,
      httpClient: authority.http,
      tokenCache: fixtureCache(),
    });
    const silent = await settle(() =>
      app.acquireTokenSilentWithError(["s1"], FIXTURE_ACCOUNT, { authority: c.url as string, forceRefresh: true }),
    );
    judge(silent, "acquireTokenSilentWithError with an authority");
  }
  const insecure = [...authority.gets, ...authority.posts.map((p) => p.url)].find((u) => whatwg(u)?.protocol !== "https:");
  if (insecure !== undefined) throw violation(`a request went to ${insecure}, which is not https`);
}
