import type { App, Tenant, User } from "./directory.js";
import { ExpiringStore, randomId } from "./expiring-store.js";
import type { ScopeRequest } from "./scopes.js";
import type { Authentication } from "./user-tokens.js";

/** Authorization codes live about 10 minutes (authority-wire-format §2.6). */
export const CODE_LIFETIME = 600;
/** How long a spent or expired code is remembered, to answer 54005/70008 instead of "unknown". */
const CODE_MEMORY = 3600;

/** A PKCE challenge from the authorize request (RFC 7636). */
export interface CodeChallenge {
  readonly value: string;
  readonly method: "S256" | "plain";
}

/** What an authorization code stands for. */
export interface CodeGrant {
  readonly tenant: Tenant;
  readonly app: App;
  readonly user: User;
  /** The authorize request's redirect_uri, exactly as sent. */
  readonly redirectUri: string;
  readonly scope: ScopeRequest;
  readonly nonce: string | undefined;
  readonly challenge: CodeChallenge | undefined;
  readonly authentication: Authentication;
  /** `xms_cc` capabilities from the authorize request's claims. */
  readonly capabilities: readonly string[] | undefined;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** A code as found: its grant and whether it was redeemed already. */
export interface FoundCode {
  readonly grant: CodeGrant;
  readonly redeemed: boolean;
}

/** The authorization codes of one emulator: single-use, short-lived. */
export class AuthorizationCodes {
  readonly #codes = new ExpiringStore<{ grant: CodeGrant; redeemed: boolean }>();

  /** Issues a code for a grant (whose `expiresAt` is set here). */
  issue(grant: Omit<CodeGrant, "expiresAt">, now: number): string {
    const code = randomId(48);
    const expiresAt = Math.floor(now) + CODE_LIFETIME;
    this.#codes.set(code, { grant: { ...grant, expiresAt }, redeemed: false }, expiresAt + CODE_MEMORY, now);
    return code;
  }

  /** Looks a code up without spending it. */
  find(code: string, now: number): FoundCode | undefined {
    const entry = this.#codes.get(code, now);
    return entry && { grant: entry.grant, redeemed: entry.redeemed };
  }

  /** Spends a code: later redemptions see it as redeemed. */
  spend(code: string, now: number): void {
    const entry = this.#codes.get(code, now);
    if (entry) entry.redeemed = true;
  }
}
