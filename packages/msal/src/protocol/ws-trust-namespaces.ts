/**
 * The names WS-Trust username/password sign-in is spoken in: XML namespaces, SOAP actions and
 * token types, for WS-Trust 1.3 and the older February 2005 draft that AD FS still serves.
 *
 * @module
 */

/** XML namespace URIs of MEX documents (WSDL with WS-Policy) and WS-Trust messages. */
export const XmlNamespace = {
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  /** The WSDL binding extension for SOAP 1.2 (`soap12:binding`, `soap12:operation`, `soap12:address`). */
  wsdlSoap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
  /** WS-Policy as AD FS writes it (the 2004/09 submission). */
  policy: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  /** WS-Policy 1.5, the W3C recommendation. */
  policy15: "http://www.w3.org/ns/ws-policy",
  /** WS-SecurityPolicy 1.2, used by WS-Trust 1.3 endpoints. */
  securityPolicy: "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
  /** WS-SecurityPolicy of July 2005, used by WS-Trust 2005 endpoints. */
  securityPolicy2005: "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  /** WS-Addressing 1.0. */
  addressing: "http://www.w3.org/2005/08/addressing",
  soap12: "http://www.w3.org/2003/05/soap-envelope",
  soap11: "http://schemas.xmlsoap.org/soap/envelope/",
  trust13: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
  trust2005: "http://schemas.xmlsoap.org/ws/2005/02/trust",
  saml1: "urn:oasis:names:tc:SAML:1.0:assertion",
  saml2: "urn:oasis:names:tc:SAML:2.0:assertion",
} as const;

/** The two WS-Trust versions a federation server may offer for username/password sign-in. */
export type WsTrustVersion = "1.3" | "2005";

/** What differs between the two WS-Trust versions on the wire. */
export interface WsTrustDialect {
  /** Namespace of `RequestSecurityToken` and its children. */
  readonly namespace: string;
  /** The `SOAPAction` header and `wsa:Action` of an issue request. */
  readonly action: string;
  /** `RequestType` of an issue request. */
  readonly requestType: string;
  /** `KeyType` of a bearer token: no proof key. */
  readonly bearerKeyType: string;
}

/** The wire names of each WS-Trust version. */
export const WS_TRUST_DIALECTS: Readonly<Record<WsTrustVersion, WsTrustDialect>> = {
  "1.3": {
    namespace: XmlNamespace.trust13,
    action: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue",
    requestType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
    bearerKeyType: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
  },
  "2005": {
    namespace: XmlNamespace.trust2005,
    action: "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue",
    requestType: "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
    bearerKeyType: "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
  },
};

/** The default `AppliesTo`: the audience Microsoft Entra ID is known by to federation servers. */
export const MICROSOFT_ONLINE_AUDIENCE = "urn:federation:MicrosoftOnline";

/** OAuth grant types (RFC 7522) for exchanging a SAML assertion at the token endpoint. */
export const SamlGrantType = {
  SAML1_1: "urn:ietf:params:oauth:grant-type:saml1_1-bearer",
  SAML2: "urn:ietf:params:oauth:grant-type:saml2-bearer",
} as const;
/** One of {@link SamlGrantType}. */
export type SamlGrantType = (typeof SamlGrantType)[keyof typeof SamlGrantType];

// WS-Trust names a SAML token either by its assertion namespace (what AD FS sends) or by the
// URIs of the WS-Security SAML Token Profile 1.1.
const TOKEN_TYPE_GRANTS: ReadonlyMap<string, SamlGrantType> = new Map([
  [XmlNamespace.saml1, SamlGrantType.SAML1_1],
  ["http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1", SamlGrantType.SAML1_1],
  [XmlNamespace.saml2, SamlGrantType.SAML2],
  ["http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0", SamlGrantType.SAML2],
]);

/**
 * The grant type that exchanges a SAML token of the given WS-Trust token type for OAuth tokens.
 *
 * @param tokenType - A `TokenType` URI from a WS-Trust response: `urn:oasis:names:tc:SAML:1.0:assertion`
 *   or `urn:oasis:names:tc:SAML:2.0:assertion`, or the SAML Token Profile's `…#SAMLV1.1` / `…#SAMLV2.0`.
 * @returns `urn:ietf:params:oauth:grant-type:saml1_1-bearer` for SAML 1.x,
 *   `urn:ietf:params:oauth:grant-type:saml2-bearer` for SAML 2.0, `undefined` for anything else.
 */
export function samlGrantType(tokenType: string): SamlGrantType | undefined {
  return TOKEN_TYPE_GRANTS.get(tokenType.trim());
}
