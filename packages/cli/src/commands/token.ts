/**
 * `msal-ts token`: prints an access token for the signed-in user, or for an app.
 *
 * @module
 */
import { ManagedIdentityClient, SystemAssignedManagedIdentity, UserAssignedManagedIdentity } from "@msal-ts/msal";
import type { TokenResult } from "@msal-ts/msal";
import { chooseAccount } from "../accounts.js";
import { confidentialApp, hasAppCredential, publicApp } from "../apps.js";
import type { AppCredentialValues } from "../apps.js";
import { parseCommandLine, withCacheFile } from "../command.js";
import type { Command } from "../command.js";
import { AuthError, CliError, UsageError } from "../errors.js";
import { print, printJson, tell, unlessCancelled } from "../io.js";
import type { Io } from "../io.js";
import { globalOptions, globalOptionsHelp, resolveSettings, scopesFrom } from "../options.js";
import type { Settings } from "../options.js";
import { checkSignInValues, signIn, signInOptions, signInOptionsHelp } from "../sign-in.js";
import type { SignInValues } from "../sign-in.js";
import { tokenJson, usernameOf } from "../token-output.js";

const help = `Usage: msal-ts token --scope <scope> [--scope <scope>...] [options]

Prints an access token for the scopes. For a user: from the token cache or with the account's
refresh token when it can, else after signing in (in the browser, or with --device-code). For an
app: with --client-secret or --certificate (client credentials; scopes are usually
<resource>/.default).

Options:
  --scope <scope>              a scope the token is for (repeatable; required)
  --account <username>         the signed-in account to use (needed when there are several)
  --silent-only                fail instead of signing in when no token can be had silently
  --force-refresh              skip cached access tokens
${signInOptionsHelp}
  --client-secret <secret>     authenticate as the app (--client-id) with this secret
  --certificate <file>         ... or with this certificate: a PEM holding the private key and
                               the certificate, or a PKCS#12 (.pfx)
  --certificate-thumbprint <hex>
                               the certificate's SHA-1 or SHA-256 thumbprint (default:
                               computed from the certificate in the PEM)
  --certificate-passphrase <p> the passphrase of an encrypted key or .pfx
  --managed-identity [<client id>]
                               use the managed identity of this Azure host (system-assigned,
                               or the user-assigned one with this client id); one --scope,
                               the resource, e.g. https://vault.azure.net/.default

${globalOptionsHelp}

With --json, prints { access_token, token_type, expires_in, expires_on, scope, token_source,
account }; token_source is "cache" when no request was sent.

Examples:
  msal-ts token --scope User.Read
  msal-ts token --scope https://graph.microsoft.com/.default --client-id <app id> \\
    --client-secret "$SECRET" --authority https://login.microsoftonline.com/<tenant>
  msal-ts token --managed-identity --scope https://vault.azure.net/.default
`;

const options = {
  ...globalOptions,
  ...signInOptions,
  scope: { type: "string", multiple: true },
  account: { type: "string" },
  "silent-only": { type: "boolean" },
  "force-refresh": { type: "boolean" },
  "client-secret": { type: "string" },
  certificate: { type: "string" },
  "certificate-thumbprint": { type: "string" },
  "certificate-passphrase": { type: "string" },
  "managed-identity": { type: "boolean" },
} as const;

/**
 * `--managed-identity` takes an optional value, which `parseArgs` cannot express: a value right
 * after it (or `--managed-identity=<id>`) is its client id.
 */
function splitManagedIdentity(args: readonly string[]): { args: string[]; managedIdentity: boolean; clientId: string | undefined } {
  const out: string[] = [];
  let managedIdentity = false;
  let clientId: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (arg === "--managed-identity" || arg.startsWith("--managed-identity=")) {
      managedIdentity = true;
      const inline = arg.startsWith("--managed-identity=") ? arg.slice("--managed-identity=".length) : undefined;
      const next = args[i + 1];
      if (inline !== undefined) clientId = inline;
      else if (next !== undefined && !next.startsWith("-")) {
        clientId = next;
        i++;
      }
      continue;
    }
    out.push(arg);
  }
  return { args: out, managedIdentity, clientId };
}

function show(io: Io, settings: Settings, result: TokenResult, account: string | null): void {
  if (settings.json) printJson(io, tokenJson(result, account));
  else print(io, result.access_token);
}

interface AppTokenValues extends AppCredentialValues {
  readonly "force-refresh"?: boolean | undefined;
}

