// JSON documents as trees that keep what a JavaScript object cannot: repeated keys, keys such as
// `__proto__`, and number literals no JavaScript number round-trips (`1e400`, `-0`, thirty
// digits). The fuzz targets start from a valid document and apply a few mutations to it, so that
// the parsers see near-misses that get past their first checks rather than noise.
import fc from "fast-check";

/** A JSON value as text: a literal, an array, or an object with its entries in order (repeats allowed). */
export type JsonNode =
  | { readonly t: "lit"; readonly text: string }
  | { readonly t: "arr"; readonly items: JsonNode[] }
  | { readonly t: "obj"; readonly entries: Array<[string, JsonNode]> };

/** A literal from its JSON text, which may be one no JavaScript value serializes to (`1e400`). */
export const lit = (text: string): JsonNode => ({ t: "lit", text });

/** A JSON tree of a plain value; `undefined` members are left out, as `JSON.stringify` does. */
export function fromValue(value: unknown): JsonNode {
  if (Array.isArray(value)) return { t: "arr", items: value.map(fromValue) };
  if (typeof value === "object" && value !== null) {
    const entries: Array<[string, JsonNode]> = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) entries.push([k, fromValue(v)]);
    return { t: "obj", entries };
  }
  return lit(JSON.stringify(value) ?? "null");
}

/** The JSON text of a tree. */
export function toText(node: JsonNode): string {
  switch (node.t) {
    case "lit":
      return node.text;
    case "arr":
      return `[${node.items.map(toText).join(",")}]`;
    case "obj":
      return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`).join(",")}}`;
  }
}

function clone(node: JsonNode): JsonNode {
  if (node.t === "lit") return node;
  if (node.t === "arr") return { t: "arr", items: node.items.map(clone) };
  return { t: "obj", entries: node.entries.map(([k, v]) => [k, clone(v)]) };
}

/** How a string (or number) literal is edited. */
export type LiteralEdit =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "upper" }
  | { readonly kind: "stringify" }
  | { readonly kind: "unstringify" };

/** One change to a document. `at` picks the place, modulo the number of places. */
export type Mutation =
  | { readonly op: "remove"; readonly at: number }
  | { readonly op: "replace"; readonly at: number; readonly value: JsonNode }
  | { readonly op: "add"; readonly at: number; readonly key: string; readonly value: JsonNode }
  | { readonly op: "repeat"; readonly at: number; readonly value: JsonNode }
  | { readonly op: "edit"; readonly at: number; readonly edit: LiteralEdit };

/** One change to a document's text, after the tree mutations. */
export type TextEdit =
  | { readonly kind: "none" }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "delete"; readonly at: number }
  | { readonly kind: "wrap"; readonly before: string; readonly after: string };

interface Place {
  readonly node: JsonNode;
  readonly set: (node: JsonNode) => void;
  /** Set for a member of an object or an array. */
  readonly remove?: () => void;
  /** Set for a member of an object: adds another entry with the same key right after it. */
  readonly repeat?: (node: JsonNode) => void;
}

function places(holder: { root: JsonNode }): Place[] {
  const out: Place[] = [{ node: holder.root, set: (n) => (holder.root = n) }];
  const walk = (node: JsonNode): void => {
    if (node.t === "arr") {
      node.items.forEach((child, i) => {
        out.push({ node: child, set: (n) => (node.items[i] = n), remove: () => node.items.splice(i, 1) });
        walk(child);
      });
    } else if (node.t === "obj") {
      node.entries.forEach((entry, i) => {
        out.push({
          node: entry[1],
          set: (n) => (entry[1] = n),
          remove: () => node.entries.splice(i, 1),
          repeat: (n) => node.entries.splice(i + 1, 0, [entry[0], n]),
        });
        walk(entry[1]);
      });
    }
  };
  walk(holder.root);
  return out;
}

function editLiteral(text: string, edit: LiteralEdit): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (edit.kind === "stringify") return JSON.stringify(typeof value === "string" ? value : text);
  if (edit.kind === "unstringify") return typeof value === "string" && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value.trim()) ? value.trim() : text;
  const s = typeof value === "string" ? value : text;
  const at = (n: number): number => n % (s.length + 1);
  switch (edit.kind) {
    case "truncate":
      return JSON.stringify(s.slice(0, at(edit.at)));
    case "insert":
      return JSON.stringify(s.slice(0, at(edit.at)) + edit.text + s.slice(at(edit.at)));
    case "upper":
      return JSON.stringify(s.toUpperCase());
  }
}

/**
 * Applies mutations to a copy of a tree, in order; a mutation with nowhere to apply does nothing.
 * Neither the tree nor the mutations' values are changed (fast-check reuses them while shrinking).
 *
 * @returns The mutated copy.
 */
export function mutate(node: JsonNode, mutations: readonly Mutation[]): JsonNode {
  const holder = { root: clone(node) };
  for (const m of mutations) {
    const all = places(holder);
    switch (m.op) {
      case "remove": {
        const members = all.filter((p) => p.remove !== undefined);
        members[m.at % Math.max(members.length, 1)]?.remove?.();
        break;
      }
      case "replace":
        all[m.at % all.length]?.set(clone(m.value));
        break;
      case "add": {
        const objects = all.filter((p) => p.node.t === "obj");
        const target = objects[m.at % Math.max(objects.length, 1)]?.node;
        if (target?.t === "obj") target.entries.push([m.key, clone(m.value)]);
        break;
      }
      case "repeat": {
        const members = all.filter((p) => p.repeat !== undefined);
        members[m.at % Math.max(members.length, 1)]?.repeat?.(clone(m.value));
        break;
      }
      case "edit": {
        const literals = all.filter((p) => p.node.t === "lit");
        const target = literals[m.at % Math.max(literals.length, 1)];
        if (target?.node.t === "lit") target.set(lit(editLiteral(target.node.text, m.edit)));
        break;
      }
    }
  }
  return holder.root;
}

