// Shared helpers of the end-to-end tests: one emulator per test file (default tenant), apps wired
// to trust its CA, and an HTTP client that records what the library sends.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator, defaultTenant, type Emulator, type EmulatorOptions } from "@msal-ts/emulator";
import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type ClientApplication,
  type AuthenticationResult,
  type ClientApplicationOptions,
  type ErrorResult,
  type HttpClient,
  type HttpRequestInit,
  type TokenResult,
} from "@msal-ts/msal";

/** The default tenant's ids and secrets, by role. */
export const WEB_APP = defaultTenant.apps[1].clientId;
export const WEB_SECRET = defaultTenant.apps[1].secrets[0];
export const DESKTOP_APP = defaultTenant.apps[2].clientId;
export const FAMILY_APP = defaultTenant.apps[3].clientId;
export const ORDERS_API = defaultTenant.apps[4].clientId;
export const ORDERS_SECRET = defaultTenant.apps[4].secrets[0];

export const WEB_REDIRECT = "http://localhost:5123/auth/redirect";
export const LOOPBACK_REDIRECT = "http://localhost:8400";

export const ADELE = { username: "adele@contoso.onmicrosoft.com", password: "adele-password~emulator" } as const;
export const MEGAN = { username: "megan@contoso.onmicrosoft.com", password: "megan-password~emulator" } as const;
export const LEE = { username: "lee@contoso.onmicrosoft.com", password: "lee-password~emulator" } as const;
export const ALEX = { username: "alex@contoso.example", password: "alex-password~emulator" } as const;

// Entra names Microsoft Graph's scopes by their short names in token responses (and so in the
// cache); a request by the short name finds the cached token again.
export const GRAPH_READ = ["User.Read"];
export const ORDERS_READ = ["api://orders/Orders.Read"];

/** A running emulator with its CA written to a file (the `verify` option takes a path). */
export interface TestAuthority {
  readonly emu: Emulator;
  readonly caPath: string;
  /** Options every app of the tests shares: the emulator's authority, discovery and CA. */
  readonly appOptions: ClientApplicationOptions;
}

/** Starts an emulator (default tenant unless told otherwise). */
export async function startAuthority(options: EmulatorOptions = {}): Promise<TestAuthority> {
  const emu = await createEmulator(options);
  const dir = mkdtempSync(join(tmpdir(), "msal-ts-e2e-"));
  const caPath = join(dir, "ca.pem");
  writeFileSync(caPath, emu.caCertificate);
  return {
    emu,
    caPath,
    appOptions: { authority: emu.authority, instanceDiscovery: emu.instanceDiscoveryUrl, verify: caPath },
  };
}

export function publicApp(t: TestAuthority, clientId: string, extra: ClientApplicationOptions = {}): PublicClientApplication {
  return new PublicClientApplication(clientId, { ...t.appOptions, ...extra });
}

export function webApp(t: TestAuthority, extra: ClientApplicationOptions = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication(WEB_APP, { ...t.appOptions, ...extra, clientCredential: WEB_SECRET });
}

export function ordersApi(t: TestAuthority, extra: ClientApplicationOptions = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication(ORDERS_API, { ...t.appOptions, ...extra, clientCredential: ORDERS_SECRET });
}

/** Narrows to a token result, failing with the error otherwise. */
export function ok(r: AuthenticationResult | null): TokenResult {
  assert.ok(r !== null, "expected a token, got null");
  if ("error" in r) assert.fail(`expected a token, got ${r.error}: ${r.error_description ?? ""}`);
  return r;
}

/** Narrows to an error result, failing when a token came back. */
export function failed(r: AuthenticationResult | null): ErrorResult {
  assert.ok(r !== null, "expected an error result, got null");
  if (!("error" in r)) assert.fail("expected an error result, got a token");
  return r;
}

/** One request the library made, as the HTTP client saw it. */
export interface SeenRequest {
  readonly url: string;
  readonly method: string;
  /** Header names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: URLSearchParams;
}

/** An HTTP client trusting the emulator's CA that records every request; `fail` may refuse one. */
export interface RecordingClient {
  readonly http: HttpClient;
  readonly seen: SeenRequest[];
  /** Token-endpoint POSTs seen, oldest first. */
  tokenRequests(): SeenRequest[];
  /** When set, a request it returns true for fails as a network error would. */
  fail: ((url: string, init: HttpRequestInit) => boolean) | undefined;
}

export async function recordingClient(t: TestAuthority): Promise<RecordingClient> {
  const { Agent, fetch: undiciFetch } = await import("undici");
  const dispatcher = new Agent({ connect: { ca: t.emu.caCertificate } });
  const rec: RecordingClient = {
    seen: [],
    fail: undefined,
    tokenRequests: () => rec.seen.filter((r) => r.method === "POST" && /\/oauth2\/v2\.0\/token$/.test(new URL(r.url).pathname)),
    http: async (url, init) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(init.headers)) headers[k.toLowerCase()] = v;
      rec.seen.push({ url, method: init.method, headers, body: new URLSearchParams(init.body ?? "") });
      if (rec.fail?.(url, init)) throw new TypeError("fetch failed");
      return undiciFetch(url, { ...init, dispatcher }) as unknown as Promise<Response>;
    },
  };
  return rec;
}

/** The request at the end of `list`, failing when there is none. */
export function last<T>(list: readonly T[]): T {
  const item = list.at(-1);
  assert.ok(item !== undefined, "expected at least one request");
  return item;
}

/** Number of requests of any kind the emulator served. */
export function requestCount(t: TestAuthority): number {
  return t.emu.requests.length;
}

/** Signs `user` in to `app` through the auth code flow, as a browser would. */
export async function signInWithAuthCode(
  t: TestAuthority,
  app: ClientApplication,
  user: { readonly username: string; readonly password: string },
  options: { readonly scopes?: readonly string[]; readonly redirectUri?: string } = {},
): Promise<TokenResult> {
  const flow = await app.initiateAuthCodeFlow(options.scopes ?? GRAPH_READ, {
    redirectUri: options.redirectUri ?? (app instanceof ConfidentialClientApplication ? WEB_REDIRECT : LOOPBACK_REDIRECT),
  });
  const signIn = await t.emu.signIn(flow.auth_uri, user);
  return ok(await app.acquireTokenByAuthCodeFlow(flow, signIn.params));
}
