import { entraTimestamp } from "../errors.js";
import { MICROSOFT_ONLINE, NS, TRUST_VERSIONS } from "./names.js";
import type { TrustPath } from "./names.js";
import { SoapFault } from "./soap.js";
import { at, qn } from "./xml.js";
import type { XmlNode } from "./xml.js";

// Reading a WS-Trust RequestSecurityToken (RST) for a bearer token, authenticated by a WS-Security
// username token, and checking everything but the credentials.

/** How far the sender's clock may be off, seconds (AD FS's default: 5 minutes). */
export const CLOCK_SKEW = 300;

/** What a checked request asks for. */
export interface UsernameTokenRequest {
  readonly username: string;
  readonly password: string;
}

const PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const POLICY_NAMESPACES = [NS.wsp, "http://www.w3.org/ns/ws-policy"];
const ADDRESSING_NAMESPACES = [NS.a, "http://schemas.xmlsoap.org/ws/2004/08/addressing"];

function sender(namespace: string, local: string, reason: string): SoapFault {
  return new SoapFault(500, "Sender", { namespace, local }, reason);
}

/** A fault about the request's form, in the WS-Trust version's namespace. */
export function invalidRequest(version: TrustPath, reason: string, status = 500): SoapFault {
  return new SoapFault(status, "Sender", { namespace: TRUST_VERSIONS[version].trust, local: "InvalidRequest" }, reason);
}

/** The refusal of a username and password: AD FS's words, the same for an unknown user and a wrong password. */
export function failedAuthentication(): SoapFault {
  return sender(NS.o, "FailedAuthentication", "ID3242: The security token could not be authenticated or authorized.");
}

/** The request's `wsa:MessageID`, for the reply's `RelatesTo`. */
export function messageIdOf(envelope: XmlNode): string | undefined {
  return at(envelope, qn(NS.s, "Header"), qn(NS.a, "MessageID"))?.text || undefined;
}

/**
 * Checks an RST envelope for a WS-Trust endpoint of `version`: SOAP 1.2, the version's issue action
 * (`wsa:Action`, else the `SOAPAction` header), a WS-Security timestamp that is current within
 * {@link CLOCK_SKEW}, a clear-text username token, and a RequestSecurityToken of the version that asks
 * to issue a bearer token for `urn:federation:MicrosoftOnline`.
 *
 * @returns The username and password, for the caller to check.
 * @throws SoapFault for the first thing that is wrong.
 */
export function readUsernameTokenRequest(envelope: XmlNode, version: TrustPath, soapAction: string | undefined, now: number): UsernameTokenRequest {
  const v = TRUST_VERSIONS[version];
  if (envelope.name !== qn(NS.s, "Envelope")) throw invalidRequest(version, "The message is not a SOAP 1.2 envelope.", 400);
  const header = at(envelope, qn(NS.s, "Header"));
  const action = at(header, qn(NS.a, "Action"))?.text || soapAction?.replace(/^"|"$/g, "");
  if (action !== v.requestAction) {
    throw sender(
      NS.a,
      "ActionNotSupported",
      `The message with Action '${action ?? ""}' cannot be processed at the receiver: this endpoint serves WS-Trust issue requests, Action '${v.requestAction}'.`,
    );
  }
  const security = at(header, qn(NS.o, "Security"));
  checkTimestamp(at(security, qn(NS.u, "Timestamp")), now);
  const credentials = readUsernameToken(at(security, qn(NS.o, "UsernameToken")));

  const rst = at(envelope, qn(NS.s, "Body"), qn(v.trust, "RequestSecurityToken"));
  if (!rst) throw invalidRequest(version, `The body holds no RequestSecurityToken in the namespace ${v.trust}.`);
  const requestType = at(rst, qn(v.trust, "RequestType"))?.text;
  if (requestType !== v.issue) throw invalidRequest(version, `The RequestType '${requestType ?? ""}' is not supported; only '${v.issue}' is.`);
  const keyType = at(rst, qn(v.trust, "KeyType"))?.text;
  if (keyType !== undefined && keyType !== v.bearer) {
    throw invalidRequest(version, `The KeyType '${keyType}' is not supported; this endpoint issues bearer tokens only ('${v.bearer}').`);
  }
  const appliesTo = appliesToOf(rst);
  if (appliesTo?.toLowerCase() !== MICROSOFT_ONLINE.toLowerCase()) {
    throw sender(
      v.trust,
      "InvalidScope",
      `ID3082: The request scope '${appliesTo ?? ""}' is not valid or is unsupported: this federation service issues tokens for ${MICROSOFT_ONLINE} only.`,
    );
  }
  return credentials;
}

function appliesToOf(rst: XmlNode): string | undefined {
  for (const policy of POLICY_NAMESPACES) {
    for (const addressing of ADDRESSING_NAMESPACES) {
      const address = at(rst, qn(policy, "AppliesTo"), qn(addressing, "EndpointReference"), qn(addressing, "Address"));
      if (address) return address.text;
    }
  }
  return undefined;
}

function checkTimestamp(timestamp: XmlNode | undefined, now: number): void {
  const created = time(at(timestamp, qn(NS.u, "Created"))?.text);
  const expires = time(at(timestamp, qn(NS.u, "Expires"))?.text);
  if (created === undefined || expires === undefined || expires < created) {
    throw sender(NS.o, "InvalidSecurity", "The security header needs a timestamp with a valid Created and Expires (xsd:dateTime, UTC).");
  }
  if (now > expires + CLOCK_SKEW) {
    throw sender(
      NS.u,
      "MessageExpired",
      `The message expired at ${entraTimestamp(expires)}; the federation service's time is ${entraTimestamp(now)} (clock skew allowed: ${CLOCK_SKEW} s).`,
    );
  }
  if (created > now + CLOCK_SKEW) {
    throw sender(
      NS.o,
      "InvalidSecurity",
      `The message was created at ${entraTimestamp(created)}, after the federation service's time ${entraTimestamp(now)} (clock skew allowed: ${CLOCK_SKEW} s).`,
    );
  }
}

function time(value: string | undefined): number | undefined {
  if (value === undefined || !DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

function readUsernameToken(token: XmlNode | undefined): UsernameTokenRequest {
  const username = at(token, qn(NS.o, "Username"))?.text;
  const password = at(token, qn(NS.o, "Password"));
  if (!token || !username || !password) throw sender(NS.o, "InvalidSecurity", "The security header has no username token with a Username and Password.");
  const type = password.attributes.get("Type");
  if (type !== undefined && type !== PASSWORD_TEXT) {
    throw sender(NS.o, "UnsupportedSecurityToken", `The password type '${type}' is not supported; send the password as PasswordText.`);
  }
  // A password is taken as sent, spaces included.
  return { username, password: password.rawText };
}