async function appToken(io: Io, settings: Settings, scopes: readonly string[], values: AppTokenValues): Promise<void> {
  await withCacheFile(settings, io, async ({ cache }) => {
    const app = confidentialApp(settings, cache, values);
    const result = await unlessCancelled(
      app.acquireTokenForClient(scopes, { signal: io.signal, ...(values["force-refresh"] ? { forceRefresh: true } : {}) }),
      io.signal,
    );
    if ("error" in result) throw new AuthError(result);
    show(io, settings, result, null);
  });
}

/**
 * A managed identity's token. The source (IMDS, App Service, Service Fabric, Azure Arc …) is
 * detected from the environment; a scope's `/.default` suffix is dropped to name the resource.
 */
async function managedIdentityToken(
  io: Io,
  settings: Settings,
  scopes: readonly string[],
  clientId: string | undefined,
): Promise<void> {
  const [scope, ...more] = scopes;
  if (scope === undefined || more.length > 0) {
    throw new UsageError("--managed-identity takes exactly one --scope: the resource, e.g. https://vault.azure.net/.default", "token");
  }
  const resource = scope.replace(/\/\.default$/, "");
  await withCacheFile(settings, io, async ({ cache }) => {
    const identity = clientId ? new UserAssignedManagedIdentity({ clientId }) : new SystemAssignedManagedIdentity();
    const client = new ManagedIdentityClient(identity, { tokenCache: cache, environment: io.env });
    const result = await unlessCancelled(client.acquireTokenForClient({ resource, signal: io.signal }), io.signal);
    if ("error" in result) throw new AuthError(result);
    show(io, settings, result, null);
  });
}

interface UserTokenValues extends SignInValues {
  readonly account?: string | undefined;
  readonly "silent-only"?: boolean | undefined;
  readonly "force-refresh"?: boolean | undefined;
}

async function userToken(io: Io, settings: Settings, scopes: readonly string[], values: UserTokenValues): Promise<void> {
  await withCacheFile(settings, io, async ({ cache }) => {
    const app = publicApp(settings, cache);
    const account = await chooseAccount(app, values.account, "token");
    if (account !== undefined) {
      const silent = await unlessCancelled(
        app.acquireTokenSilentWithError(scopes, account, { signal: io.signal, ...(values["force-refresh"] ? { forceRefresh: true } : {}) }),
        io.signal,
      );
      if (silent !== null && !("error" in silent)) {
        show(io, settings, silent, account.username);
        return;
      }
      if (values["silent-only"]) {
        if (silent !== null) throw new AuthError(silent);
        throw new CliError(`no token for ${account.username} can be had without signing in again (run msal-ts login)`);
      }
      if (silent !== null) tell(io, `Signing in again: ${silent.error}`);
    } else if (values["silent-only"]) {
      throw new CliError(
        values.account === undefined ? "no account is signed in (run msal-ts login)" : `no signed-in account is named ${values.account}`,
      );
    }
    // The browser's sign-in page starts with the account the token was asked for.
    const hint = values["device-code"] ? undefined : (values["login-hint"] ?? account?.username ?? values.account);
    const result = await signIn(io, app, scopes, { ...values, ...(hint === undefined ? {} : { "login-hint": hint }) });
    show(io, settings, result, usernameOf(result) ?? null);
  });
}

/** `msal-ts token`. */
export const token: Command = {
  name: "token",
  summary: "print an access token (for the signed-in user, or an app with --client-secret/--certificate)",
  help: () => help,
  async run(rawArgs, io) {
    const { args, managedIdentity, clientId: managedIdentityClientId } = splitManagedIdentity(rawArgs);
    const { values } = parseCommandLine("token", { args, options });
    if (values.help) {
      io.stdout.write(help);
      return;
    }
    const settings = resolveSettings("token", values, io.env);
    const scopes = scopesFrom(values.scope);
    const forApp = hasAppCredential(values);
    const userOnly = (["account", "silent-only", ...Object.keys(signInOptions)] as const).filter(
      (name) => (values as Record<string, unknown>)[name] !== undefined,
    );
    if (managedIdentity) {
      if (forApp || userOnly.length > 0) throw new UsageError("--managed-identity takes no user or app credential options", "token");
      return managedIdentityToken(io, settings, scopes, managedIdentityClientId);
    }
    if (scopes.length === 0) throw new UsageError("--scope is required", "token");
    if (forApp) {
      if (userOnly.length > 0) {
        throw new UsageError(`${userOnly.map((n) => `--${n}`).join(", ")} ${userOnly.length > 1 ? "are" : "is"} for a user, not with an app credential`, "token");
      }
      return appToken(io, settings, scopes, values);
    }
    checkSignInValues(values, "token");
    return userToken(io, settings, scopes, values);
  },
};
