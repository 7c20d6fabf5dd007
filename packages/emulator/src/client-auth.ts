import { decodeJwt } from "jose";
import { JWT_BEARER_ASSERTION_TYPE, verifyClientAssertion } from "./client-assertion.js";
import type { EmulatorContext } from "./context.js";
import type { App, Tenant } from "./directory.js";
import {
  invalidClientSecret,
  malformedRequest,
  missingParameter,
  publicClientWithCredential,
  unknownClient,
} from "./errors.js";
import type { EmulatorRequest } from "./http.js";
import { sameSecret } from "./secrets.js";
import { credentialRequired } from "./user-errors.js";

// Client authentication at the token endpoint: client_secret in the body, HTTP Basic (RFC 6749 §2.3.1),
// or a JWT client assertion (RFC 7523), exactly one of them.

/** The authenticated (or, for public clients, identified) client. */
export interface ClientAuthentication {
  readonly app: App;
  /** `none` when no credential was presented (public clients; confidential ones are refused by the grant). */
  readonly method: "secret" | "assertion" | "none";
  /** `azpacr`/`appidacr`: 0 none, 1 secret, 2 certificate. */
  readonly acr: "0" | "1" | "2";
}

interface BasicCredentials {
  readonly clientId: string;
  readonly secret: string;
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll("+", " "));
}

function parseBasic(authorization: string | undefined): BasicCredentials | undefined {
  if (!authorization) return undefined;
  const match = /^Basic\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw malformedRequest("The HTTP Basic credentials are not in 'client_id:client_secret' form.");
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw malformedRequest("The HTTP Basic credentials are not form-urlencoded.");
  }
}

function secretMatches(app: App, secret: string): boolean {
  let ok = false;
  // Every candidate is compared, so the time taken does not tell which one matched.
  for (const candidate of app.secrets) ok = sameSecret(secret, candidate) || ok;
  return ok;
}

/** The `aud` values a client assertion may carry for this request (lower-case). */
function tokenEndpointAudiences(request: EmulatorRequest, tenant: Tenant): string[] {
  const hosts = new Set([request.host, request.headers.host ?? request.host].map((h) => h.toLowerCase()));
  const segments = new Set([tenant.id, request.params.tenant ?? tenant.id, ...tenant.domains].map((s) => s.toLowerCase()));
  const out: string[] = [];
  for (const host of hosts) {
    for (const segment of segments) {
      out.push(`https://${host}/${segment}/oauth2/v2.0/token`, `https://${host}/${segment}/oauth2/token`);
    }
  }
  return out;
}

/**
 * Identifies the client of a token request and verifies its credential.
 *
 * @throws EntraError for a missing client id, an unknown client, a public client with a credential,
 *   more than one credential, or a credential that does not verify.
 */
export async function authenticateClient(
  ctx: EmulatorContext,
  request: EmulatorRequest,
  tenant: Tenant,
): Promise<ClientAuthentication> {
  const form = request.form;
  const basic = parseBasic(request.headers.authorization);
  const bodySecret = form.get("client_secret");
  const assertion = form.get("client_assertion");
  const assertionType = form.get("client_assertion_type");

  const presented = [basic, bodySecret, assertion].filter((c) => c !== undefined && c !== null && c !== "");
  if (presented.length > 1) throw malformedRequest("Only one client authentication method may be used.");

  const bodyClientId = form.get("client_id") || undefined;
  if (basic && bodyClientId && basic.clientId !== bodyClientId) {
    throw malformedRequest("The client_id in the body does not match the client id in the Authorization header.");
  }
  let clientId = bodyClientId ?? basic?.clientId;
  if (!clientId && assertion) {
    // RFC 7523 §3: without client_id the assertion's subject names the client (verified below).
    try {
      const sub = decodeJwt(assertion).sub;
      if (sub) clientId = sub;
    } catch {
      // reported as a missing client_id
    }
  }
  if (!clientId) throw missingParameter("client_id");
  request.notes.clientId = clientId;

  const app = tenant.findApp(clientId);
  if (!app) throw unknownClient(clientId, tenant.displayName);

  if (presented.length === 0) return { app, method: "none", acr: "0" };
  if (app.publicClient) throw publicClientWithCredential();

  const secret = basic?.secret ?? bodySecret;
  if (secret !== undefined && secret !== null && secret !== "") {
    if (!secretMatches(app, secret)) throw invalidClientSecret(app.clientId);
    return { app, method: "secret", acr: "1" };
  }

  if (!assertionType) throw missingParameter("client_assertion_type");
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    throw malformedRequest(`client_assertion_type must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
  }
  await verifyClientAssertion(assertion ?? "", {
    app,
    audiences: tokenEndpointAudiences(request, tenant),
    now: request.now,
    replay: ctx.assertionReplay,
  });
  return { app, method: "assertion", acr: "2" };
}

/**
 * {@link authenticateClient} for grants that act for a user: public clients present nothing, and a
 * confidential app must authenticate.
 *
 * @throws EntraError as {@link authenticateClient}, and invalid_client AADSTS7000218 when a
 *   confidential app presented no credential.
 */
export async function authenticateUserClient(
  ctx: EmulatorContext,
  request: EmulatorRequest,
  tenant: Tenant,
): Promise<ClientAuthentication> {
  const client = await authenticateClient(ctx, request, tenant);
  if (client.method === "none" && !client.app.publicClient) throw credentialRequired();
  return client;
}
