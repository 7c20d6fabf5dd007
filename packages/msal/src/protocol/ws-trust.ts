/**
 * WS-Trust username/password sign-in for federated users: asking the federation server (AD FS or
 * another WS-Trust STS) for a SAML assertion to exchange at the token endpoint.
 *
 * @module
 */

import { randomUUID } from "node:crypto";
import { invalidArgType, invalidArgValue, MsalError, NetworkError } from "../errors.js";
import { readBodyText, toTransportError, type HttpClient } from "../http/index.js";
import { isHttps, type WsTrustEndpoint } from "./mex.js";
import { buildRequestSecurityToken } from "./ws-trust-envelope.js";
import { MICROSOFT_ONLINE_AUDIENCE, WS_TRUST_DIALECTS } from "./ws-trust-namespaces.js";
import { readWsTrustResponse, type SamlAssertion, type SoapFault } from "./ws-trust-response.js";

export { samlGrantType, SamlGrantType } from "./ws-trust-namespaces.js";
export type { SamlAssertion, SoapFault } from "./ws-trust-response.js";

/** Options of {@link requestSamlAssertion}. */
export interface SamlAssertionRequest {
  readonly username: string;
  readonly password: string;
  /** The token's audience: the realm's `cloud_audience_urn`; default `urn:federation:MicrosoftOnline`. */
  readonly appliesTo?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** The current time, epoch seconds (default the system clock), stamped into the WS-Security timestamp. */
  readonly now?: number | undefined;
}

/**
 * Asks a WS-Trust endpoint for a SAML assertion on behalf of a user, with their username and
 * password (a RequestSecurityToken, SOAP 1.2, `SOAPAction` of the endpoint's WS-Trust version).
 *
 * The answer is read whatever its HTTP status, since AD FS reports a wrong password as a SOAP
 * fault with HTTP 500. Pass the result's `assertion`, base64url-encoded, as `assertion` with
 * `grant_type` = the result's `grantType` to the token endpoint.
 *
 * @param http - The HTTP client.
 * @param endpoint - From {@link fetchMexEndpoint} or {@link wsTrustEndpointFromActiveAuthUrl}; must be https.
 * @param request - The credentials, the audience, an abort signal and the clock.
 * @returns The assertion exactly as issued, its token type and the grant type that exchanges it.
 * @throws {@link MsalError} `ERR_WS_TRUST` when the server answers with a SOAP fault (the message
 *   carries its reason and subcode, e.g. `a:FailedAuthentication` for a wrong password, and
 *   `cause` the {@link SoapFault}), or with no SAML assertion; {@link NetworkError} for a transport
 *   failure or a body that is not XML; `TypeError` for bad arguments.
 */
export async function requestSamlAssertion(
  http: HttpClient,
  endpoint: WsTrustEndpoint,
  request: SamlAssertionRequest,
): Promise<SamlAssertion> {
  const { username, password, signal } = request;
  if (typeof username !== "string" || username === "") throw invalidArgType("username must be a non-empty string.");
  if (typeof password !== "string") throw invalidArgType("password must be a string.");
  if (!isHttps(endpoint.address)) throw invalidArgValue(`The WS-Trust endpoint ${endpoint.address} is not an https URL.`);
  const dialect = WS_TRUST_DIALECTS[endpoint.version];
  if (!dialect) throw invalidArgValue(`Unsupported WS-Trust version ${String(endpoint.version)}; expected "1.3" or "2005".`);

  const body = buildRequestSecurityToken({
    address: endpoint.address,
    version: endpoint.version,
    username,
    password,
    appliesTo: request.appliesTo || MICROSOFT_ONLINE_AUDIENCE,
    now: request.now ?? Date.now() / 1000,
    messageId: `urn:uuid:${randomUUID()}`,
  });
  let response: Response;
  try {
    response = await http(endpoint.address, {
      method: "POST",
      headers: { "content-type": "application/soap+xml; charset=utf-8", soapaction: dialect.action },
      body,
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    throw toTransportError(e, endpoint.address, signal);
  }

  const where = describe(endpoint.address);
  const text = await readBodyText(response, endpoint.address, signal);
  let outcome: ReturnType<typeof readWsTrustResponse>;
  try {
    outcome = readWsTrustResponse(text, `The answer of the WS-Trust endpoint ${where}`);
  } catch (e) {
    if (response.status < 400) throw e;
    throw new NetworkError("ERR_HTTP_STATUS", `The WS-Trust endpoint ${where} answered HTTP ${response.status} without a SOAP message.`, {
      status: response.status,
      cause: e,
    });
  }
  switch (outcome.kind) {
    case "token":
      return outcome.token;
    case "fault": {
      const fault = redactFault(outcome.fault, password);
      throw new MsalError("ERR_WS_TRUST", faultMessage(where, response.status, fault), { cause: fault });
    }
    case "unsupported":
      throw new MsalError(
        "ERR_WS_TRUST",
        `The WS-Trust endpoint ${where} issued a token of type ${outcome.tokenType}; only SAML 1.1 and SAML 2.0 assertions can be exchanged.`,
      );
    case "empty":
      throw new MsalError("ERR_WS_TRUST", `The WS-Trust endpoint ${where} answered HTTP ${response.status} without a SAML assertion.`);
  }
}

function faultMessage(where: string, status: number, { code, subcode, reason }: SoapFault): string {
  const codes = [code, subcode].filter((c) => c).join(" / ");
  return (
    `The WS-Trust endpoint ${where} refused the sign-in (HTTP ${status}, SOAP fault` +
    (codes ? ` ${codes}` : "") +
    `): ${reason || "no reason given"}. A wrong username or password is reported this way.`
  );
}

// The fault's text comes from the server; should it ever echo the password, it goes no further.
function redactFault(fault: SoapFault, password: string): SoapFault {
  const scrub = (v: string | undefined): string | undefined => (v && password ? v.replaceAll(password, "***") : v);
  return { code: scrub(fault.code), subcode: scrub(fault.subcode), reason: scrub(fault.reason) };
}

function describe(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
