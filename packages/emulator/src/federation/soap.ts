import type { TextResult } from "../http.js";
import { NS } from "./names.js";
import { escapeXml } from "./xml.js";

// SOAP 1.2 responses of the federation service: envelopes and faults. Like AD FS (a WCF service), it
// reports a refused request as a SOAP fault with HTTP 500, and a message it cannot read with HTTP 400.

/** The content type of SOAP 1.2 messages. */
export const SOAP_CONTENT_TYPE = "application/soap+xml; charset=utf-8";

const NO_STORE = { "cache-control": "no-store, no-cache", pragma: "no-cache" } as const;

/** A fault the WS-Trust endpoint answers with. Thrown while reading a request; rendered by {@link faultResult}. */
export class SoapFault extends Error {
  override readonly name = "SoapFault";
  /** The HTTP status: 500 for faults, 400 for messages that cannot be read. */
  readonly status: number;
  /** `s:Sender` (the request is at fault) or `s:Receiver`. */
  readonly code: "Sender" | "Receiver";
  /** The subcode's namespace URI and local name, e.g. WS-Security's `FailedAuthentication`. */
  readonly subcode: { readonly namespace: string; readonly local: string };

  constructor(status: number, code: "Sender" | "Receiver", subcode: { namespace: string; local: string }, reason: string) {
    super(reason);
    this.status = status;
    this.code = code;
    this.subcode = subcode;
  }
}

/** A SOAP 1.2 envelope with WS-Addressing headers. */
export function soapEnvelope(action: string, relatesTo: string | undefined, body: string, extraHeaders = ""): string {
  return (
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:u="${NS.u}">` +
    `<s:Header><a:Action s:mustUnderstand="1">${escapeXml(action)}</a:Action>` +
    (relatesTo ? `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>` : "") +
    extraHeaders +
    `</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

/** A SOAP response. */
export function soapResult(status: number, envelope: string): TextResult {
  return { type: "text", status, body: envelope, contentType: SOAP_CONTENT_TYPE, headers: NO_STORE };
}

/** Renders a fault, in reply to the request's `wsa:MessageID` when it had one. */
export function faultResult(fault: SoapFault, relatesTo: string | undefined): TextResult {
  const body =
    `<s:Fault><s:Code><s:Value>s:${fault.code}</s:Value>` +
    // AD FS rebinds the prefix `a` on the subcode's value, whatever `a` means in the envelope.
    `<s:Subcode><s:Value xmlns:a="${escapeXml(fault.subcode.namespace)}">a:${fault.subcode.local}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeXml(fault.message)}</s:Text></s:Reason></s:Fault>`;
  return soapResult(fault.status, soapEnvelope(`${NS.a}/soap/fault`, relatesTo, body));
}
