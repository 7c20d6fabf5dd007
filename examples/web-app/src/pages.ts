// The example's HTML: a few small pages, every value escaped.

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A whole page around `body` (already-escaped HTML). */
export function page(title: string, body: string, signedInAs?: string): string {
  const nav = signedInAs
    ? `<nav>Signed in as <strong id="signed-in-as">${escapeHtml(signedInAs)}</strong> ·
         <a href="/profile">Profile</a> · <a href="/call-api">Call the API</a> · <a href="/logout">Sign out</a></nav>`
    : `<nav><a href="/login" id="sign-in">Sign in</a></nav>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · msal-ts web app</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 48rem; padding: 0 1rem; color: #1b1b1b; }
  nav { padding-bottom: .75rem; border-bottom: 1px solid #ddd; margin-bottom: 1.5rem; }
  table { border-collapse: collapse; } td, th { text-align: left; padding: .25rem .75rem .25rem 0; vertical-align: top; }
  pre { background: #f5f5f5; padding: 1rem; overflow-x: auto; }
  .error { color: #a4262c; }
</style>
</head>
<body>
${nav}
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>`;
}

/** A two-column table of claims or fields. */
export function table(rows: Readonly<Record<string, unknown>>, id: string): string {
  const cells = Object.entries(rows)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === "string" ? v : JSON.stringify(v))}</td></tr>`)
    .join("\n");
  return `<table id="${escapeHtml(id)}">\n${cells}\n</table>`;
}
