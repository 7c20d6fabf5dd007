// A command-line tool that signs a user in with the device code flow: it shows a code, the user
// enters it in a browser on any device (a phone will do) and signs in there, while the tool waits.
// The tool needs no browser of its own, so it runs over SSH, in a container, on a headless box.
//
// The tokens are kept in a file (FilePersistedTokenCache), as the Azure CLI keeps its own, so the
// next run finds the account and gets a token silently. The authority's discovery answers are kept
// in a second file (FilePersistedHttpCache): the next run sends no request at all.
import { homedir } from "node:os";
import { join } from "node:path";
import {
  FilePersistedHttpCache,
  FilePersistedTokenCache,
  PublicClientApplication,
  type ClientApplicationOptions,
  type DeviceFlow,
  type TokenResult,
} from "@msal-ts/msal";

/** How the tool is configured. */
export interface DeviceCodeCliConfig {
  /** The authority, e.g. `https://login.microsoftonline.com/organizations`. */
  readonly authority: string;
  /** The app's client id: a public client ("Allow public client flows" in its registration). */
  readonly clientId: string;
  /** The scopes to sign in for, e.g. `User.Read`. */
  readonly scopes: readonly string[];
  /** The folder of the two cache files; created (mode 0700) when missing. */
  readonly cacheDir: string;
  /** Further msal-ts options: `verify` (a CA bundle for a private authority), `instanceDiscovery` … */
  readonly msal?: Omit<ClientApplicationOptions, "authority" | "tokenCache" | "httpCache">;
}

/** A configuration mistake: says which variable is missing. */
export class DeviceCodeCliConfigError extends Error {
  override readonly name = "DeviceCodeCliConfigError";
}

/**
 * Reads the configuration from environment variables:
 *
 * - `CLIENT_ID` (required) and `AUTHORITY` (default `https://login.microsoftonline.com/organizations`);
 * - `SCOPES`, space- or comma-separated (default `User.Read`);
 * - `CACHE_DIR`: where the cache files live (default `~/.msal-ts-device-code-cli`);
 * - `CA_FILE`: a PEM bundle to trust instead of the system's, for a private authority;
 * - `INSTANCE_DISCOVERY`: `false`, or another instance discovery endpoint.
 *
 * @throws DeviceCodeCliConfigError when `CLIENT_ID` is missing.
 */
export function cliConfigFromEnv(env: Readonly<Record<string, string | undefined>>): DeviceCodeCliConfig {
  if (!env.CLIENT_ID) throw new DeviceCodeCliConfigError("Set CLIENT_ID (see examples/device-code-cli/README.md).");
  const msal: { verify?: string; instanceDiscovery?: string | boolean } = {};
  if (env.CA_FILE) msal.verify = env.CA_FILE;
  if (env.INSTANCE_DISCOVERY) msal.instanceDiscovery = env.INSTANCE_DISCOVERY === "false" ? false : env.INSTANCE_DISCOVERY;
  return {
    authority: env.AUTHORITY ?? "https://login.microsoftonline.com/organizations",
    clientId: env.CLIENT_ID,
    scopes: (env.SCOPES ?? "User.Read").split(/[\s,]+/).filter(Boolean),
    cacheDir: env.CACHE_DIR ?? join(homedir(), ".msal-ts-device-code-cli"),
    msal,
  };
}

/** How a run ended. */
export type SignInOutcome =
  | { readonly result: TokenResult; readonly silent: boolean }
  | { readonly error: string; readonly errorDescription: string };

/** What the tool does around the sign-in. */
export interface SignInHooks {
  /** Where the lines for the user go (`console.log` by default). */
  readonly print?: (line: string) => void;
  /** Called once the code is shown; polling goes on meanwhile. */
  readonly onDeviceCode?: (flow: DeviceFlow) => void;
  /** Stops waiting for the user. */
  readonly signal?: AbortSignal;
}

function appFor(config: DeviceCodeCliConfig): PublicClientApplication {
  return new PublicClientApplication(config.clientId, {
    ...config.msal,
    authority: config.authority,
    tokenCache: new FilePersistedTokenCache(join(config.cacheDir, "msal_token_cache.json")),
    httpCache: new FilePersistedHttpCache(join(config.cacheDir, "msal_http_cache.json")),
  });
}

/**
 * Signs in: silently when the cache holds an account whose tokens still work, else with the
 * device code flow. Prints what happened; never the token.
 */
export async function signIn(config: DeviceCodeCliConfig, hooks: SignInHooks = {}): Promise<SignInOutcome> {
  const print = hooks.print ?? console.log;
  const options = hooks.signal ? { signal: hooks.signal } : {};
  const app = appFor(config);

  // Signed in before? Then the cached access token, or the refresh token, does it without the user.
  const [account] = await app.getAccounts();
  if (account) {
    const cached = await app.acquireTokenSilent([...config.scopes], account, options);
    if (cached && !("error" in cached)) {
      print(`Signed in as ${account.username} (silently, token from ${cached.token_source}).`);
      return { result: cached, silent: true };
    }
  }

  const flow = await app.initiateDeviceFlow([...config.scopes], options);
  if ("error" in flow) return failed(print, flow.error, flow.error_description);
  print(flow.message ?? `To sign in, open ${flow.verification_uri} and enter the code ${flow.user_code}.`);
  hooks.onDeviceCode?.(flow);
  // Polls the authority at the interval it asked for, until the user finishes or the code expires.
  const result = await app.acquireTokenByDeviceFlow(flow, options);
  if ("error" in result) return failed(print, result.error, result.error_description);
  const claims = result.id_token_claims ?? {};
  print(`Signed in as ${String(claims.preferred_username ?? "?")} (${String(claims.name ?? "")}), token from ${result.token_source}.`);
  return { result, silent: false };
}

/** Removes every account (and its tokens) from the cache file. */
export async function signOut(config: DeviceCodeCliConfig, print: (line: string) => void = console.log): Promise<number> {
  const app = appFor(config);
  const accounts = await app.getAccounts();
  for (const account of accounts) await app.removeAccount(account);
  print(accounts.length ? `Signed out ${accounts.map((a) => a.username).join(", ")}.` : "Nobody was signed in.");
  return accounts.length;
}

function failed(print: (line: string) => void, error: string, description: string | undefined): SignInOutcome {
  const errorDescription = description?.split(/\r?\n/)[0] ?? "";
  print(`Sign-in failed: ${error}: ${errorDescription}`);
  return { error, errorDescription };
}
