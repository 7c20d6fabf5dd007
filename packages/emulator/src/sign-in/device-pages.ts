import type { TextResult } from "../http.js";
import { html, page } from "./html.js";
import type { SafeHtml } from "./html.js";

// The device login pages (RFC 8628 §3.3): where the user types the code a device shows, confirms the
// app after signing in, and learns how it ended. Element ids are stable for browser tests:
// `#user-code` and `button#next` on the code page, `button#approve` / `button#decline` on the
// confirmation page, `#success` / `#declined` on the last page, `#error` for messages.

/** The verification URI's path: `https://{host}/devicelogin`, as Entra's `microsoft.com/devicelogin`. */
export const DEVICE_LOGIN_PATH = "/devicelogin";

function alert(message: string | undefined): SafeHtml {
  return html`${message === undefined ? "" : html`<p class="alert" role="alert" id="error">${message}</p>`}`;
}

function options(status: number, headers: Readonly<Record<string, string>> | undefined): { status: number; headers?: Readonly<Record<string, string>> } {
  return headers ? { status, headers } : { status };
}

/** The code entry page; with `error` after a code that did not work. */
export function deviceCodePage(
  p: { readonly userCode?: string; readonly error?: string; readonly headers?: Readonly<Record<string, string>> },
  status = 200,
): TextResult {
  return page(
    "Enter code",
    html`<h1>Enter code</h1>
<p>Enter the code displayed on your app or device.</p>
${alert(p.error)}
<form method="post" action="${DEVICE_LOGIN_PATH}">
<label for="user-code">Code</label>
<input type="text" id="user-code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" value="${p.userCode ?? ""}" required autofocus>
<div class="actions"><button type="submit" class="primary" id="next" name="action" value="next">Next</button></div>
</form>
<p class="hint">Only enter a code that you obtained yourself, from an app or device you trust.</p>`,
    options(status, p.headers),
  );
}

/** After signing in: does the user really want this app (on the other device) signed in? */
export function deviceConfirmPage(p: {
  readonly appName: string;
  readonly username: string;
  readonly userCode: string;
  /** The secret that ties the answer to this confirmation. */
  readonly confirmation: string;
  readonly headers?: Readonly<Record<string, string>>;
}): TextResult {
  return page(
    "Continue signing in",
    html`<h1>Are you trying to sign in to <span id="app-name">${p.appName}</span>?</h1>
<p>${p.username}</p>
<p>Only continue if you started this sign-in on a device or app that you trust, and the code came from it.
Someone who tricks you into signing in here gets access to your account.</p>
<form method="post" action="${DEVICE_LOGIN_PATH}">
<input type="hidden" name="user_code" value="${p.userCode}">
<input type="hidden" name="confirmation" value="${p.confirmation}">
<div class="actions"><button type="submit" id="decline" name="action" value="decline">Cancel</button>
<button type="submit" class="primary" id="approve" name="action" value="approve">Continue</button></div>
</form>`,
    options(200, p.headers),
  );
}

/** The end of an approved device login. */
export function deviceSignedInPage(appName: string): TextResult {
  return page(
    appName,
    html`<h1>${appName}</h1>
<p id="success">You have signed in to the ${appName} application on your device. You may now close this window.</p>`,
  );
}

/** The end of a declined device login. */
export function deviceDeclinedPage(appName: string): TextResult {
  return page(
    "Sign-in canceled",
    html`<h1>Sign-in canceled</h1>
<p id="declined">You declined to sign in to ${appName} on the other device. You may now close this window.</p>`,
  );
}
