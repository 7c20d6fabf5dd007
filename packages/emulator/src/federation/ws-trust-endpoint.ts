import type { EmulatorContext } from "../context.js";
import type { User } from "../directory.js";
import type { EmulatorRequest, Handler, HandlerResult } from "../http.js";
import { sameSecret } from "../secrets.js";
import { rememberAssertion } from "./issued-assertions.js";
import { MICROSOFT_ONLINE, NS, SAML11_TOKEN_TYPE, TRUST_VERSIONS } from "./names.js";
import type { TrustPath } from "./names.js";
import { federationUrls, findFederationRealm } from "./realm.js";
import type { FederationRealm } from "./realm.js";
import { failedAuthentication, invalidRequest, messageIdOf, readUsernameTokenRequest } from "./rst.js";
import { issueSaml11Assertion, isoTime } from "./saml-assertion.js";
import type { IssuedSamlAssertion } from "./saml-assertion.js";
import { faultResult, SOAP_CONTENT_TYPE, SoapFault, soapEnvelope, soapResult } from "./soap.js";
import { readXml, XmlRefused } from "./xml.js";
import type { XmlNode } from "./xml.js";

// `POST /federation/{domain}/trust/13/usernamemixed` and `…/trust/2005/usernamemixed`: the federation
// service's WS-Trust endpoints for usernames and passwords, as AD FS serves them. A federated user's
// password is checked here (never at the token endpoint), and the answer is a SAML 1.1 assertion for
// urn:federation:MicrosoftOnline, or a SOAP fault.

function authenticate(realm: FederationRealm, username: string, password: string): User {
  const user = realm.tenant.findUser(username);
  // An unknown user costs the same comparison and gets the same answer as a wrong password.
  const matches = sameSecret(password, user?.password ?? "") && user !== undefined;
  if (!user?.federated || !matches) throw failedAuthentication();
  return user;
}

function timestampHeader(now: number, lifetime: number): string {
  return (
    `<o:Security s:mustUnderstand="1" xmlns:o="${NS.o}"><u:Timestamp u:Id="_0">` +
    `<u:Created>${isoTime(now)}</u:Created><u:Expires>${isoTime(now + lifetime)}</u:Expires>` +
    `</u:Timestamp></o:Security>`
  );
}

/** The RequestSecurityTokenResponse of a version: 1.3 wraps it in a collection, 2005 does not. */
function tokenResponse(version: TrustPath, assertion: IssuedSamlAssertion, now: number): string {
  const v = TRUST_VERSIONS[version];
  const declaration = `xmlns:t="${v.trust}"`;
  const rstr =
    (version === "13" ? `<t:RequestSecurityTokenResponse>` : `<t:RequestSecurityTokenResponse ${declaration}>`) +
    `<t:Lifetime><u:Created>${isoTime(now)}</u:Created><u:Expires>${isoTime(assertion.notOnOrAfter)}</u:Expires></t:Lifetime>` +
    `<wsp:AppliesTo xmlns:wsp="${NS.wsp}"><a:EndpointReference><a:Address>${MICROSOFT_ONLINE}</a:Address></a:EndpointReference></wsp:AppliesTo>` +
    `<t:RequestedSecurityToken>${assertion.xml}</t:RequestedSecurityToken>` +
    `<t:TokenType>${SAML11_TOKEN_TYPE}</t:TokenType>` +
    `<t:RequestType>${v.issue}</t:RequestType>` +
    `<t:KeyType>${v.bearer}</t:KeyType>` +
    `</t:RequestSecurityTokenResponse>`;
  return version === "13" ? `<t:RequestSecurityTokenResponseCollection ${declaration}>${rstr}</t:RequestSecurityTokenResponseCollection>` : rstr;
}

function notFound(): HandlerResult {
  return { type: "text", status: 404, body: "Not Found", contentType: "text/plain; charset=utf-8" };
}

function issue(ctx: EmulatorContext, request: EmulatorRequest, realm: FederationRealm, version: TrustPath, envelope: XmlNode): HandlerResult {
  const soapAction = request.headers.soapaction;
  const credentials = readUsernameTokenRequest(envelope, version, Array.isArray(soapAction) ? soapAction[0] : soapAction, request.now);
  const user = authenticate(realm, credentials.username, credentials.password);
  const assertion = issueSaml11Assertion({ issuer: federationUrls(request.host, realm.domain).issuer, user, now: request.now });
  rememberAssertion(ctx, realm, user, assertion, request.now);
  const body = tokenResponse(version, assertion, request.now);
  return soapResult(200, soapEnvelope(TRUST_VERSIONS[version].responseAction, messageIdOf(envelope), body, timestampHeader(request.now, 300)));
}

/**
 * The username/password WS-Trust endpoint of one version, for every federated domain.
 *
 * Answers: 404 for a path naming no federated domain; 415 for a body that is not SOAP 1.2
 * (`application/soap+xml`); a SOAP fault with HTTP 400 for a message that is not well-formed XML
 * (DTDs refused), HTTP 500 for everything else that is wrong (see {@link readUsernameTokenRequest});
 * `a:FailedAuthentication` (ID3242) for an unknown user, a managed user or a wrong password; 200 with
 * the RSTR carrying a fresh SAML 1.1 assertion, which the token endpoint's SAML grants accept.
 */
export function createWsTrustEndpoint(ctx: EmulatorContext, version: TrustPath): Handler {
  return (request) => {
    const realm = findFederationRealm(ctx.directory, request.params.domain ?? "");
    if (!realm) return notFound();
    const contentType = request.headers["content-type"] ?? "";
    if (!contentType.toLowerCase().startsWith("application/soap+xml")) {
      return {
        type: "text",
        status: 415,
        body: `Cannot process the message because the content type '${contentType}' was not the expected type '${SOAP_CONTENT_TYPE}'.`,
        contentType: "text/plain; charset=utf-8",
      };
    }
    let envelope: XmlNode;
    try {
      envelope = readXml(request.body);
    } catch (e) {
      if (!(e instanceof XmlRefused)) throw e;
      return faultResult(invalidRequest(version, `The message cannot be read. ${e.message}`, 400), undefined);
    }
    try {
      return issue(ctx, request, realm, version, envelope);
    } catch (e) {
      if (e instanceof SoapFault) return faultResult(e, messageIdOf(envelope));
      throw e;
    }
  };
}
