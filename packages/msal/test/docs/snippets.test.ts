// Every TypeScript snippet in the READMEs and docs/ is typechecked against the real packages, so a
// renamed option or a changed result shape breaks this test rather than the reader's first try.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** Names the snippets use without defining them, as a reader would have them at hand. */
const PRELUDE = `
declare const clientId: string;
declare const authority: string;
declare const secret: string;
declare const clientCredential: string;
declare const nonce: string;
declare const publicJwk: import("node:crypto").JsonWebKey;
declare const account: import("@msal-ts/msal").Account;
declare const req: any;
declare const res: any;
`;

/** What a file's later snippets take from its earlier ones, or from the web framework around them. */
const FILE_PRELUDES: Readonly<Record<string, string>> = {
  "README.md": `declare const app: import("@msal-ts/msal").ConfidentialClientApplication;`,
  "packages/redis-cache/README.md": `
declare const app: { get(path: string, handler: (req: any, res: any) => unknown): void; post(path: string, handler: (req: any, res: any) => unknown): void; use(handler: (req: any, res: any, next: () => void) => unknown): void };
declare const store: import("@msal-ts/redis-cache").RedisTokenCacheStore;
declare const ConfidentialClientApplication: typeof import("@msal-ts/msal").ConfidentialClientApplication;
declare const RedisTokenCacheStore: typeof import("@msal-ts/redis-cache").RedisTokenCacheStore;
declare const userPartitionKey: typeof import("@msal-ts/redis-cache").userPartitionKey;
declare const client: ConstructorParameters<typeof import("@msal-ts/redis-cache").RedisTokenCacheStore>[0];
declare const tenantId: string;
declare const apiClientId: string;
declare const REDIRECT_URI: string;
declare function callGraph(accessToken: string): Promise<unknown>;`,
};

interface Snippet {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

function markdownFiles(): string[] {
  const files = [join(ROOT, "README.md")];
  const docs = join(ROOT, "docs");
  if (existsSync(docs)) for (const name of readdirSync(docs)) if (name.endsWith(".md")) files.push(join(docs, name));
  for (const group of ["packages", "examples"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      const readme = join(ROOT, group, name, "README.md");
      if (existsSync(readme)) files.push(readme);
    }
  }
  return files;
}

function snippetsOf(file: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = readFileSync(file, "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] ?? "")) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    out.push({ file, line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return out;
}

/** A module: the snippet's imports at the top, the rest inside an async function (top-level await works). */
function moduleOf(snippet: Snippet): string {
  const imports: string[] = [];
  const body: string[] = [];
  let inImport = false;
  for (const line of snippet.code.split("\n")) {
    if (inImport || /^import\s/.test(line)) {
      imports.push(line);
      inImport = !/;\s*$/.test(line);
    } else {
      body.push(line);
    }
  }
  const own = FILE_PRELUDES[relative(ROOT, snippet.file)] ?? "";
  const imported = new Set(imports.join("\n").match(/[A-Za-z_$][\w$]*/g) ?? []);
  // A file prelude's stand-in for a name the snippet imports itself would clash with the import.
  const context = own
    .split("\n")
    .filter((line) => !/^declare (const|function) ([\w$]+)/.test(line) || !imported.has(/^declare (?:const|function) ([\w$]+)/.exec(line)?.[1] ?? ""))
    .join("\n");
  return `${imports.join("\n")}\n${PRELUDE}\n${context}\nexport async function snippet() {\n${body.join("\n")}\n}\n`;
}

describe("documentation snippets", () => {
  const snippets = markdownFiles().flatMap(snippetsOf);

  it("are found in the README and docs", () => {
    assert.ok(snippets.length >= 8, `only ${snippets.length} snippets found`);
  });

  it("typecheck against the packages", () => {
    const base = ts.readConfigFile(join(ROOT, "tsconfig.base.json"), (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, ROOT);
    // Snippets are prose: a callback parameter whose type comes from a framework left out may be `any`.
    const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, types: ["node"], noImplicitAny: false };
    const virtual = new Map<string, { text: string; snippet: Snippet }>();
    snippets.forEach((snippet, i) => {
      virtual.set(join(ROOT, "packages", "msal", "test", "docs", `snippet-${i}.ts`), { text: moduleOf(snippet), snippet });
    });
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (name) => virtual.get(resolve(name))?.text ?? readFile(name);
    host.fileExists = (name) => virtual.has(resolve(name)) || fileExists(name);
    host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
      const v = virtual.get(resolve(name));
      return v ? ts.createSourceFile(name, v.text, languageVersion, true) : getSourceFile(name, languageVersion, onError, shouldCreate);
    };
    const program = ts.createProgram([...virtual.keys()], options, host);
    const problems: string[] = [];
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const source = diagnostic.file && virtual.get(resolve(diagnostic.file.fileName));
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      // The packages' own type errors are the typecheck's to report; here only the snippets count.
      if (diagnostic.file !== undefined && !source) continue;
      if (!source || diagnostic.file === undefined || diagnostic.start === undefined) {
        problems.push(message);
        continue;
      }
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const text = diagnostic.file.text.split("\n")[line]?.trim() ?? "";
      problems.push(`${relative(ROOT, source.snippet.file)} (snippet at line ${source.snippet.line}): ${message}\n    ${text}`);
    }
    assert.deepEqual(problems, []);
  });
});
