/**
 * MEX documents shaped like the one AD FS serves at /adfs/services/trust/mex: WS-Policy
 * assertions per binding, SOAP 1.2 bindings naming their policy and SOAP action, and a service
 * whose ports carry WS-Addressing endpoint references.
 */

export const STS = "sts.fabrikam.example";
const TRUST = `https://${STS}/adfs/services/trust`;

const NS = {
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  soap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
  soap: "http://schemas.xmlsoap.org/wsdl/soap/",
  wsp: "http://schemas.xmlsoap.org/ws/2004/09/policy",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wsa10: "http://www.w3.org/2005/08/addressing",
  wsaw: "http://www.w3.org/2006/05/addressing/wsdl",
  sp: "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
  sp2005: "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy",
  http: "http://schemas.microsoft.com/ws/06/2004/policy/http",
  tns: "http://schemas.microsoft.com/ws/2008/06/identity/securitytokenservice",
};

export const ACTION_13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue";
export const ACTION_2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue";

function transportBinding(sp: "sp" | "sp2005"): string {
  return `<${sp}:TransportBinding xmlns:${sp}="${NS[sp]}"><wsp:Policy>
          <${sp}:TransportToken><wsp:Policy><${sp}:HttpsToken RequireClientCertificate="false"/></wsp:Policy></${sp}:TransportToken>
          <${sp}:AlgorithmSuite><wsp:Policy><${sp}:Basic256/></wsp:Policy></${sp}:AlgorithmSuite>
          <${sp}:Layout><wsp:Policy><${sp}:Strict/></wsp:Policy></${sp}:Layout>
          <${sp}:IncludeTimestamp/>
        </wsp:Policy></${sp}:TransportBinding>`;
}

function policy(id: string, ...assertions: string[]): string {
  return `
  <wsp:Policy wsu:Id="${id}"><wsp:ExactlyOne><wsp:All>
        ${assertions.join("\n        ")}
        <wsaw:UsingAddressing/>
  </wsp:All></wsp:ExactlyOne></wsp:Policy>`;
}

function usernameToken(sp: "sp" | "sp2005", supporting: string): string {
  return `<${sp}:${supporting} xmlns:${sp}="${NS[sp]}"><wsp:Policy>
          <${sp}:UsernameToken ${sp}:IncludeToken="${NS[sp]}/IncludeToken/AlwaysToRecipient"><wsp:Policy><${sp}:WssUsernameToken10/></wsp:Policy></${sp}:UsernameToken>
        </wsp:Policy></${sp}:${supporting}>`;
}

/** The policies of the fixture, by id. */
export const POLICIES = {
  windows: policy("CustomBinding_IWSTrust13Async1_policy", `<http:NegotiateAuthentication xmlns:http="${NS.http}"/>`, transportBinding("sp2005")),
  certificate: policy(
    "CertificateWSTrustBinding_IWSTrust13Async_policy",
    transportBinding("sp"),
    `<sp:EndorsingSupportingTokens xmlns:sp="${NS.sp}"><wsp:Policy><sp:X509Token sp:IncludeToken="${NS.sp}/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:RequireThumbprintReference/><sp:WssX509V3Token10/></wsp:Policy></sp:X509Token></wsp:Policy></sp:EndorsingSupportingTokens>`,
  ),
  username13: policy("UserNameWSTrustBinding_IWSTrust13Async_policy", transportBinding("sp"), usernameToken("sp", "SignedEncryptedSupportingTokens")),
  username2005: policy(
    "UserNameWSTrustBinding_IWSTrustFeb2005Async_policy",
    transportBinding("sp2005"),
    usernameToken("sp2005", "SignedSupportingTokens"),
  ),
  /** A username token with no transport binding: the password would travel unprotected. */
  usernameWithoutTransport: policy("UserNameNoTransport_policy", usernameToken("sp", "SignedEncryptedSupportingTokens")),
};

function binding(name: string, policyId: string, action: string, soap: "soap12" | "soap" = "soap12"): string {
  return `
  <wsdl:binding name="${name}" type="tns:IWSTrust">
    <wsp:PolicyReference URI="#${policyId}"/>
    <${soap}:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Issue">
      <${soap}:operation soapAction="${action}" style="document"/>
      <wsdl:input><${soap}:body use="literal"/></wsdl:input>
      <wsdl:output><${soap}:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>`;
}

