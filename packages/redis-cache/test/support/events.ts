// Token events shaped as the library's flows hand them to TokenCache.add(), for tests that write
// user and app tokens without an authority.
import type { TokenCache } from "@msal-ts/msal";

export const ENVIRONMENT = "login.microsoftonline.com";
export const TENANT = "7e57ab1e-0000-4c0d-8e5a-c0de70c0ffee";
export const CLIENT_ID = "d4e1c0de-0000-4a11-8c11-000000000002";
export const TOKEN_ENDPOINT = `https://${ENVIRONMENT}/${TENANT}/oauth2/v2.0/token`;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** An unsigned ID token: the cache decodes it, it does not verify it. */
function idToken(uid: string, username: string): string {
  const claims = { iss: `https://${ENVIRONMENT}/${TENANT}/v2.0`, aud: CLIENT_ID, tid: TENANT, oid: uid, sub: `sub-${uid}`, preferred_username: username };
  return `${b64url({ alg: "none" })}.${b64url(claims)}.`;
}

export interface UserTokens {
  /** `{uid}.{utid}`. */
  readonly homeAccountId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * Adds what a password or auth-code sign-in writes for a user: access, refresh and ID token,
 * account and app metadata.
 */
export function addUserTokens(
  cache: TokenCache,
  user: { uid: string; username: string },
  options: { scopes?: readonly string[]; expiresIn?: number; now?: number; tag?: string } = {},
): UserTokens {
  const tag = options.tag ?? "";
  const accessToken = `at-${user.uid}-${tag}-${Math.random().toString(36).slice(2)}`;
  const refreshToken = `rt-${user.uid}-${tag}-${Math.random().toString(36).slice(2)}`;
  const scopes = options.scopes ?? ["User.Read"];
  cache.add(
    {
      client_id: CLIENT_ID,
      scope: scopes,
      token_endpoint: TOKEN_ENDPOINT,
      grant_type: "password",
      environment: ENVIRONMENT,
      response: {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: options.expiresIn ?? 3600,
        refresh_token: refreshToken,
        id_token: idToken(user.uid, user.username),
        client_info: b64url({ uid: user.uid, utid: TENANT }),
        scope: [...scopes, "openid", "profile", "offline_access"].join(" "),
      },
    },
    options.now,
  );
  return { homeAccountId: `${user.uid}.${TENANT}`, accessToken, refreshToken };
}

/** Adds what client credentials write: an app-only access token and app metadata. */
export function addAppToken(cache: TokenCache, scope: string, options: { expiresIn?: number; now?: number } = {}): string {
  const accessToken = `app-at-${scope}-${Math.random().toString(36).slice(2)}`;
  cache.add(
    {
      client_id: CLIENT_ID,
      scope: [scope],
      token_endpoint: TOKEN_ENDPOINT,
      grant_type: "client_credentials",
      environment: ENVIRONMENT,
      response: { access_token: accessToken, token_type: "Bearer", expires_in: options.expiresIn ?? 3600 },
    },
    options.now,
  );
  return accessToken;
}

/** The cache's serialized document, parsed. */
export function documentOf(cache: { serialize(): string }): Record<string, Record<string, Record<string, unknown>>> {
  return JSON.parse(cache.serialize()) as Record<string, Record<string, Record<string, unknown>>>;
}

/** The secrets of a section's entries. */
export function secretsOf(cache: { serialize(): string }, section: string): string[] {
  return Object.values(documentOf(cache)[section] ?? {}).map((e) => String(e["secret"]));
}
