/**
 * Reading a WS-Trust response: the SAML token a RequestSecurityTokenResponse carries, or the
 * SOAP fault a federation server answers instead.
 *
 * @module
 */

import { samlGrantType, XmlNamespace, type SamlGrantType } from "./ws-trust-namespaces.js";
import { childNamed, descendantsNamed, isElement, parseXml, textAt, type XmlElement } from "./ws-trust-xml.js";

/** A SAML assertion obtained by WS-Trust, ready for the token endpoint. */
export interface SamlAssertion {
  /**
   * The `Assertion` element exactly as the server wrote it: the same characters (and so, once
   * UTF-8 encoded, the same bytes), since its signature covers them.
   */
  readonly assertion: string;
  /** The WS-Trust token type, e.g. `urn:oasis:names:tc:SAML:1.0:assertion`. */
  readonly tokenType: string;
  /** The grant that exchanges it: `…:saml1_1-bearer` or `…:saml2-bearer`. */
  readonly grantType: SamlGrantType;
}

/** A SOAP fault's parts; WS-Trust servers put the reason for a refusal here. */
export interface SoapFault {
  /** `Code/Value` (SOAP 1.2) or `faultcode` (SOAP 1.1), e.g. `s:Sender`. */
  readonly code: string | undefined;
  /** `Code/Subcode/Value` (SOAP 1.2), e.g. `a:FailedAuthentication`. */
  readonly subcode: string | undefined;
  /** `Reason/Text` (SOAP 1.2) or `faultstring` (SOAP 1.1). */
  readonly reason: string | undefined;
}

/** What a WS-Trust response holds. */
export type WsTrustOutcome =
  | { readonly kind: "token"; readonly token: SamlAssertion }
  | { readonly kind: "fault"; readonly fault: SoapFault }
  /** A token of a type that cannot be exchanged, named by `tokenType`. */
  | { readonly kind: "unsupported"; readonly tokenType: string }
  | { readonly kind: "empty" };

const SOAP = [XmlNamespace.soap12, XmlNamespace.soap11] as const;
const TRUST = [XmlNamespace.trust13, XmlNamespace.trust2005] as const;
const SAML = [XmlNamespace.saml1, XmlNamespace.saml2] as const;

/**
 * Reads a WS-Trust response (WS-Trust 1.3's `RequestSecurityTokenResponseCollection` or 2005's
 * bare `RequestSecurityTokenResponse`, in a SOAP envelope).
 *
 * The assertion is cut out of `xml` by the offsets of its element, never re-serialized from a
 * parsed tree: re-serializing may move namespace declarations or change quoting, which breaks
 * the signature over the assertion's canonical form.
 *
 * @param xml - The response body.
 * @param what - How messages name the response, e.g. `The answer of https://sts/…`.
 * @returns The first SAML assertion with its token type and grant type, the SOAP fault, or
 *   `empty` when there is neither.
 * @throws {@link NetworkError} `ERR_INVALID_RESPONSE` when `xml` is not well-formed XML.
 */
export function readWsTrustResponse(xml: string, what: string): WsTrustOutcome {
  const root = parseXml(xml, what);
  const body = isElement(root, SOAP, "Envelope") ? childNamed(root, SOAP, "Body") : root;
  const fault = body && childNamed(body, SOAP, "Fault");
  if (fault) return { kind: "fault", fault: readFault(fault) };
  for (const response of body ? descendantsNamed(body, TRUST, "RequestSecurityTokenResponse") : []) {
    const requested = childNamed(response, TRUST, "RequestedSecurityToken");
    const assertion = requested?.children.find((c) => isElement(c, SAML, "Assertion"));
    if (!assertion) continue;
    // AD FS always names the type; without one, the assertion's namespace tells its SAML version.
    const tokenType = textAt(response, [TRUST, "TokenType"]) || assertion.namespace;
    const grantType = samlGrantType(tokenType);
    if (grantType === undefined) return { kind: "unsupported", tokenType };
    return { kind: "token", token: { assertion: xml.slice(assertion.start, assertion.end), tokenType, grantType } };
  }
  return { kind: "empty" };
}

function readFault(fault: XmlElement): SoapFault {
  if (fault.namespace === XmlNamespace.soap11) {
    return { code: textAt(fault, ["", "faultcode"]), subcode: undefined, reason: textAt(fault, ["", "faultstring"]) };
  }
  const ns = XmlNamespace.soap12;
  return {
    code: textAt(fault, [ns, "Code"], [ns, "Value"]),
    subcode: textAt(fault, [ns, "Code"], [ns, "Subcode"], [ns, "Value"]),
    reason: textAt(fault, [ns, "Reason"], [ns, "Text"]),
  };
}
