import { XMLParser, XMLValidator } from "fast-xml-parser";

// Reading the SOAP messages and SAML assertions the federation service receives. Names are in Clark
// notation, `{namespace-uri}local`, so a message matches whatever prefixes its sender chose. Documents
// that declare a DTD are refused before parsing: no entity definitions, no external references.

/** An element: its `{uri}local` name, attributes by `{uri}local` (or bare `local`), children and text. */
export interface XmlNode {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlNode[];
  /** Character data directly inside the element, decoded and trimmed. */
  readonly text: string;
  /** The same, untrimmed (for values where spaces count, such as passwords). */
  readonly rawText: string;
}

/** Why a document was refused. */
export class XmlRefused extends Error {
  override readonly name = "XmlRefused";
}

const reader = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // With no DTD allowed, only XML's predefined entities remain; the numeric-reference decoder comes with htmlEntities.
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type Parsed = Record<string, unknown>;

/** Clark notation for a namespace and local name. */
export function qn(namespace: string, local: string): string {
  return `{${namespace}}${local}`;
}

/**
 * Parses a document.
 *
 * @throws XmlRefused when the text declares a DTD, is not well-formed, has more than one root, or
 *   uses an undeclared prefix.
 */
export function readXml(text: string): XmlNode {
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) throw new XmlRefused("DTDs and entity declarations are not accepted.");
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlRefused(`The message is not well-formed XML: ${valid.err.msg}`);
  const elements = (reader.parse(text) as Parsed[]).filter((n) => elementName(n) !== undefined);
  if (elements.length !== 1 || !elements[0]) throw new XmlRefused("The message must have exactly one root element.");
  return toNode(elements[0], { xml: "http://www.w3.org/XML/1998/namespace" });
}

function elementName(node: Parsed): string | undefined {
  return Object.keys(node).find((k) => k !== ":@" && k !== "#text");
}

function toNode(node: Parsed, outer: Readonly<Record<string, string>>): XmlNode {
  const tag = elementName(node) ?? "";
  const raw = Object.entries((node[":@"] ?? {}) as Record<string, string>);
  const scope: Record<string, string> = { ...outer };
  for (const [key, value] of raw) {
    if (key === "xmlns") scope[""] = value;
    else if (key.startsWith("xmlns:")) scope[key.slice(6)] = value;
  }
  const expand = (qname: string, unprefixed: string): string => {
    const [prefix, local] = qname.includes(":") ? qname.split(":", 2) : [undefined, qname];
    if (prefix === undefined) return unprefixed ? qn(unprefixed, qname) : qname;
    const uri = scope[prefix];
    if (uri === undefined) throw new XmlRefused(`The prefix '${prefix}' is not declared.`);
    return qn(uri, local ?? "");
  };
  const attributes = new Map<string, string>();
  for (const [key, value] of raw) if (key !== "xmlns" && !key.startsWith("xmlns:")) attributes.set(expand(key, ""), value);
  const children: XmlNode[] = [];
  let text = "";
  for (const child of (node[tag] ?? []) as Parsed[]) {
    if (typeof child["#text"] === "string") text += child["#text"];
    else children.push(toNode(child, scope));
  }
  return { name: expand(tag, scope[""] ?? ""), attributes, children, text: text.trim(), rawText: text };
}

/** The first element reached by following `names` (Clark notation) down from `node`. */
export function at(node: XmlNode | undefined, ...names: readonly string[]): XmlNode | undefined {
  let current = node;
  for (const name of names) current = current?.children.find((c) => c.name === name);
  return current;
}

/**
 * Escapes text for XML content and quoted attribute values. Characters beyond ASCII become character
 * references too, so that what is written is plain ASCII (MSAL Python encodes a SAML assertion as ASCII).
 */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']|[^\x20-\x7e]/gu, (c) => `&#${c.codePointAt(0) ?? 0};`);
}