/** Applies a text edit. */
export function editText(text: string, edit: TextEdit): string {
  const at = (n: number): number => n % (text.length + 1);
  switch (edit.kind) {
    case "none":
      return text;
    case "truncate":
      return text.slice(0, at(edit.at));
    case "insert":
      return text.slice(0, at(edit.at)) + edit.text + text.slice(at(edit.at));
    case "delete":
      return text.slice(0, at(edit.at)) + text.slice(at(edit.at) + 1);
    case "wrap":
      return edit.before + text + edit.after;
  }
}

/** Keys that reach into `Object.prototype` when a parser assigns them instead of defining them. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;

const LITERALS = [
  "null",
  "true",
  "false",
  "0",
  "-0",
  "1",
  "-1",
  "1.5",
  "3600",
  "-3600",
  "1e400",
  "-1e400",
  "1e21",
  "9007199254740993",
  "123456789012345678901234567890",
  "0.0000001",
  "1E3",
].map(lit);

const STRINGS = [
  "",
  " ",
  "x",
  "3600",
  " 3600 ",
  "-3600",
  "3600.5",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "\u0000",
  "line\r\nbreak",
  "é",
  "\u{1d4b3}",
  "\ud800",
  "__proto__",
  "https://evil.example/",
  "http://login.fuzz.test/",
  "a".repeat(3000),
].map((s) => lit(JSON.stringify(s)));

const SHAPES: JsonNode[] = [
  fromValue([]),
  fromValue([1, "a"]),
  fromValue({}),
  fromValue({ a: 1 }),
  { t: "obj", entries: [["__proto__", fromValue({ error: "polluted", access_token: "polluted" })]] },
  { t: "obj", entries: [["constructor", fromValue({ prototype: { polluted: true } })]] },
];

/** A JSON value that is often a boundary case: odd numbers, odd strings, small shapes, or random JSON. */
export const interestingValue: fc.Arbitrary<JsonNode> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.constantFrom(...SHAPES) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(fromValue) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }).map((s) => lit(JSON.stringify(s))) },
);

const insertedText = fc.oneof(
  fc.constantFrom("\u0000", " ", "\n", "\"", "\\", "%", "=", ".", "/", "..", "é", "\u{1f600}", "\ufeff", "}", "{", ","),
  fc.string({ maxLength: 6 }),
);

const literalEdit: fc.Arbitrary<LiteralEdit> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: insertedText }),
  fc.constant({ kind: "upper" as const }),
  fc.constant({ kind: "stringify" as const }),
  fc.constant({ kind: "unstringify" as const }),
);

/**
 * One mutation; added keys come from `keys` (the document's own field names, so that a missing
 * field comes back with another type), the prototype keys, or random text.
 */
export function mutationArb(keys: readonly string[]): fc.Arbitrary<Mutation> {
  const key = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(keys.length ? keys : ["x"])) },
    { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant("remove" as const), at: fc.nat() }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant("replace" as const), at: fc.nat(), value: interestingValue }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("add" as const), at: fc.nat(), key, value: interestingValue }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("repeat" as const), at: fc.nat(), value: interestingValue }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant("edit" as const), at: fc.nat(), edit: literalEdit }) },
  );
}

/** A list of mutations: none a fifth of the time, so the valid path is exercised too. */
export function mutationsArb(keys: readonly string[], maxLength = 4): fc.Arbitrary<Mutation[]> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
    { weight: 4, arbitrary: fc.array(mutationArb(keys), { minLength: 1, maxLength }) },
  );
}

/** A text edit: usually none, else a truncation, a stray character, or surrounding junk. */
export const textEditArb: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: insertedText }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("wrap" as const),
      before: fc.constantFrom("", "[", "\ufeff", " ", ")]}'\n"),
      after: fc.constantFrom("", "]", " ", "x", "\u0000", "{}"),
    }),
  },
);

/** How to turn a valid document into a test input: tree mutations, then a text edit. */
export interface DocumentRecipe {
  readonly mutations: readonly Mutation[];
  readonly text: TextEdit;
  /** Replaces the whole document with noise instead, when set. */
  readonly noise?: string | undefined;
}

/** A recipe whose mutations draw field names from `keys`. */
export function documentRecipeArb(keys: readonly string[]): fc.Arbitrary<DocumentRecipe> {
  const noise = fc.oneof(
    fc.json({ maxDepth: 2 }),
    fc.string({ maxLength: 30 }),
    fc.constantFrom("", "null", "[]", "\"text\"", "<html><body>Service Unavailable</body></html>", "{", "1e400", "{}"),
  );
  return fc.oneof(
    { weight: 14, arbitrary: fc.record({ mutations: mutationsArb(keys), text: textEditArb }) },
    { weight: 1, arbitrary: fc.record({ mutations: fc.constant([]), text: fc.constant({ kind: "none" as const }), noise }) },
  );
}

/** The text of a document made from a valid value by a recipe. */
export function applyRecipe(valid: unknown, recipe: DocumentRecipe): string {
  if (recipe.noise !== undefined) return recipe.noise;
  return editText(toText(mutate(fromValue(valid), recipe.mutations)), recipe.text);
}
