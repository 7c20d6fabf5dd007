/**
 * `msal-ts logout`: removes an account (or every account) and its tokens from the token cache.
 *
 * @module
 */
import { namedAccount } from "../accounts.js";
import { publicApp } from "../apps.js";
import { parseCommandLine, withCacheFile } from "../command.js";
import type { Command } from "../command.js";
import { print, printJson, tell } from "../io.js";
import { globalOptions, globalOptionsHelp, resolveSettings } from "../options.js";

const help = `Usage: msal-ts logout [--account <username>] [options]

Signs an account out of the app: its tokens and account entries leave the token cache. Without
--account, signs every account out.

Options:
  --account <username>         the account to sign out

${globalOptionsHelp}
`;

/** `msal-ts logout`. */
export const logout: Command = {
  name: "logout",
  summary: "sign an account (or all) out, removing its tokens from the cache",
  help: () => help,
  async run(args, io) {
    const { values } = parseCommandLine("logout", { args, options: { ...globalOptions, account: { type: "string" } } });
    if (values.help) {
      io.stdout.write(help);
      return;
    }
    const settings = resolveSettings("logout", values, io.env);
    await withCacheFile(settings, io, async ({ cache }) => {
      const app = publicApp(settings, cache);
      const targets = values.account === undefined ? await app.getAccounts() : [await namedAccount(app, values.account)];
      for (const account of targets) await app.removeAccount(account);
      if (settings.json) printJson(io, { signed_out: targets.map((a) => a.username) });
      else if (targets.length === 0) tell(io, "No accounts are signed in.");
      else for (const account of targets) print(io, `Signed out ${account.username}`);
    });
  },
};
