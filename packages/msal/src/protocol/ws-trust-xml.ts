/**
 * A namespace-aware reading of the XML that MEX documents and WS-Trust responses are written in.
 *
 * fast-xml-parser does the lexing; this module resolves prefixes to namespace URIs (so that
 * `wsp:Policy` is matched by what `wsp` stands for, never by the prefix a server happened to
 * choose) and keeps each element's offsets in the source text, so that a SAML assertion can be
 * cut out of a response byte for byte.
 *
 * Document type declarations are refused outright: no DTD, no entity expansion, no external
 * fetches. Only XML's five predefined entities and character references are decoded.
 *
 * @module
 */

import { XMLParser, XMLValidator, type XMLMetaData } from "fast-xml-parser";
import { NetworkError } from "../errors.js";

/** An attribute, by namespace URI (`""` for an unprefixed attribute) and local name. */
export interface XmlAttribute {
  readonly namespace: string;
  readonly localName: string;
  readonly value: string;
}

/** An element with its namespace resolved and its place in the source text. */
export interface XmlElement {
  /** The namespace URI, or `""` when the element is in no namespace. */
  readonly namespace: string;
  readonly localName: string;
  /** Attributes other than namespace declarations, values decoded. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own character data (CDATA included), decoded, not trimmed. */
  readonly text: string;
  /** Offset of the element's `<` in the source. */
  readonly start: number;
  /** Offset just past the element's end tag (or `/>`) in the source. */
  readonly end: number;
  /** The prefixes in scope (`""` is the default namespace), for QName values such as `tns:Binding`. */
  readonly prefixes: ReadonlyMap<string, string>;
}

const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const ATTRIBUTE_PREFIX = "@_";
const CDATA = "#cdata";
const TEXT = "#text";
const ATTRIBUTES = ":@";

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded below, and only the predefined ones: there is no DTD to define others.
  processEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
});
// Typed `Symbol` (the wrapper object) by the library; it is a primitive symbol at run time.
const META = XMLParser.getMetaDataSymbol() as symbol;

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** A lexical or namespace error, reported by {@link parseXml} as the reason a document is refused. */
class XmlSyntaxError extends Error {}

type FxpNode = Record<string | symbol, unknown>;

/**
 * Parses a document into namespace-resolved elements.
 *
 * @param text - The document.
 * @param what - How messages name the document, e.g. `The MEX document at https://…`.
 * @returns The root element.
 * @throws {@link NetworkError} `ERR_INVALID_RESPONSE` when the text is not one well-formed,
 *   namespace-well-formed XML element, or declares a document type.
 */
export function parseXml(text: string, what: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) {
    throw invalid(what, "it declares a document type (DTD), which is refused");
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) throw invalid(what, `${validation.err.msg} (line ${validation.err.line})`);
  try {
    const roots = (parser.parse(text) as FxpNode[]).filter((n) => tagOf(n) !== undefined);
    const [first] = roots;
    if (!first || roots.length !== 1) throw new XmlSyntaxError("it must have exactly one root element");
    return build(first, new Map([["xml", XML_NAMESPACE]]));
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw invalid(what, e.message);
    throw invalid(what, e instanceof Error ? e.message : String(e));
  }
}

function invalid(what: string, reason: string): NetworkError {
  return new NetworkError("ERR_INVALID_RESPONSE", `${what} is not usable XML: ${reason}.`);
}

function tagOf(node: FxpNode): string | undefined {
  return Object.keys(node).find((k) => k !== ATTRIBUTES && k !== TEXT && k !== CDATA);
}

