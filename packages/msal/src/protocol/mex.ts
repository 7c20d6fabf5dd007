/**
 * WS-MetadataExchange: finding a federation server's username/password WS-Trust endpoint.
 *
 * A MEX document is a WSDL whose ports each name a binding; a binding names a WS-Policy and the
 * SOAP action it serves. An endpoint takes a username and password when its policy asks for a
 * `UsernameToken` as a (signed, or signed and encrypted) supporting token over a transport
 * binding, that is: the password travels inside the message, protected by TLS.
 *
 * @module
 */

import { MsalError, NetworkError } from "../errors.js";
import { readBodyText, toTransportError, type HttpClient } from "../http/index.js";
import { WS_TRUST_DIALECTS, XmlNamespace, type WsTrustVersion } from "./ws-trust-namespaces.js";
import {
  attributeOf,
  childNamed,
  childrenNamed,
  descendantsNamed,
  isElement,
  parseXml,
  type XmlElement,
} from "./ws-trust-xml.js";

export type { WsTrustVersion } from "./ws-trust-namespaces.js";

/** A WS-Trust endpoint that accepts a username and password. */
export interface WsTrustEndpoint {
  /** The endpoint's https URL, e.g. `https://sts.contoso.com/adfs/services/trust/13/usernamemixed`. */
  readonly address: string;
  /** The WS-Trust version it speaks, which decides the request's SOAP action and vocabulary. */
  readonly version: WsTrustVersion;
}

const POLICY = [XmlNamespace.policy, XmlNamespace.policy15] as const;
const SOAP_OVER_HTTP = "http://schemas.xmlsoap.org/soap/http";

// The username-token policy of each WS-SecurityPolicy version: WS-Trust 1.3 endpoints put the
// token under SignedEncryptedSupportingTokens, 2005 endpoints under SignedSupportingTokens.
const USERNAME_POLICIES = [
  { namespace: XmlNamespace.securityPolicy, supportingTokens: "SignedEncryptedSupportingTokens" },
  { namespace: XmlNamespace.securityPolicy2005, supportingTokens: "SignedSupportingTokens" },
] as const;

/**
 * Picks the username/password WS-Trust endpoint a MEX document advertises.
 *
 * Only https endpoints are considered (the password travels in the message). Among them a
 * WS-Trust 1.3 endpoint is preferred over a 2005 one, as MSAL Python does; among equals, the
 * first in the document wins. A WS-MetadataExchange `Metadata` envelope around the WSDL is
 * accepted too.
 *
 * @param xml - The MEX document, e.g. from `https://sts.contoso.com/adfs/services/trust/mex`.
 * @returns The endpoint, or `undefined` when the document advertises none that fits (for
 *   instance, a server that only offers Windows integrated authentication).
 * @throws {@link NetworkError} `ERR_INVALID_RESPONSE` when the document is not well-formed XML.
 */
export function parseMex(xml: string): WsTrustEndpoint | undefined {
  const root = parseXml(xml, "The MEX document");
  const definitions = isElement(root, XmlNamespace.wsdl, "definitions")
    ? [root]
    : descendantsNamed(root, XmlNamespace.wsdl, "definitions");
  const endpoints = definitions.flatMap((d) => usernamePasswordEndpoints(d));
  return endpoints.find((e) => e.version === "1.3") ?? endpoints.find((e) => e.version === "2005");
}

/**
 * GETs a MEX document and picks its username/password WS-Trust endpoint ({@link parseMex}).
 *
 * @param http - The HTTP client.
 * @param mexUrl - The user realm's `federation_metadata_url`; it must be https, since a document
 *   fetched in the clear could send the password anywhere.
 * @param options - `signal` to abort the request.
 * @returns The endpoint, or `undefined` when the document advertises none that fits.
 * @throws {@link MsalError} `ERR_WS_TRUST` for a MEX URL that is not https;
 *   {@link NetworkError} for a transport failure (`ERR_NETWORK`, `ERR_TIMEOUT`), a non-2xx answer
 *   (`ERR_HTTP_STATUS`) or a body that is not XML (`ERR_INVALID_RESPONSE`).
 */
