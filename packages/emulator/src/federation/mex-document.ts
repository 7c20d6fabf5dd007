import { NS, TRUST_VERSIONS } from "./names.js";
import type { TrustPath } from "./names.js";
import type { FederationUrls } from "./realm.js";
import { escapeXml } from "./xml.js";

// The WS-MetadataExchange document (a WSDL with WS-Policy) a client reads to find the username/password
// WS-Trust endpoint, written the way AD FS writes /adfs/services/trust/mex. Besides the two username
// endpoints it advertises Windows-transport and certificate endpoints, so clients must choose by policy.

/** How an advertised endpoint authenticates its callers. */
type Credential = "username" | "windows" | "certificate";

interface Endpoint {
  readonly binding: string;
  readonly version: TrustPath;
  readonly credential: Credential;
  readonly address: string;
}

function endpoints(urls: FederationUrls): Endpoint[] {
  return [
    { binding: "CustomBinding_IWSTrust13Async", version: "13", credential: "windows", address: urls.windowsTransport13 },
    { binding: "CertificateWSTrustBinding_IWSTrust13Async", version: "13", credential: "certificate", address: urls.certificateMixed13 },
    { binding: "UserNameWSTrustBinding_IWSTrustFeb2005Async", version: "2005", credential: "username", address: urls.usernameMixed2005 },
    { binding: "UserNameWSTrustBinding_IWSTrust13Async", version: "13", credential: "username", address: urls.usernameMixed13 },
  ];
}

/** A transport binding: TLS protects the message, and the message carries a timestamp. */
function transportBinding(sp: string): string {
  return (
    `<sp:TransportBinding xmlns:sp="${sp}"><wsp:Policy>` +
    `<sp:TransportToken><wsp:Policy><sp:HttpsToken RequireClientCertificate="false"/></wsp:Policy></sp:TransportToken>` +
    `<sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite>` +
    `<sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout>` +
    `<sp:IncludeTimestamp/>` +
    `</wsp:Policy></sp:TransportBinding>`
  );
}

/** What a policy asks of the caller besides the transport: AD FS's shape for each credential. */
function credentialAssertion(endpoint: Endpoint): string {
  const sp = TRUST_VERSIONS[endpoint.version].securityPolicy;
  switch (endpoint.credential) {
    case "username": {
      // WS-SecurityPolicy 1.2 signs and encrypts the supporting token; the 2005 draft only signs it.
      const tokens = endpoint.version === "13" ? "SignedEncryptedSupportingTokens" : "SignedSupportingTokens";
      return (
        transportBinding(sp) +
        `<sp:${tokens} xmlns:sp="${sp}"><wsp:Policy>` +
        `<sp:UsernameToken sp:IncludeToken="${sp}/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken>` +
        `</wsp:Policy></sp:${tokens}>`
      );
    }
    case "windows":
      // AD FS writes its Windows-transport policies in the 2005 vocabulary, for either version.
      return `<http:NegotiateAuthentication xmlns:http="${NS.http}"/>` + transportBinding(NS.sp2005);
    case "certificate":
      return (
        transportBinding(sp) +
        `<sp:EndorsingSupportingTokens xmlns:sp="${sp}"><wsp:Policy>` +
        `<sp:X509Token sp:IncludeToken="${sp}/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:RequireThumbprintReference/><sp:WssX509V3Token10/></wsp:Policy></sp:X509Token>` +
        `</wsp:Policy></sp:EndorsingSupportingTokens>`
      );
  }
}

function policy(endpoint: Endpoint): string {
  return (
    `<wsp:Policy wsu:Id="${endpoint.binding}_policy"><wsp:ExactlyOne><wsp:All>` +
    credentialAssertion(endpoint) +
    `<wsaw:UsingAddressing/>` +
    `</wsp:All></wsp:ExactlyOne></wsp:Policy>`
  );
}

function portType(version: TrustPath): string {
  return version === "13" ? "IWSTrust13Async" : "IWSTrustFeb2005Async";
}

function binding(endpoint: Endpoint): string {
  return (
    `<wsdl:binding name="${endpoint.binding}" type="tns:${portType(endpoint.version)}">` +
    `<wsp:PolicyReference URI="#${endpoint.binding}_policy"/>` +
    `<soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>` +
    `<wsdl:operation name="Issue">` +
    `<soap12:operation soapAction="${TRUST_VERSIONS[endpoint.version].requestAction}" style="document"/>` +
    `<wsdl:input><soap12:body use="literal"/></wsdl:input><wsdl:output><soap12:body use="literal"/></wsdl:output>` +
    `</wsdl:operation>` +
    `</wsdl:binding>`
  );
}

function port(endpoint: Endpoint): string {
  const address = escapeXml(endpoint.address);
  return (
    `<wsdl:port name="${endpoint.binding}" binding="tns:${endpoint.binding}">` +
    `<soap12:address location="${address}"/>` +
    `<wsa10:EndpointReference><wsa10:Address>${address}</wsa10:Address></wsa10:EndpointReference>` +
    `</wsdl:port>`
  );
}

function messagesAndPortTypes(): string {
  return (["13", "2005"] as const)
    .map((version) => {
      const v = TRUST_VERSIONS[version];
      const name = portType(version);
      return (
        `<wsdl:message name="${name}_Issue_Input"><wsdl:part name="request" element="t${version}:RequestSecurityToken" xmlns:t${version}="${v.trust}"/></wsdl:message>` +
        `<wsdl:message name="${name}_Issue_Output"><wsdl:part name="response" element="t${version}:${version === "13" ? "RequestSecurityTokenResponseCollection" : "RequestSecurityTokenResponse"}" xmlns:t${version}="${v.trust}"/></wsdl:message>` +
        `<wsdl:portType name="${name}"><wsdl:operation name="Issue">` +
        `<wsdl:input wsaw:Action="${v.requestAction}" message="tns:${name}_Issue_Input"/>` +
        `<wsdl:output wsaw:Action="${v.responseAction}" message="tns:${name}_Issue_Output"/>` +
        `</wsdl:operation></wsdl:portType>`
      );
    })
    .join("");
}

/** Writes the MEX document of a domain's federation service. */
export function mexDocument(urls: FederationUrls): string {
  const all = endpoints(urls);
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<wsdl:definitions name="SecurityTokenService" targetNamespace="${NS.tns}" xmlns:wsdl="${NS.wsdl}" xmlns:tns="${NS.tns}" ` +
    `xmlns:soap12="${NS.soap12}" xmlns:wsp="${NS.wsp}" xmlns:wsu="${NS.u}" xmlns:wsa10="${NS.a}" xmlns:wsaw="${NS.wsaw}">` +
    all.map(policy).join("") +
    messagesAndPortTypes() +
    all.map(binding).join("") +
    `<wsdl:service name="SecurityTokenService">${all.map(port).join("")}</wsdl:service>` +
    `</wsdl:definitions>`
  );
}
