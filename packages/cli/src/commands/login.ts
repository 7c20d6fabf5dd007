/**
 * `msal-ts login`: signs a user in and keeps the account in the token cache.
 *
 * @module
 */
import { publicApp } from "../apps.js";
import { parseCommandLine, withCacheFile } from "../command.js";
import type { Command } from "../command.js";
import { print, printJson } from "../io.js";
import { globalOptions, globalOptionsHelp, resolveSettings, scopesFrom } from "../options.js";
import { checkSignInValues, signIn, signInOptions, signInOptionsHelp } from "../sign-in.js";
import { usernameOf } from "../token-output.js";

const help = `Usage: msal-ts login [options]

Signs a user in, in the browser (the default) or with a device code, and keeps the account in the
token cache for later 'msal-ts token' calls. Prints the signed-in username.

Options:
  --scope <scope>              a scope to consent to now (repeatable; default: sign in only)
${signInOptionsHelp}

${globalOptionsHelp}

Examples:
  msal-ts login --client-id <app id> --authority https://login.microsoftonline.com/organizations
  msal-ts login --device-code --scope User.Read
`;

/** `msal-ts login`. */
export const login: Command = {
  name: "login",
  summary: "sign a user in (browser, or --device-code) and keep the account",
  help: () => help,
  async run(args, io) {
    const { values } = parseCommandLine("login", {
      args,
      options: { ...globalOptions, ...signInOptions, scope: { type: "string", multiple: true } },
    });
    if (values.help) {
      io.stdout.write(help);
      return;
    }
    const settings = resolveSettings("login", values, io.env);
    checkSignInValues(values, "login");
    const scopes = scopesFrom(values.scope);
    await withCacheFile(settings, io, async ({ cache }) => {
      const app = publicApp(settings, cache);
      const result = await signIn(io, app, scopes, values);
      const username = usernameOf(result) ?? "";
      const [account] = (await app.getAccounts()).filter((a) => username === "" || a.username.toLowerCase() === username.toLowerCase());
      if (settings.json) {
        printJson(io, {
          username: username || (account?.username ?? null),
          home_account_id: account?.home_account_id ?? null,
          environment: account?.environment ?? null,
          tenant_id: typeof result.id_token_claims?.tid === "string" ? result.id_token_claims.tid : null,
          scope: result.scope ?? null,
        });
      } else {
        print(io, `Signed in as ${username || account?.username || "(an account without a username)"}`);
      }
    });
  },
};
