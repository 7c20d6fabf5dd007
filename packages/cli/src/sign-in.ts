/**
 * Signing a user in: through the browser (the default) or with a device code.
 *
 * @module
 */
import { isMsalError } from "@msal-ts/msal";
import type { AuthenticationResult, ErrorResult, PromptValue, PublicClientApplication, TokenResult } from "@msal-ts/msal";
import { AuthError, CliError, UsageError } from "./errors.js";
import { bold, tell, unlessCancelled } from "./io.js";
import type { Io } from "./io.js";
import { startProgress } from "./progress.js";
import type { Progress } from "./progress.js";

/** `parseArgs` definitions of the sign-in options of `login` and `token`. */
export const signInOptions = {
  "device-code": { type: "boolean" },
  "login-hint": { type: "string" },
  prompt: { type: "string" },
  timeout: { type: "string" },
  "no-browser": { type: "boolean" },
} as const;

/** The help of {@link signInOptions}. */
export const signInOptionsHelp = `  --device-code                sign in on another device with a code (no browser here)
  --login-hint <username>      pre-fill the username on the sign-in page
  --prompt <value>             login, select_account, consent, create or none
  --timeout <seconds>          give up waiting for the browser after this long
  --no-browser                 print the sign-in URL instead of opening a browser`;

/** The parsed values of {@link signInOptions}. */
export interface SignInValues {
  readonly "device-code"?: boolean | undefined;
  readonly "login-hint"?: string | undefined;
  readonly prompt?: string | undefined;
  readonly timeout?: string | undefined;
  readonly "no-browser"?: boolean | undefined;
}

const PROMPTS: readonly PromptValue[] = ["login", "select_account", "consent", "create", "none"];

/**
 * Checks the sign-in options before anything is sent.
 *
 * @throws UsageError for an unknown prompt, a timeout that is not a positive number, or browser
 *   options combined with `--device-code`.
 */
export function checkSignInValues(values: SignInValues, command: string): void {
  if (values["device-code"]) {
    const browserOnly = (["prompt", "timeout", "no-browser", "login-hint"] as const).filter((name) => values[name] !== undefined);
    if (browserOnly.length > 0) {
      throw new UsageError(`${browserOnly.map((n) => `--${n}`).join(", ")} ${browserOnly.length > 1 ? "are" : "is"} for the browser sign-in, not --device-code`, command);
    }
  }
  if (values.prompt !== undefined && !(PROMPTS as readonly string[]).includes(values.prompt)) {
    throw new UsageError(`--prompt must be one of ${PROMPTS.join(", ")}`, command);
  }
  if (values.timeout !== undefined && !(/^\d+$/.test(values.timeout) && Number(values.timeout) > 0)) {
    throw new UsageError("--timeout must be a whole number of seconds, 1 or more", command);
  }
}

/** A device flow may carry any field the authority sent, so `"error" in` cannot tell it from an error result. */
function isErrorResult(value: object): value is ErrorResult {
  return typeof (value as { error?: unknown }).error === "string";
}

function tokenOrThrow(result: AuthenticationResult): TokenResult {
  if ("error" in result) throw new AuthError(result);
  return result;
}

async function signInWithDeviceCode(io: Io, app: PublicClientApplication, scopes: readonly string[]): Promise<TokenResult> {
  const flow = await unlessCancelled(app.initiateDeviceFlow(scopes, { signal: io.signal }), io.signal);
  if (isErrorResult(flow)) throw new AuthError(flow);
  const message = flow.message ?? `To sign in, use a web browser to open the page ${flow.verification_uri} and enter the code ${flow.user_code}.`;
  tell(io, "");
  tell(io, bold(io, message));
  tell(io, "");
  const expiresAt = Number.isFinite(flow.expires_at) && flow.expires_at > 0 ? flow.expires_at * 1000 : Date.now() + flow.expires_in * 1000;
  const progress = startProgress(io, "Waiting for you to sign in", expiresAt);
  try {
    return tokenOrThrow(await unlessCancelled(app.acquireTokenByDeviceFlow(flow, { signal: io.signal }), io.signal));
  } finally {
    progress.stop();
  }
}

async function signInWithBrowser(
  io: Io,
  app: PublicClientApplication,
  scopes: readonly string[],
  values: SignInValues,
): Promise<TokenResult> {
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  const deadline = timeout === undefined ? undefined : Date.now() + timeout * 1000;
  const waiting = "Waiting for you to sign in in the browser";
  let progress: Progress | undefined;
  if (!values["no-browser"]) {
    tell(io, "Opening your browser to sign in (use --device-code where there is none)...");
    progress = startProgress(io, waiting, deadline);
  }
  try {
    const result = await unlessCancelled(
      app.acquireTokenInteractive(scopes, {
        signal: io.signal,
        ...(timeout === undefined ? {} : { timeout }),
        ...(values.prompt === undefined ? {} : { prompt: values.prompt as PromptValue }),
        ...(values["login-hint"] === undefined ? {} : { loginHint: values["login-hint"] }),
        ...(values["no-browser"]
          ? {
              openBrowser: (url: string) => {
                tell(io, "");
                tell(io, bold(io, "To sign in, open this URL in a browser on this machine:"));
                tell(io, url);
                tell(io, "");
                progress = startProgress(io, waiting, deadline);
              },
            }
          : {}),
      }),
      io.signal,
    );
    return tokenOrThrow(result);
  } catch (err) {
    // The library's advice names its options; say it with the command's.
    const code = isMsalError(err) ? err.code : undefined;
    if (code === "ERR_BROWSER_INTERACTION_TIMEOUT") {
      throw new CliError(`no sign-in came back within ${String(timeout)} seconds; allow more time with --timeout, or use --device-code`);
    }
    if (code === "ERR_BROWSER_LAUNCH") {
      throw new CliError("could not open a web browser; use --no-browser to get the sign-in URL, or --device-code");
    }
    throw err;
  } finally {
    progress?.stop();
  }
}

/**
 * Signs a user in, showing the device code's message or a waiting indicator on stderr.
 *
 * @returns The token result; the account is in the app's cache afterwards.
 * @throws AuthError when the authority refused; CancelledError on Ctrl-C.
 */
export function signIn(io: Io, app: PublicClientApplication, scopes: readonly string[], values: SignInValues): Promise<TokenResult> {
  return values["device-code"] ? signInWithDeviceCode(io, app, scopes) : signInWithBrowser(io, app, scopes, values);
}
