/**
 * Choosing among the signed-in accounts.
 *
 * @module
 */
import type { Account, PublicClientApplication } from "@msal-ts/msal";
import { CliError, UsageError } from "./errors.js";

/**
 * The account a command acts for: the one named by `--account`, else the only one signed in.
 *
 * @returns `undefined` when no account is signed in (or none has that username).
 * @throws UsageError when several accounts are signed in and none is named.
 */
export async function chooseAccount(
  app: PublicClientApplication,
  username: string | undefined,
  command: string,
): Promise<Account | undefined> {
  if (username !== undefined) return (await app.getAccounts({ username }))[0];
  const accounts = await app.getAccounts();
  if (accounts.length > 1) {
    throw new UsageError(`several accounts are signed in (${accounts.map((a) => a.username).join(", ")}); choose one with --account`, command);
  }
  return accounts[0];
}

/**
 * The account named by `--account`.
 *
 * @throws CliError when no signed-in account has that username.
 */
export async function namedAccount(app: PublicClientApplication, username: string): Promise<Account> {
  const [account] = await app.getAccounts({ username });
  if (account === undefined) throw new CliError(`no signed-in account is named ${username} (see msal-ts accounts)`);
  return account;
}
