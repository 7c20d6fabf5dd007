// The XML vocabularies of the federation service (WSDL, WS-Policy, WS-SecurityPolicy, WS-Addressing,
// WS-Security, WS-Trust, SAML 1.1), and what differs between the two WS-Trust versions it serves.

/** Namespace URIs, keyed by the prefixes AD FS writes them with. */
export const NS = {
  s: "http://www.w3.org/2003/05/soap-envelope",
  a: "http://www.w3.org/2005/08/addressing",
  wsaw: "http://www.w3.org/2006/05/addressing/wsdl",
  o: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  u: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  soap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
  wsp: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  sp: "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
  sp2005: "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy",
  http: "http://schemas.microsoft.com/ws/06/2004/policy/http",
  tns: "http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice",
  saml: "urn:oasis:names:tc:SAML:1.0:assertion",
} as const;

/** The WS-Trust versions served, by the path segment AD FS uses for them (`/trust/13/…`, `/trust/2005/…`). */
export type TrustPath = "13" | "2005";

/** The names one WS-Trust version uses in requests and responses. */
export interface TrustVersion {
  readonly trust: string;
  /** SOAPAction / wsa:Action of the issue request. */
  readonly requestAction: string;
  /** wsa:Action of the response. */
  readonly responseAction: string;
  readonly issue: string;
  /** KeyType of a token without proof key. */
  readonly bearer: string;
  /** The WS-SecurityPolicy namespace its policies are written in. */
  readonly securityPolicy: string;
}

const TRUST_13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
const TRUST_2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust";

/** Each version's names. */
export const TRUST_VERSIONS: Readonly<Record<TrustPath, TrustVersion>> = {
  "13": {
    trust: TRUST_13,
    requestAction: `${TRUST_13}/RST/Issue`,
    responseAction: `${TRUST_13}/RSTRC/IssueFinal`,
    issue: `${TRUST_13}/Issue`,
    bearer: `${TRUST_13}/Bearer`,
    securityPolicy: NS.sp,
  },
  "2005": {
    trust: TRUST_2005,
    requestAction: `${TRUST_2005}/RST/Issue`,
    responseAction: `${TRUST_2005}/RSTR/Issue`,
    issue: `${TRUST_2005}/Issue`,
    bearer: "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
    securityPolicy: NS.sp2005,
  },
};

/** The audience Microsoft Entra ID has at federation services, and the only one this one serves. */
export const MICROSOFT_ONLINE = "urn:federation:MicrosoftOnline";

/** The token type of the SAML 1.1 assertions issued for Entra ID (as AD FS names it). */
export const SAML11_TOKEN_TYPE = NS.saml;