/** Bindings of the fixture, by name. */
export const BINDINGS = {
  windows13: binding("CustomBinding_IWSTrust13Async1", "CustomBinding_IWSTrust13Async1_policy", ACTION_13),
  certificate13: binding("CertificateWSTrustBinding_IWSTrust13Async", "CertificateWSTrustBinding_IWSTrust13Async_policy", ACTION_13),
  username13: binding("UserNameWSTrustBinding_IWSTrust13Async", "UserNameWSTrustBinding_IWSTrust13Async_policy", ACTION_13),
  username2005: binding("UserNameWSTrustBinding_IWSTrustFeb2005Async", "UserNameWSTrustBinding_IWSTrustFeb2005Async_policy", ACTION_2005),
  /** The 1.3 username policy, but bound with SOAP 1.1. */
  username13Soap11: binding("UserNameSoap11_IWSTrust13Async", "UserNameWSTrustBinding_IWSTrust13Async_policy", ACTION_13, "soap"),
  usernameWithoutTransport: binding("UserNameNoTransport_IWSTrust13Async", "UserNameNoTransport_policy", ACTION_13),
};

function port(bindingName: string, address: string, withIdentity = false): string {
  const identity = withIdentity
    ? `<Identity xmlns="http://schemas.xmlsoap.org/ws/2006/02/addressingidentity"><Spn>host/${STS}</Spn></Identity>`
    : "";
  return `
    <wsdl:port name="${bindingName}" binding="tns:${bindingName}">
      <soap12:address location="${address}"/>
      <wsa10:EndpointReference><wsa10:Address>${address}</wsa10:Address>${identity}</wsa10:EndpointReference>
    </wsdl:port>`;
}

/** Ports of the fixture, by name. */
export const PORTS = {
  windows13: port("CustomBinding_IWSTrust13Async1", `${TRUST}/13/windowstransport`, true),
  certificate13: port("CertificateWSTrustBinding_IWSTrust13Async", `${TRUST}/13/certificatemixed`),
  /** The 1.3 username endpoint, but over plain http: never to be chosen. */
  username13Http: port("UserNameWSTrustBinding_IWSTrust13Async", `http://${STS}/adfs/services/trust/13/usernamemixed`),
  username2005: port("UserNameWSTrustBinding_IWSTrustFeb2005Async", `${TRUST}/2005/usernamemixed`),
  username13: port("UserNameWSTrustBinding_IWSTrust13Async", `${TRUST}/13/usernamemixed`),
  username13Soap11: port("UserNameSoap11_IWSTrust13Async", `${TRUST}/13/usernamemixed-soap11`),
  usernameWithoutTransport: port("UserNameNoTransport_IWSTrust13Async", `${TRUST}/13/usernamenotransport`),
};

/** The parts a MEX document is made of; every part by default, in AD FS's order. */
export interface MexParts {
  readonly policies?: readonly (keyof typeof POLICIES)[];
  readonly bindings?: readonly (keyof typeof BINDINGS)[];
  readonly ports?: readonly (keyof typeof PORTS)[];
}

/** An AD FS-like MEX document. */
export function adfsMex(parts: MexParts = {}): string {
  const pick = <T extends Record<string, string>>(all: T, keys: readonly (keyof T)[] | undefined): string =>
    (keys ?? (Object.keys(all) as (keyof T)[])).map((k) => all[k]).join("");
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="SecurityTokenService" targetNamespace="${NS.tns}" xmlns:wsdl="${NS.wsdl}" xmlns:tns="${NS.tns}" xmlns:soap12="${NS.soap12}" xmlns:soap="${NS.soap}" xmlns:wsp="${NS.wsp}" xmlns:wsu="${NS.wsu}" xmlns:wsa10="${NS.wsa10}" xmlns:wsaw="${NS.wsaw}">${pick(POLICIES, parts.policies)}
  <wsdl:types/>${pick(BINDINGS, parts.bindings)}
  <wsdl:service name="SecurityTokenService">${pick(PORTS, parts.ports)}
  </wsdl:service>
</wsdl:definitions>`;
}

/** The same document with every prefix renamed: only namespace URIs may decide. */
export function withOtherPrefixes(xml: string): string {
  const renames: Record<string, string> = { wsdl: "d", wsp: "pol", sp: "secpol", sp2005: "oldsec", soap12: "s12", wsa10: "addr", wsu: "util" };
  return xml.replace(/(<\/?|xmlns:|\s)(wsdl|wsp|sp2005|sp|soap12|wsa10|wsu)(?=[:=])/g, (_, lead: string, prefix: string) => `${lead}${renames[prefix]}`);
}
