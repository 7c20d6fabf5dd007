/**
 * The pages the loopback listener shows the browser when the sign-in comes back: a plain success
 * page, a failure page naming the error, and the short answer to requests it does not take.
 *
 * @module
 */

/** What a failure page may show: the authorization error's standard fields. */
export interface FailureDetails {
  readonly error: string;
  readonly error_description?: string | undefined;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function document(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; font-weight: 600; }
.details { color: #555; white-space: pre-wrap; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/**
 * The page after a successful sign-in. It shows nothing of the response: the code stays between
 * the browser and the app.
 */
export const DEFAULT_SUCCESS_PAGE: string = document(
  "Signed in",
  `<h1 id="result">Authentication complete.</h1>
<p>You can close this window and return to the application.</p>`,
);

/**
 * The failure page's template: `{error}` and `{error_description}` are replaced by the
 * authority's values, escaped.
 */
export const DEFAULT_FAILURE_TEMPLATE: string = document(
  "Sign-in failed",
  `<h1 id="result">Authentication failed.</h1>
<p>The application could not sign you in. You can close this window and return to it.</p>
<p class="details">Error: <span id="error">{error}</span>
<span id="error-description">{error_description}</span></p>`,
);

/**
 * Fills a failure template: every `{error}` and `{error_description}` is replaced by the value,
 * HTML-escaped (an absent description becomes empty). Other text is sent as written.
 */
export function renderFailurePage(template: string, details: FailureDetails): string {
  return template.replace(/\{(error|error_description)\}/g, (_match, name: string) =>
    escapeHtml((name === "error" ? details.error : details.error_description) ?? ""),
  );
}

/** The answer to a request the listener does not take (a favicon, a stray or forged request). */
export function ignoredRequestPage(title: string, explanation: string): string {
  return document(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(explanation)}</p>`);
}
