import type { EmulatorContext } from "../context.js";
import type { Tenant, User } from "../directory.js";
import { ExpiringStore } from "../expiring-store.js";
import { NS } from "./names.js";
import type { FederationRealm } from "./realm.js";
import type { IssuedSamlAssertion } from "./saml-assertion.js";
import { samlAssertionExpired, samlAssertionInvalid, samlRealmNotInTenant } from "./saml-errors.js";
import { qn, readXml, XmlRefused } from "./xml.js";

// The emulator is both the federation service and the token service, so it does not sign its SAML
// assertions: it remembers each one it issues (by AssertionID, with its exact text, realm, user and
// expiry, in memory, per emulator) and accepts at the token endpoint only an assertion it finds there
// unchanged. A real Entra tenant would instead check the signature against the domain's signing
// certificate; for a client the outcome is the same: an altered, unknown or expired assertion is refused.

interface IssuedRecord {
  readonly xml: string;
  readonly tenantId: string;
  readonly username: string;
  readonly notOnOrAfter: number;
}

/** How long after expiry an assertion is still recognized, to say "expired" rather than "unknown". */
const EXPIRED_MEMORY = 3600;
/** Assertions larger than this are not ours. */
const MAX_ASSERTION_CHARS = 64 * 1024;

const stores = new WeakMap<EmulatorContext, ExpiringStore<IssuedRecord>>();

function storeOf(ctx: EmulatorContext): ExpiringStore<IssuedRecord> {
  let store = stores.get(ctx);
  if (!store) {
    store = new ExpiringStore<IssuedRecord>();
    stores.set(ctx, store);
  }
  return store;
}

/** Remembers an assertion the federation service of `realm` issued for `user`. */
export function rememberAssertion(ctx: EmulatorContext, realm: FederationRealm, user: User, assertion: IssuedSamlAssertion, now: number): void {
  const record = { xml: assertion.xml, tenantId: realm.tenant.id, username: user.username, notOnOrAfter: assertion.notOnOrAfter };
  storeOf(ctx).set(assertion.id, record, assertion.notOnOrAfter + EXPIRED_MEMORY, now);
}

/** Finds the record of an issued assertion sent as base64url (or base64), checking it is intact and current. */
function lookUp(ctx: EmulatorContext, encoded: string, now: number): IssuedRecord {
  if (encoded.length > (MAX_ASSERTION_CHARS * 4) / 3 + 4 || !/^[A-Za-z0-9_\-+/]+={0,2}$/.test(encoded)) {
    throw samlAssertionInvalid("The assertion parameter must be the base64url encoding of a SAML assertion.");
  }
  const xml = Buffer.from(encoded, "base64").toString("utf8");
  let id: string | undefined;
  try {
    const root = readXml(xml);
    if (root.name !== qn(NS.saml, "Assertion")) throw new XmlRefused("The root element is not a SAML 1.1 Assertion.");
    id = root.attributes.get("AssertionID");
  } catch (e) {
    if (e instanceof XmlRefused) throw samlAssertionInvalid(`The assertion cannot be read: ${e.message}`);
    throw e;
  }
  const record = id === undefined ? undefined : storeOf(ctx).get(id, now);
  if (!record) throw samlAssertionInvalid("The assertion was not issued by a federation service this tenant trusts.");
  if (record.xml !== xml) throw samlAssertionInvalid("The assertion's signature does not verify: it was altered after it was issued.");
  if (now >= record.notOnOrAfter) throw samlAssertionExpired(now, record.notOnOrAfter);
  return record;
}

/**
 * The tenant whose federated domain issued an assertion: for SAML grants sent to `/organizations`.
 *
 * @throws EntraError invalid_grant as {@link verifySamlBearerAssertion}.
 */
export function assertionTenant(ctx: EmulatorContext, assertion: string, now: number): Tenant {
  const record = lookUp(ctx, assertion, now);
  const tenant = ctx.directory.findTenant(record.tenantId);
  if (!tenant) throw samlAssertionInvalid("The assertion's tenant no longer exists.");
  return tenant;
}

/**
 * Verifies a SAML bearer assertion sent to the token endpoint (`assertion`, base64url, as MSAL sends
 * it with the saml1_1-bearer and saml2-bearer grants) and returns the user it vouches for. An
 * assertion may be redeemed any number of times while it is valid, as a bearer token may.
 *
 * @param ctx - The emulator whose federation service issued it.
 * @param tenant - The tenant of the token request.
 * @param assertion - The `assertion` parameter.
 * @param now - The current time, epoch seconds.
 * @throws EntraError invalid_grant: AADSTS50008 for an assertion that is malformed, was not issued
 *   here or was altered; AADSTS50013 once it expired; AADSTS50107 when it comes from another tenant's
 *   federated domain.
 */
export function verifySamlBearerAssertion(ctx: EmulatorContext, tenant: Tenant, assertion: string, now: number): User {
  const record = lookUp(ctx, assertion, now);
  if (record.tenantId !== tenant.id) throw samlRealmNotInTenant(tenant.displayName);
  const user = tenant.findUser(record.username);
  if (!user?.federated) throw samlAssertionInvalid("The user the assertion names is not a federated user of the tenant.");
  return user;
}
