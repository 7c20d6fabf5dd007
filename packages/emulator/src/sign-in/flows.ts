import type { App, Tenant, User } from "../directory.js";
import { ExpiringStore, randomId } from "../expiring-store.js";
import type { EmulatorRequest, HandlerResult } from "../http.js";
import type { ScopeRequest } from "../scopes.js";
import type { Authentication } from "../user-tokens.js";
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

/** The user a finished sign-in is for, and how they signed in. */
export interface SignedInAccount extends Omit<FlowAccount, "session"> {
  readonly authentication: Authentication;
}

/**
 * A sign-in on the device login page: it runs the same steps, but ends by handing the signed-in user
 * to the device code flow instead of redirecting to the app with an authorization code.
 */
export interface DeviceSignIn {
  /** Where the step pages post. */
  readonly action: string;
  /** The user signed in (the session is saved); `headers` carry its cookie. */
  signedIn(request: EmulatorRequest, account: SignedInAccount, headers: Readonly<Record<string, string>>): HandlerResult;
  /** The user cancelled the consent page. */
  cancelled(request: EmulatorRequest): HandlerResult;
}

/** An in-flight sign-in. */
export interface SignInFlow {
  readonly id: string;
  /** The authorize request; for a device sign-in, one the device login page made up (it is never answered). */
  readonly request: AuthorizeRequest;
  /** Set for sign-ins on the device login page. */
  readonly device: DeviceSignIn | undefined;
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
  create(request: AuthorizeRequest, device?: DeviceSignIn): SignInFlow {
    return { id: randomId(), request, device, step: "credentials", account: undefined, mfaDone: false, consentGiven: false };
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
