// A web API that calls another API as its caller: the on-behalf-of (OBO) flow.
//
// A client app signs the user in and calls this API with an access token for it. For each request
// the API
//   1. checks that token: the signature against the authority's published keys, the issuer, the
//      audience (this API), the lifetime, and the scope the API requires;
//   2. exchanges it with acquireTokenOnBehalfOf for a token to the downstream API, for the same user;
//   3. calls the downstream API with that token and returns what it said.
//
// msal-ts files on-behalf-of tokens under the hash of the incoming token, and looks there first: a
// caller who sends the same token again is served from the cache, with no request to the authority.
import { readFileSync } from "node:fs";
import express from "express";
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type FetchImplementation, type JWTPayload } from "jose";
import {
  ConfidentialClientApplication,
  SerializableTokenCache,
  userAssertionHash,
  type ClientApplicationOptions,
  type ClientCredential,
  type HttpClient,
} from "@msal-ts/msal";
import { Agent, fetch as undiciFetch } from "undici";
import { TokenCachePartitions } from "./token-cache-partitions.js";

/** How the API is configured. */
export interface OboApiConfig {
  /** The tenant's authority, e.g. `https://login.microsoftonline.com/{tenant}`. */
  readonly authority: string;
  /** The API's own application (client) id. */
  readonly clientId: string;
  /** The API's credential: a secret, or a certificate as in the daemon example. */
  readonly clientCredential: ClientCredential;
  /** The `aud` values accepted in incoming tokens (default: `clientId`, what Entra puts in v2.0 tokens). */
  readonly audiences?: readonly string[];
  /** The delegated permission (scope) a caller's token must carry, e.g. `Orders.Read`. */
  readonly requiredScope: string;
  /** The downstream API: its URL (called with GET) and the scopes of the token it takes. */
  readonly downstream: { readonly url: string; readonly scopes: readonly string[] };
  /** A CA bundle (PEM file) to trust instead of the system's, for a private authority (the emulator's CA). */
  readonly caFile?: string;
  /** Further msal-ts options, such as `instanceDiscovery`. */
  readonly msal?: Omit<ClientApplicationOptions, "authority" | "tokenCache" | "httpClient" | "verify">;
}

/** Who called, once their token passed the checks. */
interface Caller {
  readonly token: string;
  readonly claims: JWTPayload & { readonly scp?: unknown; readonly name?: unknown; readonly preferred_username?: unknown };
}

/** The authority's issuer and keys, from its OpenID configuration. */
interface TokenIssuer {
  readonly issuer: string;
  readonly keys: ReturnType<typeof createRemoteJWKSet>;
}

