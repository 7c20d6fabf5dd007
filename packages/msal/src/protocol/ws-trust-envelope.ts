/**
 * The WS-Trust request: a SOAP 1.2 envelope asking a federation server to issue a bearer SAML
 * token for Microsoft Entra ID, authenticated by a WS-Security username token.
 *
 * @module
 */

import { WS_TRUST_DIALECTS, XmlNamespace, type WsTrustVersion } from "./ws-trust-namespaces.js";

/** How long the request's WS-Security timestamp says the message is valid, in seconds. */
export const RST_VALIDITY_SECONDS = 600;

/** What goes into a RequestSecurityToken message. */
export interface RequestSecurityTokenParameters {
  /** The endpoint's URL, sent as `wsa:To`. */
  readonly address: string;
  readonly version: WsTrustVersion;
  readonly username: string;
  readonly password: string;
  /** The audience of the token: the realm's `cloud_audience_urn`. */
  readonly appliesTo: string;
  /** The message's creation time, epoch seconds. */
  readonly now: number;
  /** The `wsa:MessageID`, a `urn:uuid:` URI. */
  readonly messageId: string;
}

const ANONYMOUS = `${XmlNamespace.addressing}/anonymous`;

/**
 * Escapes a value for XML character data or a quoted attribute value: `&`, `<`, `>`, `"` and `'`.
 *
 * @param value - Any text, a password included.
 * @returns The text with those five characters written as entity references.
 */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${ENTITY_NAMES[c]};`);
}

const ENTITY_NAMES: Readonly<Record<string, string>> = { "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" };

/**
 * The time format of `wsu:Created` / `wsu:Expires`: UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`.
 *
 * @param epochSeconds - A time, epoch seconds.
 * @returns The time as an xsd:dateTime without fractional seconds.
 */
export function wsuTime(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Writes the RequestSecurityToken envelope.
 *
 * The header carries WS-Addressing (`Action`, `MessageID`, anonymous `ReplyTo`, `To`) and a
 * WS-Security header with a timestamp valid {@link RST_VALIDITY_SECONDS} seconds and the
 * username token (password in clear text: the policy is a transport binding, TLS protects it).
 * The body asks for a bearer token (`KeyType` Bearer in 1.3, NoProofKey in 2005) for
 * `appliesTo`. Every value is XML-escaped.
 *
 * @param p - The endpoint, credentials, audience, time and message id.
 * @returns The envelope, to POST as `application/soap+xml; charset=utf-8`.
 */
export function buildRequestSecurityToken(p: RequestSecurityTokenParameters): string {
  const dialect = WS_TRUST_DIALECTS[p.version];
  const x = escapeXml;
  return (
    `<s:Envelope xmlns:s="${XmlNamespace.soap12}" xmlns:wsa="${XmlNamespace.addressing}" xmlns:wsu="${XmlNamespace.wsu}">` +
    `<s:Header>` +
    `<wsa:Action s:mustUnderstand="1">${x(dialect.action)}</wsa:Action>` +
    `<wsa:MessageID>${x(p.messageId)}</wsa:MessageID>` +
    `<wsa:ReplyTo><wsa:Address>${ANONYMOUS}</wsa:Address></wsa:ReplyTo>` +
    `<wsa:To s:mustUnderstand="1">${x(p.address)}</wsa:To>` +
    `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${XmlNamespace.wsse}">` +
    `<wsu:Timestamp wsu:Id="_0">` +
    `<wsu:Created>${wsuTime(p.now)}</wsu:Created>` +
    `<wsu:Expires>${wsuTime(p.now + RST_VALIDITY_SECONDS)}</wsu:Expires>` +
    `</wsu:Timestamp>` +
    `<wsse:UsernameToken wsu:Id="UsernameToken-1">` +
    `<wsse:Username>${x(p.username)}</wsse:Username>` +
    `<wsse:Password>${x(p.password)}</wsse:Password>` +
    `</wsse:UsernameToken>` +
    `</wsse:Security>` +
    `</s:Header>` +
    `<s:Body>` +
    `<wst:RequestSecurityToken xmlns:wst="${dialect.namespace}">` +
    `<wsp:AppliesTo xmlns:wsp="${XmlNamespace.policy}">` +
    `<wsa:EndpointReference><wsa:Address>${x(p.appliesTo)}</wsa:Address></wsa:EndpointReference>` +
    `</wsp:AppliesTo>` +
    `<wst:KeyType>${dialect.bearerKeyType}</wst:KeyType>` +
    `<wst:RequestType>${dialect.requestType}</wst:RequestType>` +
    `</wst:RequestSecurityToken>` +
    `</s:Body>` +
    `</s:Envelope>`
  );
}
