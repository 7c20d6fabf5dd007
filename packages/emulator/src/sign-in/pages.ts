import { MFA_CODE } from "../config.js";
import type { EntraErrorBody } from "../errors.js";
import type { TextResult } from "../http.js";
import { html, page } from "./html.js";
import type { SafeHtml } from "./html.js";

// The sign-in pages. Each form posts back to the authorize endpoint with the in-flight sign-in's id
// in the hidden `flow` field; the server keeps everything else. Field names are stable for browser
// tests: `username`, `password`, `otc` (the one-time code), and submit buttons named `action`.

/** What every sign-in step page needs. */
export interface StepPage {
  /** The in-flight sign-in's id. */
  readonly flowId: string;
  /** Where the form posts (the authorize path of the tenant segment the sign-in started at). */
  readonly action: string;
  /** The app's display name. */
  readonly appName: string;
  /** Set-Cookie and other headers to send with the page. */
  readonly headers?: Readonly<Record<string, string>>;
}

function stepForm(p: StepPage, fields: SafeHtml): SafeHtml {
  return html`<form method="post" action="${p.action}">
<input type="hidden" name="flow" value="${p.flowId}">
${fields}
</form>`;
}

function alert(message: string | undefined): SafeHtml {
  return html`${message === undefined ? "" : html`<p class="alert" role="alert" id="error">${message}</p>`}`;
}

function options(p: StepPage, status = 200): { status: number; headers?: Readonly<Record<string, string>> } {
  return p.headers ? { status, headers: p.headers } : { status };
}

/** The username and password form. */
export function credentialsPage(p: StepPage & { readonly username?: string; readonly error?: string }): TextResult {
  return page(
    "Sign in to your account",
    html`<h1>Sign in</h1>
<p>to continue to <strong>${p.appName}</strong></p>
${alert(p.error)}
${stepForm(
  p,
  html`<label for="username">Username</label>
<input type="text" inputmode="email" id="username" name="username" autocomplete="username" value="${p.username ?? ""}" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit" class="primary" id="sign-in" name="action" value="sign-in">Sign in</button></div>`,
)}
<p class="hint">The emulator prints its test users and their passwords when it starts.</p>`,
    options(p),
  );
}

/** The second factor: the emulator's fixed one-time code, shown on the page. */
export function mfaPage(p: StepPage & { readonly username: string; readonly error?: string }): TextResult {
  return page(
    "Verify your identity",
    html`<h1>Verify your identity</h1>
<p>${p.username}</p>
${alert(p.error)}
<p>Enter the code from your authenticator app. The emulator has no phones: the code is <strong id="mfa-code">${MFA_CODE}</strong>.</p>
${stepForm(
  p,
  html`<label for="otc">Code</label>
<input type="text" inputmode="numeric" id="otc" name="otc" autocomplete="one-time-code" required autofocus>
<div class="actions"><button type="submit" class="primary" id="verify" name="action" value="verify">Verify</button></div>`,
)}`,
    options(p),
  );
}

const OIDC_DESCRIPTIONS: Readonly<Record<string, string>> = {
  openid: "Sign you in",
  profile: "View your basic profile",
  email: "View your email address",
  offline_access: "Maintain access to data you have given it access to",
};

/** The consent prompt: the requested permissions with Accept and Cancel. */
export function consentPage(p: StepPage & { readonly username: string; readonly scopes: readonly string[]; readonly oidc: readonly string[] }): TextResult {
  const items = [
    ...p.oidc.flatMap((s) => (OIDC_DESCRIPTIONS[s] ? [html`<li>${OIDC_DESCRIPTIONS[s]}</li>`] : [])),
    ...p.scopes.map((s) => html`<li><code>${s}</code></li>`),
  ];
  return page(
    "Permissions requested",
    html`<h1>Permissions requested</h1>
<p>${p.username}</p>
<p><strong>${p.appName}</strong> would like to:</p>
<ul class="scopes" id="scopes">${items}</ul>
<p class="hint">Accepting lets this app use the data as its terms of service and privacy statement describe.</p>
${stepForm(
  p,
  html`<div class="actions"><button type="submit" id="cancel" name="action" value="cancel">Cancel</button>
<button type="submit" class="primary" id="accept" name="action" value="accept">Accept</button></div>`,
)}`,
    options(p),
  );
}

/** The account picker: the signed-in account, or another one. */
export function accountPage(p: StepPage & { readonly name: string; readonly username: string }): TextResult {
  return page(
    "Pick an account",
    html`<h1>Pick an account</h1>
<p>to continue to <strong>${p.appName}</strong></p>
${stepForm(
  p,
  html`<button type="submit" class="account" id="continue" name="action" value="continue">${p.name}<br><span class="hint">${p.username} · Signed in</span></button>
<button type="submit" class="account" id="another" name="action" value="another">Use another account</button>`,
)}`,
    options(p),
  );
}

/** An error the emulator cannot send back to the app (unknown app, unregistered redirect URI, …). */
export function errorPage(body: EntraErrorBody, status = 400): TextResult {
  const [summary = body.error] = body.error_description.split("\r\n");
  return page(
    "Sign-in error",
    html`<h1>Sorry, but we're having trouble signing you in.</h1>
<p class="alert" role="alert" id="error">${summary}</p>
<p class="details">Error: ${body.error}
Trace ID: ${body.trace_id}
Correlation ID: ${body.correlation_id}
Timestamp: ${body.timestamp}</p>`,
    { status },
  );
}

/** `response_mode=form_post`: a form that posts the response to the redirect URI by itself. */
export function formPostPage(redirectUri: string, fields: Readonly<Record<string, string>>, headers?: Readonly<Record<string, string>>): TextResult {
  const inputs = Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`);
  return page(
    "Working...",
    html`<h1>Signing you in…</h1>
<form method="post" action="${redirectUri}" id="response">
${inputs}<noscript><p>Scripts are off: press Continue to return to the app.</p><button type="submit">Continue</button></noscript>
</form>`,
    { ...(headers ? { headers } : {}), script: html`<script>document.getElementById("response").submit();</script>` },
  );
}

/** After logout, when there is no registered place to send the browser. */
export function signedOutPage(refusedRedirect: string | undefined, headers: Readonly<Record<string, string>>): TextResult {
  return page(
    "Signed out",
    html`<h1>You signed out of your account</h1>
<p>It's a good idea to close all browser windows.</p>
${refusedRedirect === undefined ? "" : html`<p class="hint" id="refused">Not redirecting to ${refusedRedirect}: no app of this tenant registered it as a redirect URI.</p>`}`,
    { headers },
  );
}
