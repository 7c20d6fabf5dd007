// A web app that signs users in with the authorization code flow (PKCE, state and nonce checked by
// msal-ts), shows the ID token's claims, gets an access token silently and calls an API with it.
//
// Each browser session keeps its own token cache (serialized into the session), the pattern MSAL
// recommends for web apps: one user's tokens are never in another user's cache.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import express from "express";
import session from "express-session";
import {
  ConfidentialClientApplication,
  SerializableTokenCache,
  type AuthCodeFlow,
  type ClientApplicationOptions,
} from "@msal-ts/msal";
import { Agent, fetch as undiciFetch } from "undici";
import { escapeHtml, page, table } from "./pages.js";

/** How the web app is configured. */
export interface WebAppConfig {
  /** The authority, e.g. `https://login.microsoftonline.com/{tenant}`. */
  readonly authority: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's public base URL, e.g. `http://localhost:3000`; the redirect URI is `{baseUrl}/auth/redirect`. */
  readonly baseUrl: string;
  /** The protected API to call, and the scopes of the token it takes. */
  readonly api: { readonly url: string; readonly scopes: readonly string[] };
  /** Where to send the browser after signing out locally (the authority's logout endpoint), if anywhere. */
  readonly logoutUrl?: string;
  /**
   * A CA bundle (PEM file) to trust besides the system's, for a private authority and API (the
   * emulator's CA, say). msal-ts gets it as `verify`; the API calls trust it too.
   */
  readonly caFile?: string;
  /** Further msal-ts options: `instanceDiscovery`, `proxies`, a custom `httpClient` … */
  readonly msal?: Omit<ClientApplicationOptions, "authority" | "tokenCache">;
}

type ApiFetch = (url: string, init: { headers: Record<string, string> }) => Promise<{ status: number; text(): Promise<string> }>;

/** Fetch for the API calls: the global one, or undici's trusting the extra CA as well. */
function apiFetch(caFile: string | undefined): ApiFetch {
  if (!caFile) return (url, init) => fetch(url, init);
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, "utf8") } });
  return (url, init) => undiciFetch(url, { ...init, dispatcher });
}

declare module "express-session" {
  interface SessionData {
    flow?: AuthCodeFlow;
    tokenCache?: string;
    homeAccountId?: string;
    username?: string;
    claims?: Record<string, unknown>;
  }
}

/** Builds the express app. Listen on `config.baseUrl`'s port. */
export function createWebApp(config: WebAppConfig): express.Express {
  const redirectUri = `${config.baseUrl}/auth/redirect`;
  const callApi = apiFetch(config.caFile);
  const app = express();

  app.use(
    session({
      secret: randomBytes(32).toString("hex"),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax", secure: config.baseUrl.startsWith("https:") },
    }),
  );

  /** The app object for one request, over the session's own cache. */
  function msalFor(req: express.Request): { cca: ConfidentialClientApplication; save: () => void } {
    const cache = new SerializableTokenCache();
    if (req.session.tokenCache) cache.deserialize(req.session.tokenCache);
    const cca = new ConfidentialClientApplication(config.clientId, {
      ...config.msal,
      ...(config.caFile ? { verify: config.caFile } : {}),
      authority: config.authority,
      clientCredential: config.clientSecret,
      tokenCache: cache,
    });
    return {
      cca,
      save: () => {
        if (cache.hasStateChanged) req.session.tokenCache = cache.serialize();
      },
    };
  }

  app.get("/", (req, res) => {
    const body = req.session.username
      ? `<p>Welcome, ${escapeHtml(req.session.claims?.name ?? req.session.username)}.</p>`
      : `<p>This app signs you in with the authorization code flow and calls an API on your behalf.</p>`;
    res.type("html").send(page("msal-ts web app", body, req.session.username));
  });

  app.get("/login", async (req, res, next) => {
    try {
      const { cca } = msalFor(req);
      const flow = await cca.initiateAuthCodeFlow([...config.api.scopes], { redirectUri });
      req.session.flow = flow;
      res.redirect(flow.auth_uri);
    } catch (e) {
      next(e);
    }
  });

  app.get("/auth/redirect", async (req, res, next) => {
    const flow = req.session.flow;
    if (!flow) {
      res.status(400).type("html").send(page("Sign-in failed", `<p class="error">No sign-in is in progress. <a href="/login">Sign in</a>.</p>`));
      return;
    }
    try {
      const { cca, save } = msalFor(req);
      const result = await cca.acquireTokenByAuthCodeFlow(flow, req.query as Record<string, unknown>);
      delete req.session.flow;
      if ("error" in result) {
        res.status(401).type("html").send(
          page("Sign-in failed", `<p class="error" id="error">${escapeHtml(result.error)}: ${escapeHtml(result.error_description ?? "")}</p>`),
        );
        return;
      }
      const claims = result.id_token_claims ?? {};
      const [account] = await cca.getAccounts({ username: String(claims.preferred_username ?? "") });
      save();
      if (account) req.session.homeAccountId = account.home_account_id;
      req.session.username = String(claims.preferred_username ?? claims.name ?? "user");
      req.session.claims = { ...claims };
      res.redirect("/profile");
    } catch (e) {
      next(e);
    }
  });

  app.get("/profile", (req, res) => {
    if (!req.session.claims) {
      res.redirect("/login");
      return;
    }
    res.type("html").send(page("Profile", `<p>The claims of your ID token:</p>\n${table(req.session.claims, "claims")}`, req.session.username));
  });

  app.get("/call-api", async (req, res, next) => {
    if (!req.session.homeAccountId) {
      res.redirect("/login");
      return;
    }
    try {
      const { cca, save } = msalFor(req);
      const accounts = await cca.getAccounts();
      const account = accounts.find((a) => a.home_account_id === req.session.homeAccountId) ?? null;
      const result = await cca.acquireTokenSilent([...config.api.scopes], account);
      save();
      if (!result) {
        // Nothing usable in the cache: the user has to sign in again.
        res.redirect("/login");
        return;
      }
      const answer = await callApi(config.api.url, { headers: { authorization: `Bearer ${result.access_token}` } });
      const text = await answer.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON: shown as it came
      }
      res.type("html").send(
        page(
          "API call",
          `<p>Token from <strong id="token-source">${escapeHtml(result.token_source)}</strong>; ` +
            `the API answered <strong id="api-status">${answer.status}</strong>:</p>\n<pre id="api-response">${escapeHtml(shown)}</pre>`,
          req.session.username,
        ),
      );
    } catch (e) {
      next(e);
    }
  });

  app.get("/logout", async (req, res, next) => {
    try {
      const { cca } = msalFor(req);
      for (const account of await cca.getAccounts()) await cca.removeAccount(account);
      req.session.destroy(() => {
        const back = encodeURIComponent(`${config.baseUrl}/`);
        res.redirect(config.logoutUrl ? `${config.logoutUrl}?post_logout_redirect_uri=${back}` : "/");
      });
    } catch (e) {
      next(e);
    }
  });

  // Errors are shown without details that could hold tokens; the message of a thrown msal-ts error
  // never carries one.
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : "Unexpected error";
    res.status(500).type("html").send(page("Error", `<p class="error" id="error">${escapeHtml(message)}</p>`));
  });

  return app;
}
