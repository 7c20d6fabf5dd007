import type { App, Tenant, User } from "./directory.js";

/**
 * Delegated permissions users granted to apps on the consent page (by qualified scope name,
 * case-insensitive). Only users configured with `consentRequired` are ever asked.
 */
export class Consents {
  readonly #granted = new Map<string, Set<string>>();

  #key(tenant: Tenant, user: User, app: App): string {
    return `${tenant.id}|${user.objectId}|${app.clientId.toLowerCase()}`;
  }

  /** Records the user's consent to the app for `scopes`. */
  grant(tenant: Tenant, user: User, app: App, scopes: readonly string[]): void {
    const key = this.#key(tenant, user, app);
    const set = this.#granted.get(key) ?? new Set<string>();
    for (const s of scopes) set.add(s.toLowerCase());
    this.#granted.set(key, set);
  }

  /** True when the user consented to the app for every one of `scopes`. */
  covers(tenant: Tenant, user: User, app: App, scopes: readonly string[]): boolean {
    const set = this.#granted.get(this.#key(tenant, user, app));
    return scopes.every((s) => set?.has(s.toLowerCase()) ?? false);
  }
}
