import type { CodeChallenge } from "../authorization-codes.js";
import { requestedCapabilities } from "../claims-request.js";
import type { EmulatorContext } from "../context.js";
import type { App, Tenant } from "../directory.js";
import { EntraError, invalidParameter, missingParameter, unknownClient } from "../errors.js";
import type { EmulatorRequest } from "../http.js";
import { readCodeChallenge } from "../pkce.js";
import { parseScopeRequest } from "../scopes.js";
import { selectTenant } from "../tenant-selection.js";
import { redirectUriMismatch, unsupportedResponseType } from "../user-errors.js";
import type { ResponseMode, ResponseTarget } from "./authorize-response.js";
import { isRegisteredRedirectUri } from "./redirect-uris.js";

// Reading and validating `GET /{tenant}/oauth2/v2.0/authorize` (authority-wire-format §1.3).

/** OpenID Connect `prompt` values Entra accepts (MSAL Python also sends `create`). */
export type Prompt = "login" | "none" | "consent" | "select_account" | "create";
const PROMPTS: readonly string[] = ["login", "none", "consent", "select_account", "create"];
const RESPONSE_MODES: readonly string[] = ["query", "fragment", "form_post"];

/** A validated authorize request. */
export interface AuthorizeRequest extends ResponseTarget {
  /** The tenant path segment as sent; the sign-in forms post back to it. */
  readonly segment: string;
  /** The tenant the path names; undefined for `common`, `organizations`, `consumers` (the user's own tenant then). */
  readonly tenant: Tenant | undefined;
  /** The app's registration, in `tenant` or (multi-tenant paths) in the first tenant that has it. */
  readonly app: App;
  readonly appTenant: Tenant;
  /** The raw `scope`; parsed against the user's tenant once the user is known. */
  readonly scope: string;
  readonly nonce: string | undefined;
  readonly challenge: CodeChallenge | undefined;
  readonly prompt: Prompt | undefined;
  readonly loginHint: string | undefined;
  /** Seconds; a session older than this signs in again. */
  readonly maxAge: number | undefined;
  /** The raw `claims` parameter. */
  readonly claims: string | undefined;
  readonly capabilities: readonly string[] | undefined;
  /** `client_info=1` was sent. */
  readonly clientInfo: boolean;
}

/**
 * A failed authorize request: redirected to the app when `target` is known (the redirect URI is
 * trustworthy), else shown on an error page at the emulator.
 */
export class AuthorizeFailure extends Error {
  override readonly name = "AuthorizeFailure";
  readonly error: EntraError;
  readonly target: ResponseTarget | undefined;

  constructor(error: EntraError, target: ResponseTarget | undefined) {
    super(error.message);
    this.error = error;
    this.target = target;
  }
}

function optional(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) ?? undefined;
}

function findApp(ctx: EmulatorContext, tenant: Tenant | undefined, clientId: string): { app: App; tenant: Tenant } | undefined {
  for (const t of tenant ? [tenant] : ctx.directory.tenants) {
    const app = t.findApp(clientId);
    if (app) return { app, tenant: t };
  }
  return undefined;
}

/** Parses `max_age`: a non-negative integer number of seconds. */
function readMaxAge(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  if (!/^\d{1,10}$/.test(value)) throw invalidParameter("max_age");
  return Number(value);
}

function readPrompt(value: string | null): Prompt | undefined {
  if (value === null || value === "") return undefined;
  if (!PROMPTS.includes(value)) throw invalidParameter("prompt");
  return value as Prompt;
}

/**
 * Validates an authorize request. Accepted and ignored: `domain_hint` (every domain signs in on the
 * same page here, federated ones included), `sid`, `x-client-*`, `X-AnchorMailbox` and other extras.
 * `prompt=create` shows the sign-in form (the emulator has no self-service sign-up).
 *
 * Errors that make the redirect URI untrustworthy (unknown tenant or app, unregistered redirect URI)
 * have no target; the rest are redirected in the requested mode.
 *
 * @throws AuthorizeFailure for every invalid request.
 */
export function readAuthorizeRequest(ctx: EmulatorContext, request: EmulatorRequest, params: URLSearchParams): AuthorizeRequest {
  let target: ResponseTarget | undefined;
  try {
    const selection = selectTenant(ctx.directory, request);
    const tenant = selection.kind === "tenant" ? selection.tenant : undefined;
    const clientId = params.get("client_id");
    if (!clientId) throw missingParameter("client_id");
    request.notes.clientId = clientId;
    const found = findApp(ctx, tenant, clientId);
    if (!found) throw unknownClient(clientId, tenant?.displayName ?? selection.segment);
    const redirectUri = params.get("redirect_uri");
    if (!redirectUri) throw missingParameter("redirect_uri");
    if (!isRegisteredRedirectUri(found.app, redirectUri)) throw redirectUriMismatch(redirectUri, clientId);

    const mode = params.get("response_mode") || "query";
    const responseMode = (RESPONSE_MODES.includes(mode) ? mode : "query") as ResponseMode;
    target = { redirectUri, responseMode, state: optional(params, "state") };
    if (mode !== responseMode) throw invalidParameter("response_mode");

    const responseType = params.get("response_type");
    if (!responseType) throw missingParameter("response_type");
    if (responseType !== "code") throw unsupportedResponseType(responseType);
    const scope = params.get("scope") ?? "";
    parseScopeRequest(scope, tenant ?? found.tenant);
    const claims = optional(params, "claims");
    return {
      ...target,
      segment: request.params.tenant ?? selection.segment,
      tenant,
      app: found.app,
      appTenant: found.tenant,
      scope,
      nonce: optional(params, "nonce"),
      challenge: readCodeChallenge(params.get("code_challenge"), params.get("code_challenge_method")),
      prompt: readPrompt(params.get("prompt")),
      loginHint: optional(params, "login_hint"),
      maxAge: readMaxAge(params.get("max_age")),
      claims,
      capabilities: requestedCapabilities(claims ?? null),
      clientInfo: params.get("client_info") === "1",
    };
  } catch (err) {
    if (err instanceof EntraError) throw new AuthorizeFailure(err, target);
    throw err;
  }
}
