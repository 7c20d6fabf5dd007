/**
 * The accounts an application knows, read from its cache.
 *
 * @module
 */
import { invalidArgType } from "../errors.js";
import type { AppContext } from "./app-context.js";
import { isRunningInCloudShell } from "./cloud-shell.js";

/** An account, as `getAccounts()` returns it and `acquireTokenSilent()` takes it. */
export interface Account {
  /**
   * The user's id across tenants: `{uid}.{utid}` from the authority's `client_info` (object id
   * dot home tenant id), or the id token's `sub` where there is no `client_info` (AD FS).
   */
  readonly home_account_id: string;
  /** The authority host the account signed in through, e.g. `login.microsoftonline.com`. */
  readonly environment: string;
  /** The sign-in name (the id token's `preferred_username` or `upn`); `""` when unknown. */
  readonly username: string;
  /**
   * The grant the account first signed in with (`authorization_code`, `password`,
   * `urn:ietf:params:oauth:grant-type:device_code` or `broker`), when recorded.
   */
  readonly account_source?: string;
  /**
   * Legacy field, kept for callers of older MSALs: `MSSTS` for Entra, `ADFS`, or `CLOUDSHELL` for
   * an account Cloud Shell's tokens were cached with.
   */
  readonly authority_type?: string;
  /** Legacy field: the user's id in the tenant signed in to (the id token's `oid`, else `sub`). */
  readonly local_account_id?: string;
  /** Legacy field: the tenant the account was cached under (a tenant id, or `common`, `organizations`, …). */
  readonly realm?: string;
}

/** Options of `getAccounts`. */
export interface GetAccountsOptions {
  /** Only accounts with this username (case-insensitive). */
  readonly username?: string;
  /** Cancels the authority alias lookup made when no account is cached under the app's own host. */
  readonly signal?: AbortSignal;
}

const USER_AUTHORITY_TYPES: ReadonlySet<string> = new Set(["MSSTS", "ADFS"]);
/** Inside Cloud Shell, a public client also lists the accounts Cloud Shell's tokens were cached with. */
const CLOUD_SHELL_AUTHORITY_TYPES: ReadonlySet<string> = new Set([...USER_AUTHORITY_TYPES, "CLOUDSHELL"]);

function accountsIn(ctx: AppContext, environment: string): Account[] {
  const byHome = new Map<string, Account>();
  const types = !ctx.confidential && isRunningInCloudShell() ? CLOUD_SHELL_AUTHORITY_TYPES : USER_AUTHORITY_TYPES;
  for (const a of ctx.cache.getAccounts(environment)) {
    if (!types.has(String(a.authority_type)) || typeof a.home_account_id !== "string") continue;
    // One account per user, however many tenants it has signed in to.
    if (byHome.has(a.home_account_id)) continue;
    byHome.set(a.home_account_id, {
      home_account_id: a.home_account_id,
      environment: a.environment,
      username: typeof a.username === "string" ? a.username : "",
      ...(typeof a.account_source === "string" ? { account_source: a.account_source } : {}),
      ...(typeof a.authority_type === "string" ? { authority_type: a.authority_type } : {}),
      ...(typeof a.local_account_id === "string" ? { local_account_id: a.local_account_id } : {}),
      ...(typeof a.realm === "string" ? { realm: a.realm } : {}),
    });
  }
  return [...byHome.values()];
}

/**
 * The accounts signed in to this app's authority (or, when there are none, to one of its aliases),
 * one per user.
 */
export async function getAccounts(ctx: AppContext, opts: GetAccountsOptions = {}): Promise<Account[]> {
  if (typeof opts !== "object" || opts === null) throw invalidArgType("options must be an object");
  if (opts.username !== undefined && typeof opts.username !== "string") throw invalidArgType("username must be a string");
  let accounts = accountsIn(ctx, ctx.environment);
  if (accounts.length === 0) {
    for (const alias of await ctx.aliases(opts.signal)) {
      if (alias === ctx.environment) continue;
      accounts = accountsIn(ctx, alias);
      if (accounts.length) break;
    }
  }
  if (opts.username) {
    const wanted = opts.username.toLowerCase();
    accounts = accounts.filter((a) => a.username.toLowerCase() === wanted);
  }
  return accounts;
}

/** Signs an account out of this app: its tokens and account entries leave the cache. */
export function removeAccount(ctx: AppContext, account: Account): void {
  if (typeof account !== "object" || account === null || typeof account.home_account_id !== "string") {
    throw invalidArgType("account must be one of the objects getAccounts() returned");
  }
  const meta = ctx.cache.getAppMetadata(ctx.clientId, account.environment);
  ctx.cache.removeAccount(
    { home_account_id: account.home_account_id, environment: account.environment },
    ctx.clientId,
    typeof meta?.family_id === "string" ? meta.family_id : undefined,
  );
}
