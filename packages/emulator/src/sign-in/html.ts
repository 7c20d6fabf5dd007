import type { TextResult } from "../http.js";

// HTML output of the sign-in pages: escaping and the shared page frame.

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * A template tag that escapes every interpolated value, except values already made by {@link html}
 * (or arrays of them), so pages are safe by construction.
 */
export function html(strings: TemplateStringsArray, ...values: readonly unknown[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

/** Markup that is already escaped. */
export class SafeHtml {
  readonly #markup: string;
  constructor(markup: string) {
    this.#markup = markup;
  }
  toString(): string {
    return this.#markup;
  }
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(String(value));
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#eef1f5;
    font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b}
  main{width:min(440px,100% - 32px);background:#fff;padding:36px 40px;box-shadow:0 2px 8px rgba(0,0,0,.15)}
  .brand{font-size:13px;color:#5e5e5e;margin:0 0 16px}
  h1{font-size:24px;font-weight:600;margin:0 0 16px}
  label{display:block;font-weight:600;margin:12px 0 4px}
  input[type=text],input[type=email],input[type=password]{width:100%;padding:8px;font:inherit;border:1px solid #8a8886}
  input:focus,button:focus{outline:2px solid #0067b8;outline-offset:1px}
  .actions{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}
  button{font:inherit;padding:6px 20px;min-width:108px;border:1px solid #8a8886;background:#fff;cursor:pointer}
  button.primary{background:#0067b8;border-color:#0067b8;color:#fff}
  .alert{color:#a80000;margin:8px 0}
  .hint{color:#5e5e5e;font-size:13px}
  ul.scopes{padding-left:20px}
  .account{width:100%;text-align:left;padding:10px 12px;margin:6px 0}
  .details{font:12px/1.4 ui-monospace,monospace;color:#5e5e5e;white-space:pre-wrap;word-break:break-all}
`;

/** Headers every page carries: never cached, never framed, no referrer leaking query strings. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** Options of {@link page}. */
export interface PageOptions {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Markup after `<main>` (already safe), e.g. the form_post page's submitting script. */
  readonly script?: SafeHtml;
}

/** A complete HTML page in the emulator's frame. */
export function page(title: string, body: SafeHtml, options: PageOptions = {}): TextResult {
  const markup = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
<p class="brand">msal-ts emulator · Microsoft identity platform</p>
${body}
</main>
${options.script}
</body>
</html>
`;
  return {
    type: "text",
    status: options.status ?? 200,
    body: markup.toString(),
    contentType: "text/html; charset=utf-8",
    headers: { ...PAGE_HEADERS, ...options.headers },
  };
}
