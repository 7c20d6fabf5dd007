import type { Tenant, User } from "../directory.js";
import { ExpiringStore, randomId } from "../expiring-store.js";
import type { Authentication } from "../user-tokens.js";

// The browser's sign-in session at the emulator: a cookie on the emulator's host naming a server-side
// record, so a second authorize request signs in without the form.

/** The session cookie's name. */
export const SESSION_COOKIE = "msalts_session";
/** Sessions last a day without use. */
const SESSION_LIFETIME = 24 * 3600;

/** A signed-in browser. */
export interface BrowserSession {
  /** The cookie value. */
  readonly id: string;
  readonly tenant: Tenant;
  readonly user: User;
  readonly authentication: Authentication;
}

/** The browser sessions of one emulator. */
export class Sessions {
  readonly #sessions = new ExpiringStore<BrowserSession>();

  /** Starts or replaces a session; returns it with its id. */
  save(session: Omit<BrowserSession, "id"> & { readonly id?: string }, now: number): BrowserSession {
    const saved = { ...session, id: session.id ?? randomId() };
    this.#sessions.set(saved.id, saved, now + SESSION_LIFETIME, now);
    return saved;
  }

  /** The session the request's cookie names, if it is known and current. */
  fromCookie(cookieHeader: string | undefined, now: number): BrowserSession | undefined {
    const id = readCookie(cookieHeader, SESSION_COOKIE);
    return id === undefined ? undefined : this.#sessions.get(id, now);
  }

  /** Ends a session. */
  delete(id: string): void {
    this.#sessions.delete(id);
  }
}

/** Reads one cookie from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `Set-Cookie` for a session: host-only, HTTPS-only, hidden from scripts, sent on top-level navigations. */
export function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=Lax`;
}

/** `Set-Cookie` that removes the session cookie. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
}
