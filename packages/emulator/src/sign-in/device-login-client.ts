import { SignInError, fill, keepCookies, viaFetch, viaHttps } from "./form-client.js";
import type { SignInOptions } from "./form-client.js";
import { alertText, parseForms } from "./html-forms.js";

// The device login page without a browser: types the user code, signs in with the sign-in pages'
// forms, and continues (or cancels) on the confirmation page, so tests of the device code flow can
// approve a code while the app polls.

/** Options of {@link completeDeviceLogin}: those of the sign-in helper, plus the last answer. */
export interface DeviceLoginOptions extends SignInOptions {
  /** Cancel on the confirmation page ("Are you trying to sign in to …?") instead of continuing. */
  readonly decline?: boolean;
}

/** How a device login ended: the app's next poll gets tokens, or `authorization_declined`. */
export type DeviceLoginOutcome = "approved" | "declined";

/**
 * Completes a device login as a user at a browser would: opens the verification URI, enters the user
 * code, signs in (username and password, one-time code, consent, account picker, as the pages ask),
 * and continues — or, with `decline`, cancels. Cancelling the consent page (`consent: false`) declines
 * too.
 *
 * @param verificationUri - the device authorization response's `verification_uri`.
 * @param userCode - its `user_code`.
 * @returns `"approved"` or `"declined"`.
 * @throws SignInError when the page refuses the code (unknown, expired, used) or the credentials, or
 *   shows an error.
 * @example
 * ```ts
 * const flow = await app.initiateDeviceFlow(["User.Read"]);
 * const polling = app.acquireTokenByDeviceFlow(flow);
 * await completeDeviceLogin(flow.verification_uri, flow.user_code, {
 *   username: "adele@contoso.onmicrosoft.com",
 *   password: "adele-password~emulator",
 *   ca: emulator.caCertificate,
 * });
 * const result = await polling;
 * ```
 */
export async function completeDeviceLogin(
  verificationUri: string,
  userCode: string,
  options: DeviceLoginOptions = {},
): Promise<DeviceLoginOutcome> {
  const send = options.fetch ? viaFetch(options.fetch) : viaHttps(options.ca);
  const jar = options.cookies ?? new Map<string, string>();
  const origin = new URL(verificationUri).origin;
  const seen = new Set<string>();
  let url = new URL(verificationUri);
  let method = "GET";
  let body: string | undefined;
  for (let step = 0; step < 20; step++) {
    const headers: Record<string, string> = { accept: "text/html" };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const reply = await send(url.toString(), method, headers, body);
    keepCookies(jar, reply.setCookies);
    if (reply.status === 200 && /\bid="success"/.test(reply.body)) return "approved";
    if (reply.status === 200 && /\bid="declined"/.test(reply.body)) return "declined";

    const [form] = parseForms(reply.body);
    if (reply.status !== 200 || !form) {
      throw new SignInError(alertText(reply.body) ?? `The emulator answered ${reply.status} without a form.`);
    }
    const action = new URL(form.action, url);
    if (action.origin !== origin) throw new SignInError("The device login page posted away from the emulator.");
    const fields: Record<string, string> = {};
    for (const input of form.inputs) fields[input.name] = input.value;
    let answer: Record<string, string>;
    if (form.buttons.some((b) => b.value === "approve")) {
      answer = { ...fields, action: options.decline ? "decline" : "approve" };
    } else if (form.inputs.some((i) => i.name === "user_code" && i.type === "text")) {
      if (seen.has("code")) throw new SignInError(alertText(reply.body) ?? "The emulator refused the code.");
      seen.add("code");
      answer = { ...fields, user_code: userCode, action: "next" };
    } else {
      answer = fill(form, options, seen, alertText(reply.body));
    }
    [url, method, body] = [action, "POST", new URLSearchParams(answer).toString()];
  }
  throw new SignInError("The device login did not finish within 20 requests.");
}