function build(node: FxpNode, inherited: ReadonlyMap<string, string>): XmlElement {
  const tag = tagOf(node) ?? "";
  const raw = (node[ATTRIBUTES] ?? {}) as Record<string, string>;
  let prefixes = inherited;
  const plain: [string, string][] = [];
  for (const [key, value] of Object.entries(raw)) {
    const name = key.slice(ATTRIBUTE_PREFIX.length);
    const decoded = decodeEntities(value);
    if (name === "xmlns" || name.startsWith("xmlns:")) {
      if (prefixes === inherited) prefixes = new Map(inherited);
      (prefixes as Map<string, string>).set(name === "xmlns" ? "" : name.slice(6), decoded);
    } else {
      plain.push([name, decoded]);
    }
  }
  const name = resolve(tag, prefixes, true);
  const attributes = plain.map(([qname, value]) => ({ ...resolve(qname, prefixes, false), value }));
  const children: XmlElement[] = [];
  let text = "";
  for (const child of (node[tag] ?? []) as FxpNode[]) {
    if (typeof child[TEXT] === "string") text += decodeEntities(child[TEXT]);
    else if (Array.isArray(child[CDATA])) text += (child[CDATA] as FxpNode[]).map((c) => String(c[TEXT] ?? "")).join("");
    else if (tagOf(child) !== undefined) children.push(build(child, prefixes));
  }
  const meta = node[META] as XMLMetaData | undefined;
  if (meta?.startIndex === undefined || meta.endIndex === undefined) {
    throw new XmlSyntaxError(`the parser gave no position for <${tag}>`);
  }
  return { ...name, attributes, children, text, start: meta.startIndex, end: meta.endIndex, prefixes };
}

// Unprefixed elements take the default namespace; unprefixed attributes are in no namespace.
function resolve(qname: string, prefixes: ReadonlyMap<string, string>, isElement: boolean): { namespace: string; localName: string } {
  const colon = qname.indexOf(":");
  if (colon < 0) return { namespace: isElement ? (prefixes.get("") ?? "") : "", localName: qname };
  const prefix = qname.slice(0, colon);
  const namespace = prefixes.get(prefix);
  if (namespace === undefined) throw new XmlSyntaxError(`the prefix "${prefix}" of <${qname}> is not declared`);
  return { namespace, localName: qname.slice(colon + 1) };
}

function decodeEntities(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;&\s]*);/g, (_, ref: string) => {
    if (ref.startsWith("#")) {
      const code = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff) throw new XmlSyntaxError(`&${ref}; is not a character`);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED_ENTITIES[ref];
    if (value === undefined) throw new XmlSyntaxError(`the entity &${ref}; is not defined`);
    return value;
  });
}

/** True when `element` is `{namespace}localName`; `namespace` may list equivalent URIs. */
export function isElement(element: XmlElement, namespace: string | readonly string[], localName: string): boolean {
  return element.localName === localName && (typeof namespace === "string" ? element.namespace === namespace : namespace.includes(element.namespace));
}

/** The element's children named `{namespace}localName`, in document order. */
export function childrenNamed(element: XmlElement, namespace: string | readonly string[], localName: string): XmlElement[] {
  return element.children.filter((c) => isElement(c, namespace, localName));
}

/** The element's first child named `{namespace}localName`. */
export function childNamed(element: XmlElement, namespace: string | readonly string[], localName: string): XmlElement | undefined {
  return element.children.find((c) => isElement(c, namespace, localName));
}

/** The elements below `element` (not itself) named `{namespace}localName`, in document order. */
export function descendantsNamed(element: XmlElement, namespace: string | readonly string[], localName: string): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (e: XmlElement): void => {
    for (const c of e.children) {
      if (isElement(c, namespace, localName)) out.push(c);
      visit(c);
    }
  };
  visit(element);
  return out;
}

/** An attribute's value; `namespace` is `""` (the default) for an unprefixed attribute. */
export function attributeOf(element: XmlElement, localName: string, namespace = ""): string | undefined {
  return element.attributes.find((a) => a.localName === localName && a.namespace === namespace)?.value;
}

/** The trimmed text of the path of children below `element`, if every step exists. */
export function textAt(element: XmlElement, ...path: readonly (readonly [string | readonly string[], string])[]): string | undefined {
  let current: XmlElement | undefined = element;
  for (const [namespace, localName] of path) current = current && childNamed(current, namespace, localName);
  return current?.text.trim();
}