export async function fetchMexEndpoint(
  http: HttpClient,
  mexUrl: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<WsTrustEndpoint | undefined> {
  if (!isHttps(mexUrl)) {
    throw new MsalError("ERR_WS_TRUST", `The federation metadata URL ${mexUrl} is not an https URL; it is not fetched.`);
  }
  const { signal } = options;
  let response: Response;
  try {
    response = await http(mexUrl, { method: "GET", headers: {}, ...(signal ? { signal } : {}) });
  } catch (e) {
    throw toTransportError(e, mexUrl, signal);
  }
  if (response.status < 200 || response.status >= 300) {
    throw new NetworkError("ERR_HTTP_STATUS", `The federation metadata (MEX) at ${mexUrl} answered HTTP ${response.status}.`, {
      status: response.status,
    });
  }
  const text = await readBodyText(response, mexUrl, signal);
  return parseMex(text);
}

/**
 * The endpoint to use when user realm discovery gives no MEX URL: its
 * `federation_active_auth_url`, whose path tells the WS-Trust version (`…/trust/13/usernamemixed`
 * or `…/trust/2005/usernamemixed`, the AD FS layout).
 *
 * Unlike MSAL Python, which would post the password to whatever URL the realm names, an address
 * that is not https is refused here.
 *
 * @param address - The realm's `federation_active_auth_url`.
 * @returns The endpoint, or `undefined` when the address is not https or its version cannot be told.
 */
export function wsTrustEndpointFromActiveAuthUrl(address: string): WsTrustEndpoint | undefined {
  if (!isHttps(address)) return undefined;
  const path = new URL(address).pathname.toLowerCase();
  if (path.includes("/trust/13/usernamemixed")) return { address, version: "1.3" };
  if (path.includes("/trust/2005/usernamemixed")) return { address, version: "2005" };
  return undefined;
}

function usernamePasswordEndpoints(definitions: XmlElement): WsTrustEndpoint[] {
  const policies = usernamePasswordPolicyReferences(definitions);
  const bindings = new Map<string, WsTrustVersion>();
  for (const binding of childrenNamed(definitions, XmlNamespace.wsdl, "binding")) {
    const name = attributeOf(binding, "name");
    const version = bindingVersion(binding, policies);
    if (name !== undefined && version !== undefined && !bindings.has(name)) bindings.set(name, version);
  }
  const endpoints: WsTrustEndpoint[] = [];
  for (const service of childrenNamed(definitions, XmlNamespace.wsdl, "service")) {
    for (const port of childrenNamed(service, XmlNamespace.wsdl, "port")) {
      const bindingName = localPart(attributeOf(port, "binding") ?? "");
      const version = bindings.get(bindingName);
      const address = portAddress(port);
      if (version !== undefined && address !== undefined && isHttps(address)) endpoints.push({ address, version });
    }
  }
  return endpoints;
}

/** `#Id` of every policy that asks for a username token over a transport binding. */
function usernamePasswordPolicyReferences(definitions: XmlElement): Set<string> {
  const references = new Set<string>();
  for (const policy of descendantsNamed(definitions, POLICY, "Policy")) {
    const id = attributeOf(policy, "Id", XmlNamespace.wsu);
    if (id !== undefined && isUsernamePasswordPolicy(policy)) references.add(`#${id}`);
  }
  return references;
}

function isUsernamePasswordPolicy(policy: XmlElement): boolean {
  return USERNAME_POLICIES.some(({ namespace, supportingTokens }) => {
    const hasUsernameToken = descendantsNamed(policy, namespace, supportingTokens).some((tokens) =>
      descendantsNamed(tokens, namespace, "UsernameToken").some(
        (token) =>
          descendantsNamed(token, namespace, "WssUsernameToken10").length > 0 ||
          descendantsNamed(token, namespace, "WssUsernameToken11").length > 0,
      ),
    );
    return hasUsernameToken && descendantsNamed(policy, namespace, "TransportBinding").length > 0;
  });
}

/** The WS-Trust version of a SOAP 1.2 over HTTP binding bound to a username policy. */
function bindingVersion(binding: XmlElement, usernamePolicies: ReadonlySet<string>): WsTrustVersion | undefined {
  const soapBinding = childNamed(binding, XmlNamespace.wsdlSoap12, "binding");
  if (!soapBinding || attributeOf(soapBinding, "transport") !== SOAP_OVER_HTTP) return undefined;
  const usesUsernamePolicy = childrenNamed(binding, POLICY, "PolicyReference").some((ref) =>
    usernamePolicies.has(attributeOf(ref, "URI") ?? ""),
  );
  if (!usesUsernamePolicy) return undefined;
  for (const operation of childrenNamed(binding, XmlNamespace.wsdl, "operation")) {
    const action = childNamed(operation, XmlNamespace.wsdlSoap12, "operation");
    const soapAction = action && attributeOf(action, "soapAction");
    if (soapAction === WS_TRUST_DIALECTS["1.3"].action) return "1.3";
    if (soapAction === WS_TRUST_DIALECTS["2005"].action) return "2005";
  }
  return undefined;
}

/** The port's WS-Addressing endpoint reference address, else its `soap12:address`. */
function portAddress(port: XmlElement): string | undefined {
  const reference = childNamed(port, XmlNamespace.addressing, "EndpointReference");
  const address = reference && childNamed(reference, XmlNamespace.addressing, "Address")?.text.trim();
  if (address) return address;
  const soapAddress = childNamed(port, XmlNamespace.wsdlSoap12, "address");
  return soapAddress && attributeOf(soapAddress, "location")?.trim();
}

function localPart(qname: string): string {
  return qname.slice(qname.indexOf(":") + 1);
}

/** True for an absolute https URL. @internal */
export function isHttps(url: string): boolean {
  return URL.canParse(url) && new URL(url).protocol === "https:";
}
