import { createHash, randomBytes } from "node:crypto";
import { after, before } from "node:test";
import { Agent } from "undici";
import { createEmulator, defaultTenant } from "../../src/index.js";
import type { Emulator, EmulatorOptions, TenantConfig } from "../../src/index.js";
import { call } from "./https.js";
import type { TestResponse } from "./https.js";

// The directory of the user-flow tests: the default tenant (its users and apps are what developers
// sign in with) plus a user who always needs interaction, and a second tenant.

export const [DAEMON, WEB, DESKTOP, FAMILY, ORDERS_API] = defaultTenant.apps;
export const [ADELE, MEGAN, LEE, ALEX] = defaultTenant.users;
export const IAN = { username: "ian@contoso.onmicrosoft.com", password: "ian-password", displayName: "Ian", interactionRequired: true } as const;
export const TENANT_ID = defaultTenant.id;
export const OTHER_TENANT_ID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
/** An app registered only in the other tenant. */
export const OTHER_APP = { clientId: "0f1e2d3c-0000-4000-8000-000000000001", publicClient: true, redirectUris: ["http://localhost"] } as const;
export const WEB_REDIRECT = "http://localhost:5123/auth/redirect";
export const DESKTOP_REDIRECT = "http://127.0.0.1:49152";

export const TENANTS: readonly TenantConfig[] = [
  { ...defaultTenant, users: [...defaultTenant.users, IAN] },
  {
    id: OTHER_TENANT_ID,
    domains: ["fabrikam.example"],
    apps: [OTHER_APP, { clientId: WEB.clientId, secrets: ["fabrikam-web-secret"], redirectUris: [...WEB.redirectUris] }],
    users: [{ username: "faye@fabrikam.example", password: "faye-password" }],
  },
];

/** Emulator options for the user-flow tests, with a clock the test can move. */
export function userFlowOptions(clock: { now: number }, extra: EmulatorOptions = {}): EmulatorOptions {
  return { tenants: TENANTS, clock: () => clock.now, ...extra };
}

/** A test file's emulator, its movable clock, and an undici dispatcher trusting its CA. */
export interface UserFlowEnvironment {
  readonly clock: { now: number };
  readonly emu: Emulator;
  readonly dispatcher: Agent;
}

/**
 * Starts an emulator with the user-flow directory before the file's tests and closes it after.
 *
 * @param now - the clock's start, epoch seconds (default a fixed time, so tests can move it).
 */
export function useUserFlowEmulator(now = 1_900_000_000): UserFlowEnvironment {
  const clock = { now };
  let started: { emu: Emulator; dispatcher: Agent } | undefined;
  before(async () => {
    const emu = await createEmulator(userFlowOptions(clock));
    started = { emu, dispatcher: new Agent({ connect: { ca: emu.caCertificate } }) };
  });
  after(async () => {
    await started?.dispatcher.close();
    await started?.emu.close();
  });
  const get = (): { emu: Emulator; dispatcher: Agent } => {
    if (!started) throw new Error("The emulator starts in a before() hook; use it inside tests.");
    return started;
  };
  return {
    clock,
    get emu() {
      return get().emu;
    },
    get dispatcher() {
      return get().dispatcher;
    },
  };
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** An authorize URL with sensible defaults for the web app (code flow, query mode, openid scopes). */
export function authorizeUrl(emu: Emulator, params: Record<string, string | undefined> = {}, tenant: string = TENANT_ID): string {
  const url = new URL(`${emu.authorityFor(tenant)}/oauth2/v2.0/authorize`);
  const all: Record<string, string | undefined> = {
    client_id: WEB.clientId,
    response_type: "code",
    redirect_uri: WEB_REDIRECT,
    scope: "openid profile offline_access User.Read",
    state: "state-123",
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** POSTs a token request. */
export function tokenRequest(emu: Emulator, form: Record<string, string>, tenant: string = TENANT_ID): Promise<TestResponse> {
  return call(`${emu.authorityFor(tenant)}/oauth2/v2.0/token`, { ca: emu.caCertificate, form });
}

/** The web app's credentials for token requests. */
export const WEB_CREDENTIALS = { client_id: WEB.clientId, client_secret: WEB.secrets[0] } as const;

/** Signs a user in with the form and returns the code (and whatever else came back). */
export async function signInForCode(
  emu: Emulator,
  user: { readonly username: string; readonly password: string },
  params: Record<string, string | undefined> = {},
  tenant?: string,
): Promise<Readonly<Record<string, string>>> {
  const result = await emu.signIn(authorizeUrl(emu, params, tenant), { username: user.username, password: user.password });
  if (!result.params.code) throw new Error(`no code: ${JSON.stringify(result.params)}`);
  return result.params;
}

/** A minimal browser for page tests: GET/POST with a cookie jar, no redirects followed. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  readonly #emu: Emulator;

  constructor(emu: Emulator) {
    this.#emu = emu;
  }

  async #send(url: string, form?: Record<string, string>): Promise<TestResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const r = await call(new URL(url, this.#emu.url).toString(), { ca: this.#emu.caCertificate, headers, ...(form ? { form } : {}) });
    for (const header of r.headers["set-cookie"] ?? []) {
      const [pair = ""] = header.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(header)) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), value);
    }
    return r;
  }

  get(url: string): Promise<TestResponse> {
    return this.#send(url);
  }

  post(url: string, form: Record<string, string>): Promise<TestResponse> {
    return this.#send(url, form);
  }
}

/** The query (or fragment) parameters of a redirect response. */
export function redirectParams(r: TestResponse, part: "search" | "hash" = "search"): Record<string, string> {
  const location = r.headers.location;
  if (r.status !== 302 || !location) throw new Error(`expected a redirect, got ${r.status}: ${r.text.slice(0, 300)}`);
  const url = new URL(location);
  return Object.fromEntries(new URLSearchParams(part === "hash" ? url.hash.slice(1) : url.search));
}
