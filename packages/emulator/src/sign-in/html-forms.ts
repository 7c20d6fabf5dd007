// Reading the forms of the emulator's own pages, for the browserless sign-in helper. The pages are
// ours (double-quoted attributes, escaped with escapeHtml), so a small tag reader suffices.

/** One form on a page. */
export interface HtmlForm {
  readonly action: string;
  readonly method: string;
  /** `<input>` elements with a name, in order. */
  readonly inputs: readonly { readonly name: string; readonly type: string; readonly value: string }[];
  /** Submit buttons with a name. */
  readonly buttons: readonly { readonly name: string; readonly value: string }[];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/** Undoes the escaping of the emulator's pages (and numeric character references). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (ENTITIES[name]) return ENTITIES[name];
    if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)(?:="([^"]*)")?/g)) {
    const name = m[1];
    if (name) out[name.toLowerCase()] = decodeEntities(m[2] ?? "");
  }
  return out;
}

/** The forms of a page. */
export function parseForms(page: string): HtmlForm[] {
  return [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((m) => {
    const form = attributes(m[1] ?? "");
    const content = m[2] ?? "";
    const inputs = [...content.matchAll(/<input\b([^>]*)>/gi)]
      .map((i) => attributes(i[1] ?? ""))
      .filter((a) => a.name)
      .map((a) => ({ name: a.name ?? "", type: (a.type ?? "text").toLowerCase(), value: a.value ?? "" }));
    const buttons = [...content.matchAll(/<button\b([^>]*)>/gi)]
      .map((b) => attributes(b[1] ?? ""))
      .filter((a) => a.name && (a.type ?? "submit").toLowerCase() === "submit")
      .map((a) => ({ name: a.name ?? "", value: a.value ?? "" }));
    return { action: form.action ?? "", method: (form.method ?? "get").toLowerCase(), inputs, buttons };
  });
}

/** The text of the page's first `role="alert"` element (error messages), if any. */
export function alertText(page: string): string | undefined {
  const m = /<(\w+)\b[^>]*\brole="alert"[^>]*>([\s\S]*?)<\/\1>/i.exec(page);
  return m?.[2] === undefined ? undefined : decodeEntities(m[2].replace(/<[^>]*>/g, "")).trim();
}