/** Text safe inside a quoted `WWW-Authenticate` parameter. */
function quoted(text: string): string {
  return text.replace(/["\\]/g, "'").replace(/[\r\n]+/g, " ");
}

/** The API: an express app to serve, and what to close when the server stops. */
export interface OboApi {
  readonly app: express.Express;
  /** Closes the pooled outgoing connections. */
  close(): Promise<void>;
}

/** Builds the API. */
export function createOboApi(config: OboApiConfig): OboApi {
  // One connection pool for every outgoing call: the authority (through msal-ts), its keys, and
  // the downstream API. With a CA file it trusts that CA instead of the system's.
  const dispatcher = new Agent(config.caFile ? { connect: { ca: readFileSync(config.caFile, "utf8") } } : {});
  const http = ((url: string, init?: object) => undiciFetch(url, { ...init, dispatcher })) as HttpClient & FetchImplementation;
  const audiences = [...(config.audiences ?? [config.clientId])];
  const partitions = new TokenCachePartitions();

  // The issuer and the key set are read once, on the first request; a failure is retried next time.
  let tokenIssuer: Promise<TokenIssuer> | undefined;
  const discover = async (): Promise<TokenIssuer> => {
    const answer = await http(`${config.authority}/v2.0/.well-known/openid-configuration`, { method: "GET", headers: {} });
    if (!answer.ok) throw new Error(`The authority's OpenID configuration answered ${answer.status}.`);
    const meta = (await answer.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof meta.issuer !== "string" || typeof meta.jwks_uri !== "string") throw new Error("The authority's OpenID configuration has no issuer or jwks_uri.");
    return { issuer: meta.issuer, keys: createRemoteJWKSet(new URL(meta.jwks_uri), { [customFetch]: http }) };
  };
  const issuer = (): Promise<TokenIssuer> =>
    (tokenIssuer ??= discover().catch((e: unknown) => {
      tokenIssuer = undefined;
      throw e;
    }));

  /** Answers 401/403 with a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3). */
  const refuse = (res: express.Response, status: 401 | 403, error?: string, description?: string, extra = ""): void => {
    const params = [`realm="${quoted(config.clientId)}"`];
    if (error) params.push(`error="${error}"`);
    if (description) params.push(`error_description="${quoted(description)}"`);
    res
      .status(status)
      .set("www-authenticate", `Bearer ${params.join(", ")}${extra}`)
      .json({ error: error ?? "unauthorized", error_description: description ?? "Send a bearer token." });
  };

  /** Lets a request through only with a valid token for this API carrying the required scope. */
  const authenticate: express.RequestHandler = async (req, res, next) => {
    const header = req.get("authorization");
    if (!header) {
      refuse(res, 401);
      return;
    }
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header)?.[1];
    if (!token) {
      refuse(res, 401, "invalid_token", "Send the access token as Authorization: Bearer <token>.");
      return;
    }
    let claims: Caller["claims"];
    try {
      const { issuer: iss, keys } = await issuer();
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: iss,
        audience: audiences,
        algorithms: ["RS256"],
        requiredClaims: ["exp"],
      }));
    } catch (e) {
      // jose says what failed (expired, another audience, a bad signature …), never the token.
      if (e instanceof errors.JOSEError && !(e instanceof errors.JWKSTimeout)) refuse(res, 401, "invalid_token", e.message);
      else next(e);
      return;
    }
    // A delegated token names its scopes in `scp`; an app-only token has none and no user to act for.
    const scopes = typeof claims.scp === "string" ? claims.scp.split(" ") : [];
    if (!scopes.includes(config.requiredScope)) {
      refuse(res, 403, "insufficient_scope", `This API needs a user's token with the ${config.requiredScope} scope.`, `, scope="${quoted(config.requiredScope)}"`);
      return;
    }
    res.locals.caller = { token, claims } satisfies Caller;
    next();
  };

  const app = express();

  app.get("/profile", authenticate, async (_req, res, next) => {
    const { token, claims } = res.locals.caller as Caller;
    try {
      // This caller's partition of the token cache, and an application over it for this request.
      const key = userAssertionHash(token);
      const tokenCache = new SerializableTokenCache();
      const saved = partitions.get(key);
      if (saved) tokenCache.deserialize(saved);
      const cca = new ConfidentialClientApplication(config.clientId, {
        ...config.msal,
        authority: config.authority,
        clientCredential: config.clientCredential,
        tokenCache,
        httpClient: http,
      });
      const result = await cca.acquireTokenOnBehalfOf(token, [...config.downstream.scopes]);
      if (tokenCache.hasStateChanged) partitions.set(key, tokenCache.serialize(), claims.exp ?? 0);

      if ("error" in result) {
        if (result.claims) {
          // The authority wants more from the user (multi-factor, say): only the client app can ask
          // for it, so the claims challenge goes back to the client, which signs the user in again.
          const challenge = Buffer.from(result.claims).toString("base64");
          refuse(res, 401, "insufficient_claims", "The user must sign in again.", `, claims="${challenge}"`);
        } else {
          res.status(502).json({ error: "downstream_token", error_description: `On-behalf-of failed: ${result.error}` });
        }
        return;
      }

      const answer = await http(config.downstream.url, { method: "GET", headers: { authorization: `Bearer ${result.access_token}` } });
      const text = await answer.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: passed on as text
      }
      if (!answer.ok) {
        res.status(502).json({ error: "downstream_api", error_description: `The downstream API answered ${answer.status}.`, downstream: body });
        return;
      }
      res.json({
        caller: { name: claims.name, preferred_username: claims.preferred_username, scp: claims.scp },
        downstream: body,
        // Shown for the demo: `cache` when no request went to the authority.
        downstream_token_source: result.token_source,
      });
    } catch (e) {
      next(e);
    }
  });

  // Anything unexpected (the authority unreachable, say): a 502 without details, which could hold
  // internals; the message of a thrown msal-ts error never carries a token.
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    console.error(`obo-api: ${err instanceof Error ? `${err.name}: ${err.message}` : "unexpected error"}`);
    res.status(502).json({ error: "bad_gateway", error_description: "An upstream service failed; see the API's log." });
  });

  return { app, close: () => dispatcher.close() };
}
