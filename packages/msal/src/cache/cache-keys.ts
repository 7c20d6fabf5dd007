/**
 * Cache keys, built exactly as MSAL Python builds them, so a cache file written by either library
 * holds the same keys (except for PoP and SSH-certificate tokens, see {@link accessTokenKey}). Lookups never depend on them: other MSALs use other key shapes (MSAL JS has
 * eight parts), so entries are found by their field values, and these keys only decide where a
 * new entry is written and which existing entry it replaces.
 *
 * @module
 */

import { CredentialType } from "./credential-type.js";

/** The entry fields a key is built from. Anything else in the object is ignored. */
export type KeyFields = Readonly<Record<string, unknown>>;

/** A missing part becomes an empty string, as Python's `value or ""` does. */
function part(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  return typeof value === "string" ? value : String(value);
}

/** The token types whose entries get a key of their own (compared lower-cased). */
const BOUND_TOKEN_TYPES: ReadonlySet<string> = new Set(["pop", "ssh-cert"]);

/**
 * The key of an AccessToken entry: home account, environment, type, client, realm, target.
 *
 * A bearer token gets MSAL Python's six-part key (so does a token of a type msal-ts does not know).
 * A PoP token or an SSH certificate gets MSAL JS's two more parts, an (empty) claims hash and the
 * scheme, then its `key_id`: it never replaces the bearer token for the same scopes, nor a token
 * bound to another key (MSAL Python, whose key ignores both, would). Its entry still says
 * `credential_type: "AccessToken"`, so MSAL Python reads it, and every MSAL finds entries by their
 * fields, not their keys.
 *
 * @param fields The entry (or query) fields.
 * @returns The lowercased key, e.g. `uid.utid-login.example.com-accesstoken-cid-contoso-s1 s2`, or
 *   `…-contoso-s1 s2--pop-{key_id}` for a PoP token.
 */
export function accessTokenKey(fields: KeyFields): string {
  // Concatenated rather than joined from an array: every token written computes one.
  let key = `${part(fields["home_account_id"])}-${part(fields["environment"])}-${CredentialType.ACCESS_TOKEN}-${part(fields["client_id"])}-${part(fields["realm"])}-${part(fields["target"])}`;
  const scheme = part(fields["token_type"]);
  if (scheme !== "" && scheme !== "Bearer" && BOUND_TOKEN_TYPES.has(scheme.toLowerCase())) {
    key += `--${scheme}`;
    const keyId = part(fields["key_id"]);
    if (keyId !== "") key += `-${keyId}`;
  }
  return key.toLowerCase();
}

/**
 * The key of a RefreshToken entry. The realm slot stays empty because a refresh token works
 * across tenants.
 *
 * @param fields The entry fields.
 * @returns The lowercased key, e.g. `uid.utid-login.example.com-refreshtoken-cid--s1 s2`.
 */
export function refreshTokenKey(fields: KeyFields): string {
  return [
    part(fields["home_account_id"]),
    part(fields["environment"]),
    CredentialType.REFRESH_TOKEN,
    part(fields["client_id"]),
    "",
    part(fields["target"]),
  ]
    .join("-")
    .toLowerCase();
}

/**
 * The key of an IdToken entry. The schema wants a target slot, which an ID token leaves empty, so
 * the key ends with `-`.
 *
 * @param fields The entry fields.
 * @returns The lowercased key, e.g. `uid.utid-login.example.com-idtoken-cid-contoso-`.
 */
export function idTokenKey(fields: KeyFields): string {
  return [
    part(fields["home_account_id"]),
    part(fields["environment"]),
    CredentialType.ID_TOKEN,
    part(fields["client_id"]),
    part(fields["realm"]),
    "",
  ]
    .join("-")
    .toLowerCase();
}

/**
 * The key of an Account entry: home account, environment, realm.
 *
 * @param fields The entry fields.
 * @returns The lowercased key, e.g. `uid.utid-login.example.com-contoso`.
 */
export function accountKey(fields: KeyFields): string {
  return [part(fields["home_account_id"]), part(fields["environment"]), part(fields["realm"])]
    .join("-")
    .toLowerCase();
}

/**
 * The key of an AppMetadata entry. MSAL Python does not lowercase this one (MSAL JS does); we
 * follow Python so both write the same key.
 *
 * @param fields The entry fields.
 * @returns The key, e.g. `appmetadata-login.example.com-cid`.
 */
export function appMetadataKey(fields: KeyFields): string {
  return `appmetadata-${part(fields["environment"])}-${part(fields["client_id"])}`;
}

/**
 * The key MSAL Python would store an entry of the given section under.
 *
 * @param section The section the entry belongs to.
 * @param fields The entry fields.
 * @returns The key.
 */
export function cacheKeyFor(section: CredentialType, fields: KeyFields): string {
  switch (section) {
    case CredentialType.ACCESS_TOKEN:
      return accessTokenKey(fields);
    case CredentialType.REFRESH_TOKEN:
      return refreshTokenKey(fields);
    case CredentialType.ID_TOKEN:
      return idTokenKey(fields);
    case CredentialType.ACCOUNT:
      return accountKey(fields);
    case CredentialType.APP_METADATA:
      return appMetadataKey(fields);
  }
}

/**
 * The AccessToken and AppMetadata keys a cache computed last, with the fields they came from. A
 * cache is written for the same token over and over (an app refreshing its one token); handing the
 * stored key string back spares building a new one, and its hashing and comparing in the store's
 * map, on every write.
 */
export class RecentKeys {
  #at: { readonly fields: KeyFields; readonly key: string } | undefined;
  #appMetadata: { readonly fields: KeyFields; readonly key: string } | undefined;

  /**
   * {@link cacheKeyFor}, remembered for AccessToken and AppMetadata entries.
   *
   * @param section The section the entry belongs to.
   * @param fields The entry fields.
   * @returns The key.
   */
  keyFor(section: CredentialType, fields: KeyFields): string {
    if (section === CredentialType.ACCESS_TOKEN) {
      const last = this.#at;
      if (last !== undefined && sameAccessTokenKeyFields(last.fields, fields)) return last.key;
      const key = accessTokenKey(fields);
      // Only what the key is made of is kept: never the token.
      this.#at = {
        fields: {
          realm: fields["realm"],
          target: fields["target"],
          client_id: fields["client_id"],
          environment: fields["environment"],
          home_account_id: fields["home_account_id"],
          token_type: fields["token_type"],
          key_id: fields["key_id"],
        },
        key,
      };
      return key;
    }
    if (section === CredentialType.APP_METADATA) {
      const last = this.#appMetadata;
      if (last !== undefined && last.fields["environment"] === fields["environment"] && last.fields["client_id"] === fields["client_id"]) {
        return last.key;
      }
      const key = appMetadataKey(fields);
      this.#appMetadata = { fields: { environment: fields["environment"], client_id: fields["client_id"] }, key };
      return key;
    }
    return cacheKeyFor(section, fields);
  }
}

/** Whether two AccessToken entries get the same key: every field {@link accessTokenKey} reads is identical. */
function sameAccessTokenKeyFields(a: KeyFields, b: KeyFields): boolean {
  return (
    a["realm"] === b["realm"] &&
    a["target"] === b["target"] &&
    a["client_id"] === b["client_id"] &&
    a["environment"] === b["environment"] &&
    a["home_account_id"] === b["home_account_id"] &&
    a["token_type"] === b["token_type"] &&
    a["key_id"] === b["key_id"]
  );
}
