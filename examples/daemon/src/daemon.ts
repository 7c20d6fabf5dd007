// A daemon: a program with no user at the keyboard, which signs in as itself (the client
// credentials grant) with a certificate and calls an API with the app-only token it gets.
//
// acquireTokenForClient looks in the token cache first: once the app holds a token, later calls
// are answered from memory, with no request to the authority, until the token nears its expiry.
// So keep one application object for the life of the process; its cache lives as long.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  ConfidentialClientApplication,
  type ClientApplicationOptions,
  type ClientCredential,
  type TokenSource,
} from "@msal-ts/msal";

/** How the daemon is configured. */
export interface DaemonConfig {
  /** The tenant's authority, e.g. `https://login.microsoftonline.com/{tenant}` (not `common`). */
  readonly authority: string;
  /** The daemon's application (client) id. */
  readonly clientId: string;
  /** Its certificate: a PEM private key with the certificate's thumbprint, or a PKCS#12 file. */
  readonly credential: ClientCredential;
  /** What the token is for: `{resource}/.default`, the app permissions granted to the daemon. */
  readonly scopes: readonly string[];
  /** The API to call with the token. */
  readonly apiUrl: string;
  /** Further msal-ts options: `verify` (a CA bundle for a private authority), `instanceDiscovery` … */
  readonly msal?: Omit<ClientApplicationOptions, "authority">;
}

/** The outcome of one round: a token and the API's answer, or the authority's refusal. */
export type DaemonRound =
  | {
      /** Where the token came from: `identity_provider` (a request) or `cache` (none). */
      readonly tokenSource: TokenSource;
      /** Seconds the token has left. */
      readonly expiresIn: number;
      /** The API's status and body (parsed when it is JSON). */
      readonly status: number;
      readonly body: unknown;
    }
  | { readonly error: string; readonly errorDescription: string };

/** A configuration mistake: says which variable is missing or wrong. */
export class DaemonConfigError extends Error {
  override readonly name = "DaemonConfigError";
}

/**
 * Reads the configuration from environment variables:
 *
 * - `AUTHORITY`, `CLIENT_ID`: the tenant and the app registration;
 * - the certificate, either `CERTIFICATE_KEY` (a PEM private key file) with `CERTIFICATE` (the
 *   PEM certificate file, for its thumbprint), or `CERTIFICATE_PFX` (a .pfx file); an encrypted
 *   key or .pfx takes `CERTIFICATE_PASSPHRASE`;
 * - `SCOPE` (default `https://graph.microsoft.com/.default`) and `API_URL` (default: the first
 *   five users in Microsoft Graph, which needs the `User.Read.All` app permission);
 * - `CA_FILE`: a PEM bundle to trust for the authority instead of the system's (a private one);
 * - `INSTANCE_DISCOVERY`: `false`, or another instance discovery endpoint.
 *
 * @throws DaemonConfigError naming the first variable that is missing or unusable.
 */
export function daemonConfigFromEnv(env: Readonly<Record<string, string | undefined>>): DaemonConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new DaemonConfigError(`Set ${name} (see examples/daemon/README.md).`);
    return value;
  };
  const msal: { verify?: string; instanceDiscovery?: string | boolean } = {};
  if (env.CA_FILE) msal.verify = env.CA_FILE;
  if (env.INSTANCE_DISCOVERY) msal.instanceDiscovery = env.INSTANCE_DISCOVERY === "false" ? false : env.INSTANCE_DISCOVERY;
  return {
    authority: required("AUTHORITY"),
    clientId: required("CLIENT_ID"),
    credential: certificateFromEnv(env, required),
    scopes: (env.SCOPE ?? "https://graph.microsoft.com/.default").split(/[\s,]+/).filter(Boolean),
    apiUrl: env.API_URL ?? "https://graph.microsoft.com/v1.0/users?$top=5&$select=displayName",
    msal,
  };
}

function certificateFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  required: (name: string) => string,
): ClientCredential {
  const passphrase = env.CERTIFICATE_PASSPHRASE ? { passphrase: env.CERTIFICATE_PASSPHRASE } : {};
  // A PKCS#12 file holds the key and the certificate; msal-ts reads both (and the thumbprint) from it.
  if (env.CERTIFICATE_PFX) return { privateKeyPfxPath: env.CERTIFICATE_PFX, ...passphrase };
  const keyPath = required("CERTIFICATE_KEY");
  const certPath = required("CERTIFICATE");
  let thumbprintSha256: string;
  try {
    // The authority finds the registered certificate by its thumbprint (sent as `x5t#S256`).
    thumbprintSha256 = new X509Certificate(readFileSync(certPath)).fingerprint256;
  } catch (cause) {
    throw new DaemonConfigError(`CERTIFICATE (${certPath}) is not a readable PEM certificate.`, { cause });
  }
  let privateKey: string;
  try {
    privateKey = readFileSync(keyPath, "utf8");
  } catch (cause) {
    throw new DaemonConfigError(`CERTIFICATE_KEY (${keyPath}) cannot be read.`, { cause });
  }
  return { privateKey, thumbprintSha256, ...passphrase };
}

/** The daemon: one application object, and the work it does each round. */
export class Daemon {
  readonly #app: ConfidentialClientApplication;
  readonly #config: DaemonConfig;

  /**
   * @throws MsalError or TypeError when the credential cannot be used (an unreadable key, say).
   */
  constructor(config: DaemonConfig) {
    this.#config = config;
    this.#app = new ConfidentialClientApplication(config.clientId, {
      ...config.msal,
      authority: config.authority,
      clientCredential: config.credential,
    });
  }

  /** Gets a token (from the cache when it has one) and calls the API with it. */
  async round(signal?: AbortSignal): Promise<DaemonRound> {
    const result = await this.#app.acquireTokenForClient([...this.#config.scopes], signal ? { signal } : {});
    if ("error" in result) {
      // The authority's own words; they never hold the credential.
      return { error: result.error, errorDescription: result.error_description?.split(/\r?\n/)[0] ?? "" };
    }
    const answer = await fetch(this.#config.apiUrl, {
      headers: { authorization: `Bearer ${result.access_token}` },
      ...(signal ? { signal } : {}),
    });
    const text = await answer.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { tokenSource: result.token_source, expiresIn: result.expires_in, status: answer.status, body };
  }
}

/**
 * Runs `rounds` rounds and prints each; the exit code is 0 when every call got a 2xx answer.
 *
 * @param print - where the lines go (`console.log` by default).
 */
export async function runDaemon(config: DaemonConfig, rounds = 2, print: (line: string) => void = console.log): Promise<number> {
  const daemon = new Daemon(config);
  let failed = false;
  for (let i = 1; i <= rounds; i++) {
    const r = await daemon.round();
    if ("error" in r) {
      print(`Call ${i}: no token: ${r.error}: ${r.errorDescription}`);
      return 1;
    }
    failed ||= r.status < 200 || r.status > 299;
    print(
      `Call ${i}: token from ${r.tokenSource} (expires in ${r.expiresIn} s); ` +
        `GET ${config.apiUrl} -> ${r.status} ${typeof r.body === "string" ? r.body : JSON.stringify(r.body)}`,
    );
  }
  return failed ? 1 : 0;
}
