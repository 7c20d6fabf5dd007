/**
 * `msal-ts accounts`: lists the accounts signed in to the app at the authority.
 *
 * @module
 */
import { publicApp } from "../apps.js";
import { parseCommandLine, withCacheFile } from "../command.js";
import type { Command } from "../command.js";
import { print, printJson, tell } from "../io.js";
import { globalOptions, globalOptionsHelp, resolveSettings } from "../options.js";

const help = `Usage: msal-ts accounts [options]

Lists the accounts signed in (with 'msal-ts login') to the app at the authority: one username a
line, or with --json the accounts as MSAL returns them.

${globalOptionsHelp}
`;

/** `msal-ts accounts`. */
export const accounts: Command = {
  name: "accounts",
  summary: "list the signed-in accounts",
  help: () => help,
  async run(args, io) {
    const { values } = parseCommandLine("accounts", { args, options: globalOptions });
    if (values.help) {
      io.stdout.write(help);
      return;
    }
    const settings = resolveSettings("accounts", values, io.env);
    await withCacheFile(settings, io, async ({ cache }) => {
      const list = await publicApp(settings, cache).getAccounts();
      if (settings.json) printJson(io, list);
      else if (list.length === 0) tell(io, "No accounts are signed in.");
      else for (const account of list) print(io, account.username);
    });
  },
};
