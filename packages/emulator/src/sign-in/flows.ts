import type { App, Tenant, User } from "../directory.js";
import { ExpiringStore, randomId } from "../expiring-store.js";
import type { ScopeRequest } from "../scopes.js";
import type { AuthorizeRequest } from "./authorize-request.js";
import type { BrowserSession } from "./sessions.js";

// In-flight sign-ins: the validated authorize request and the steps done so far, kept server-side under
// a random id that the pages carry in a hidden field. Nothing else on the pages is trusted.

/** A sign-in has 15 minutes to finish. */
const FLOW_LIFETIME = 15 * 60;

/** The page a sign-in is waiting on. */
export type SignInStep = "credentials" | "mfa" | "consent" | "account";

/** The user a sign-in is for, once known. */
export interface FlowAccount {
  readonly tenant: Tenant;
  /** The app's registration in the user's tenant. */
  readonly app: App;
  readonly user: User;
  /** The request's scopes, in the user's tenant. */
  readonly scopes: ScopeRequest;
  /** The session the account came from; undefined when the password was entered in this sign-in. */
  readonly session: BrowserSession | undefined;
}

/** An in-flight sign-in. */
export interface SignInFlow {
  readonly id: string;
  readonly request: AuthorizeRequest;
  step: SignInStep;
  account: FlowAccount | undefined;
  /** The second factor was entered in this sign-in. */
  mfaDone: boolean;
  /** The user accepted the consent page in this sign-in. */
  consentGiven: boolean;
}

/** The in-flight sign-ins of one emulator. */
export class SignInFlows {
  readonly #flows = new ExpiringStore<SignInFlow>();

  /** A new flow (not stored until {@link SignInFlows.save}). */
  create(request: AuthorizeRequest): SignInFlow {
    return { id: randomId(), request, step: "credentials", account: undefined, mfaDone: false, consentGiven: false };
  }

  /** Keeps a flow that waits for the user. */
  save(flow: SignInFlow, now: number): void {
    this.#flows.set(flow.id, flow, now + FLOW_LIFETIME, now);
  }

  /** The flow with this id, unless unknown or expired. */
  find(id: string, now: number): SignInFlow | undefined {
    return this.#flows.get(id, now);
  }

  /** Forgets a finished flow. */
  delete(id: string): void {
    this.#flows.delete(id);
  }
}
