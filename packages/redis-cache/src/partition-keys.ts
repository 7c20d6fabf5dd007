/**
 * Which partition a call's tokens live in.
 *
 * A web app on many machines keeps one small cache per user rather than one large cache for
 * everyone: a request loads and writes only its user's partition, so users never contend with each
 * other and a partition stays a few kilobytes. The partitions follow what each kind of call looks
 * tokens up by:
 *
 * | call | partition | key |
 * | --- | --- | --- |
 * | `acquireTokenSilent`, `getAccounts`, `removeAccount` (user flows) | the signed-in user | `user:{home_account_id}` |
 * | `acquireTokenForClient`, `removeTokensForClient` (app tokens) | the app in one tenant | `app:{client_id}:{tenant}` |
 * | `acquireTokenOnBehalfOf` (a web API calling another) | the incoming token | `obo:{base64url SHA-256 of the assertion}` |
 *
 * Each variable part is percent-encoded (`encodeURIComponent`), so no part can run into the next;
 * client ids and tenants are lowercased, as Entra treats them case-insensitively. The store puts
 * its prefix (default `msal:`) in front, which makes Redis keys such as
 * `msal:user:{uid}.{utid}`.
 *
 * @module
 */

import { userAssertionHash } from "@msal-ts/msal";

function part(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") {
    const e = new TypeError(`${name} must be a non-empty string, got ${value === "" ? "an empty string" : typeof value}`);
    (e as TypeError & { code: string }).code = "ERR_INVALID_ARG_TYPE";
    throw e;
  }
  return encodeURIComponent(value);
}

/**
 * The partition of a signed-in user's tokens: their access, refresh and ID tokens and their
 * account, in every tenant and for every client id that shares the store.
 *
 * @param homeAccountId The account's `home_account_id` (from `getAccounts()`, or kept in the web
 *   session after sign-in).
 * @returns `user:{home_account_id}`.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `homeAccountId` is not a non-empty string.
 *
 * @example
 * ```ts
 * const result = await store.withPartition(userPartitionKey(session.homeAccountId), async (cache) => {
 *   const app = new ConfidentialClientApplication(clientId, { clientCredential, authority, tokenCache: cache });
 *   const [account] = await app.getAccounts();
 *   return account ? app.acquireTokenSilent(["User.Read"], account) : null;
 * });
 * ```
 */
export function userPartitionKey(homeAccountId: string): string {
  return `user:${part("homeAccountId", homeAccountId)}`;
}

/**
 * The partition of an app's own tokens (client credentials) in one tenant. A multi-tenant daemon
 * gets one partition per customer tenant.
 *
 * @param clientId The app's client id.
 * @param tenant The tenant the app's authority names (a GUID or a domain, as configured).
 * @returns `app:{client_id}:{tenant}`, both lowercased.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when either is not a non-empty string.
 *
 * @example
 * ```ts
 * const token = await store.withPartition(appPartitionKey(clientId, tenantId), (cache) =>
 *   new ConfidentialClientApplication(clientId, {
 *     clientCredential,
 *     authority: `https://login.microsoftonline.com/${tenantId}`,
 *     tokenCache: cache,
 *   }).acquireTokenForClient(["https://graph.microsoft.com/.default"]),
 * );
 * ```
 */
export function appPartitionKey(clientId: string, tenant: string): string {
  return `app:${part("clientId", clientId).toLowerCase()}:${part("tenant", tenant).toLowerCase()}`;
}

/**
 * The partition of the tokens a web API obtained on behalf of a user, keyed by the token the API
 * was called with: the next request that carries the same token finds them. The assertion is
 * hashed with the library's own `userAssertionHash` (base64url SHA-256, MSAL Node's
 * `userAssertionHash`), so the key never holds the token itself.
 *
 * @param userAssertion The access token the API was called with.
 * @returns `obo:{base64url SHA-256 of the assertion}`.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) when `userAssertion` is not a non-empty string.
 *
 * @example
 * ```ts
 * const incoming = req.headers.authorization!.slice("Bearer ".length);
 * const result = await store.withPartition(oboPartitionKey(incoming), (cache) =>
 *   new ConfidentialClientApplication(clientId, { clientCredential, authority, tokenCache: cache })
 *     .acquireTokenOnBehalfOf(incoming, ["https://graph.microsoft.com/User.Read"]),
 * );
 * ```
 */
export function oboPartitionKey(userAssertion: string): string {
  part("userAssertion", userAssertion);
  return `obo:${userAssertionHash(userAssertion)}`;
}
