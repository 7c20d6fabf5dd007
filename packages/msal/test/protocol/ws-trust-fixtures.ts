/**
 * WS-Trust responses shaped like AD FS's: RSTR collections (1.3), bare RSTRs (2005) and SOAP faults.
 * The assertions are written with the quirks a re-serializer would lose: single-quoted attributes,
 * a character reference, an empty element with a space before `/>`, namespace declarations on
 * inner elements and line breaks.
 */

const SOAP = "http://www.w3.org/2003/05/soap-envelope";
const WSA = "http://www.w3.org/2005/08/addressing";
const WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const TRUST13 = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
const TRUST2005 = "http://schemas.xmlsoap.org/ws/2005/02/trust";

export const SAML11_TOKEN_TYPE = "urn:oasis:names:tc:SAML:1.0:assertion";
export const SAML20_TOKEN_TYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0";

/** A signed SAML 1.1 assertion as AD FS issues it for urn:federation:MicrosoftOnline. */
export const SAML11_ASSERTION = `<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="_9a1c2f0e-6b0d-4f3e-8d55-1c2b3a4d5e6f" Issuer="http://sts.fabrikam.example/adfs/services/trust" IssueInstant="2024-05-01T10:00:00.512Z" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:Conditions NotBefore="2024-05-01T10:00:00.512Z" NotOnOrAfter="2024-05-01T11:00:00.512Z"><saml:AudienceRestrictionCondition><saml:Audience>urn:federation:MicrosoftOnline</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions><saml:AttributeStatement><saml:Subject><saml:NameIdentifier Format='urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'>q8z3VtN9k0Kk1m2n3o4p5Q==</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject><saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>alice@fabrikam.example</saml:AttributeValue></saml:Attribute><saml:Attribute AttributeName="ImmutableID" AttributeNamespace="http://schemas.microsoft.com/LiveID/Federation/2008/05"><saml:AttributeValue>q8z3VtN9k0Kk1m2n3o4p5Q==</saml:AttributeValue></saml:Attribute></saml:AttributeStatement><saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="2024-05-01T10:00:00.496Z"><saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">q8z3VtN9k0Kk1m2n3o4p5Q==</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject></saml:AuthenticationStatement><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" /><ds:Reference URI="#_9a1c2f0e-6b0d-4f3e-8d55-1c2b3a4d5e6f"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature" /><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#" /></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256" /><ds:DigestValue>3mD0k2Ykb5aO0m1tq6v3V1X0n8Qy9cW2Yp1z2r3s4t4=</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>Vx1lU2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0e1F2g3H4i5J6k7L8m9N0o1&#xD;
P2q3R4s5T6u7V8w9X0y1Z2a3B4c5D6e7F8g9H0i1J2k3L4m5N6o7P8q9R0s1T2u3==</ds:SignatureValue><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>MIIC4jCCAcqgAwIBAgIQFakeFakeFakeFakeFakeFakeDANBgkqhkiG9w0BAQsFADAt</X509Certificate></X509Data></KeyInfo></ds:Signature></saml:Assertion>`;

/** A SAML 2.0 assertion (as some WS-Trust servers issue when asked). */
export const SAML20_ASSERTION = `<Assertion ID="_5f4e3d2c" IssueInstant="2024-05-01T10:00:00Z" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>https://idp.fabrikam.example/</Issuer><Subject><NameID>alice@fabrikam.example</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer" /></Subject><Conditions NotBefore="2024-05-01T10:00:00Z" NotOnOrAfter="2024-05-01T11:00:00Z"><AudienceRestriction><Audience>urn:federation:MicrosoftOnline</Audience></AudienceRestriction></Conditions></Assertion>`;

function envelope(action: string, body: string): string {
  return `<s:Envelope xmlns:s="${SOAP}" xmlns:a="${WSA}" xmlns:u="${WSU}"><s:Header><a:Action s:mustUnderstand="1">${action}</a:Action><a:RelatesTo>urn:uuid:6c1f0a1e-9d3b-4e8b-a3a7-2f1d9c0b8e7a</a:RelatesTo><o:Security s:mustUnderstand="1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><u:Timestamp u:Id="_0"><u:Created>2024-05-01T10:00:00.543Z</u:Created><u:Expires>2024-05-01T10:05:00.543Z</u:Expires></u:Timestamp></o:Security></s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

/** A WS-Trust 1.3 RSTR collection carrying `assertion`. */
export function rstr13(assertion: string, tokenType = SAML11_TOKEN_TYPE): string {
  return envelope(
    `${TRUST13}/RSTRC/IssueFinal`,
    `<trust:RequestSecurityTokenResponseCollection xmlns:trust="${TRUST13}"><trust:RequestSecurityTokenResponse><trust:Lifetime><wsu:Created xmlns:wsu="${WSU}">2024-05-01T10:00:00.512Z</wsu:Created><wsu:Expires xmlns:wsu="${WSU}">2024-05-01T11:00:00.512Z</wsu:Expires></trust:Lifetime><wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="${WSA}"><wsa:Address>urn:federation:MicrosoftOnline</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><trust:RequestedSecurityToken>
${assertion}
</trust:RequestedSecurityToken><trust:RequestedAttachedReference><o:SecurityTokenReference k:TokenType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1" xmlns:o="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:k="http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"><o:KeyIdentifier ValueType="http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.0#SAMLAssertionID">_9a1c2f0e-6b0d-4f3e-8d55-1c2b3a4d5e6f</o:KeyIdentifier></o:SecurityTokenReference></trust:RequestedAttachedReference><trust:TokenType>${tokenType}</trust:TokenType><trust:RequestType>${TRUST13}/Issue</trust:RequestType><trust:KeyType>${TRUST13}/Bearer</trust:KeyType></trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection>`,
  );
}

/** A WS-Trust 2005 RSTR carrying `assertion`. */
export function rstr2005(assertion: string, tokenType = SAML11_TOKEN_TYPE): string {
  return envelope(
    `${TRUST2005}/RSTR/Issue`,
    `<t:RequestSecurityTokenResponse xmlns:t="${TRUST2005}"><t:Lifetime><wsu:Created xmlns:wsu="${WSU}">2024-05-01T10:00:00.512Z</wsu:Created><wsu:Expires xmlns:wsu="${WSU}">2024-05-01T11:00:00.512Z</wsu:Expires></t:Lifetime><wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="${WSA}"><wsa:Address>urn:federation:MicrosoftOnline</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken><t:TokenType>${tokenType}</t:TokenType><t:RequestType>${TRUST2005}/Issue</t:RequestType><t:KeyType>http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey</t:KeyType></t:RequestSecurityTokenResponse>`,
  );
}

/** AD FS's answer to a wrong username or password (sent with HTTP 500). */
export const FAILED_AUTHENTICATION_FAULT = `<s:Envelope xmlns:s="${SOAP}" xmlns:a="${WSA}"><s:Header><a:Action s:mustUnderstand="1">http://www.w3.org/2005/08/addressing/soap/fault</a:Action><a:RelatesTo>urn:uuid:6c1f0a1e-9d3b-4e8b-a3a7-2f1d9c0b8e7a</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">a:FailedAuthentication</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">ID3242: The security token could not be authenticated or authorized.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;

/** A SOAP 1.1 fault. */
export const SOAP11_FAULT = `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode><faultstring>Unknown user</faultstring></soap:Fault></soap:Body></soap:Envelope>`;

/** An RSTR whose token is encrypted: nothing the token endpoint could take. */
export const ENCRYPTED_RSTR = rstr13(
  `<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData>`,
);
