import { randomUUID } from "node:crypto";
import type { User } from "../directory.js";
import { MICROSOFT_ONLINE, NS } from "./names.js";
import { escapeXml } from "./xml.js";

// The SAML 1.1 assertion the federation service issues for Microsoft Entra ID, with the claims AD FS
// sends for urn:federation:MicrosoftOnline: the UPN and the ImmutableID (the on-premises object GUID,
// base64) that Entra matches the user by.

/** How long an issued assertion is valid, seconds (AD FS's default token lifetime: 1 hour). */
export const ASSERTION_LIFETIME = 3600;

/** An assertion as issued. */
export interface IssuedSamlAssertion {
  /** `AssertionID`. */
  readonly id: string;
  /** The assertion's XML, exactly as sent. */
  readonly xml: string;
  /** `NotOnOrAfter`, epoch seconds. */
  readonly notOnOrAfter: number;
}

/** What an assertion says and who says it. */
export interface SamlAssertionContent {
  /** The federation service's issuer URI. */
  readonly issuer: string;
  readonly user: User;
  /** Issue time, epoch seconds. */
  readonly now: number;
}

/**
 * The ImmutableID of a user: the object GUID's bytes in the order Windows stores a GUID (the first
 * three groups little-endian), base64 — the form AD FS sends for directory-synchronized users.
 */
export function immutableId(objectId: string): string {
  const hex = objectId.replace(/-/g, "");
  const bytes = Buffer.from(hex, "hex");
  const swap = (start: number, length: number): Buffer => Buffer.from(bytes.subarray(start, start + length)).reverse();
  return Buffer.concat([swap(0, 4), swap(4, 2), swap(6, 2), bytes.subarray(8)]).toString("base64");
}

/** SAML's time format: UTC with milliseconds, as AD FS writes it. */
export function isoTime(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds * 1000)).toISOString();
}

function subject(nameId: string): string {
  return (
    `<saml:Subject>` +
    `<saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${nameId}</saml:NameIdentifier>` +
    `<saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation>` +
    `</saml:Subject>`
  );
}

/** Writes a bearer SAML 1.1 assertion for Entra ID, valid {@link ASSERTION_LIFETIME} seconds. */
export function issueSaml11Assertion(content: SamlAssertionContent): IssuedSamlAssertion {
  const id = `_${randomUUID()}`;
  const issued = isoTime(content.now);
  const notOnOrAfter = Math.floor(content.now) + ASSERTION_LIFETIME;
  const nameId = escapeXml(immutableId(content.user.objectId));
  const xml =
    `<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="${id}" Issuer="${escapeXml(content.issuer)}" IssueInstant="${issued}" xmlns:saml="${NS.saml}">` +
    `<saml:Conditions NotBefore="${issued}" NotOnOrAfter="${isoTime(notOnOrAfter)}">` +
    `<saml:AudienceRestrictionCondition><saml:Audience>${MICROSOFT_ONLINE}</saml:Audience></saml:AudienceRestrictionCondition>` +
    `</saml:Conditions>` +
    `<saml:AttributeStatement>${subject(nameId)}` +
    `<saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>${escapeXml(content.user.username)}</saml:AttributeValue></saml:Attribute>` +
    `<saml:Attribute AttributeName="ImmutableID" AttributeNamespace="http://schemas.microsoft.com/LiveID/Federation/2008/05"><saml:AttributeValue>${nameId}</saml:AttributeValue></saml:Attribute>` +
    `</saml:AttributeStatement>` +
    `<saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="${issued}">${subject(nameId)}</saml:AuthenticationStatement>` +
    `</saml:Assertion>`;
  return { id, xml, notOnOrAfter };
}
