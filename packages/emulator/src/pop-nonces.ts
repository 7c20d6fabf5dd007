import { ExpiringStore, randomId } from "./expiring-store.js";

/** How long a nonce of the PoP resource is accepted, seconds. */
export const POP_NONCE_LIFETIME = 300;

/**
 * Nonces the PoP-protected resource hands out (in its `WWW-Authenticate: PoP nonce="…"` challenge
 * and at `/api/pop/nonce`): random, accepted for {@link POP_NONCE_LIFETIME} seconds, any number of
 * times (a signed request's `ts` limits replay; the nonce proves the request was made for this
 * resource recently).
 */
export class PopNonces {
  readonly #issued = new ExpiringStore<true>();

  /** A new nonce, valid from `now` (epoch seconds). */
  issue(now: number): string {
    const nonce = randomId(24);
    this.#issued.set(nonce, true, now + POP_NONCE_LIFETIME, now);
    return nonce;
  }

  /** Whether `nonce` was issued here and is still valid at `now`. */
  isValid(nonce: string, now: number): boolean {
    return this.#issued.get(nonce, now) === true;
  }
}
