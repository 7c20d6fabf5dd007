import type { App, Tenant, User } from "./directory.js";
import { ExpiringStore, randomId } from "./expiring-store.js";
import type { UserScopeGrant } from "./scopes.js";
import type { Authentication } from "./user-tokens.js";

/** Entra's maximum inactive time of a refresh token: 90 days (authority-wire-format §2.6). */
const INACTIVE_LIFETIME = 90 * 24 * 3600;
const PREFIX = "1.";
const RANDOM_BYTES = 48;
const WELL_FORMED = new RegExp(`^${PREFIX.replace(".", "\\.")}[A-Za-z0-9_-]{${Math.ceil((RANDOM_BYTES * 4) / 3)}}$`);

/** What a refresh token stands for. */
export interface RefreshTokenGrant {
  readonly tenant: Tenant;
  /** The app it was issued to. */
  readonly app: App;
  readonly user: User;
  /** The scopes of the response that carried it; a refresh without `scope` asks for these again. */
  readonly grant: UserScopeGrant;
  /** Issued to a family (FOCI) app: every family app of the tenant may redeem it. */
  readonly family: boolean;
  readonly authentication: Authentication;
}

/**
 * The refresh tokens of one emulator: opaque random strings, kept in memory. Redeeming one issues a
 * new one and, as Entra, leaves the old one valid.
 */
export class RefreshTokens {
  readonly #tokens = new ExpiringStore<RefreshTokenGrant>();

  /** Issues a refresh token. */
  issue(grant: RefreshTokenGrant, now: number): string {
    const token = `${PREFIX}${randomId(RANDOM_BYTES)}`;
    this.#tokens.set(token, grant, now + INACTIVE_LIFETIME, now);
    return token;
  }

  /** The grant behind a token, or undefined for an unknown or expired one. */
  find(token: string, now: number): RefreshTokenGrant | undefined {
    return this.#tokens.get(token, now);
  }

  /** True when `token` looks like one this emulator issues (unknown ones may be from an earlier run). */
  static isWellFormed(token: string): boolean {
    return WELL_FORMED.test(token);
  }
}
