import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { Server } from "node:https";
import { isIP } from "node:net";
import type { AddressInfo } from "node:net";
import { resolveOptions } from "./config.js";
import type { EmulatorOptions } from "./config.js";
import type { EmulatorContext } from "./context.js";
import { AuthorizationCodes } from "./authorization-codes.js";
import { Consents } from "./consents.js";
import { DeviceCodes } from "./device-codes.js";
import { createDirectory } from "./directory.js";
import type { Directory } from "./directory.js";
import { FaultRegistry, deliver, faultReplacement, serverTarget } from "./faults/index.js";
import type { EmulatorFaults, Fault, FaultReplacement } from "./faults/index.js";
import { PROTECTED_API_PATH } from "./endpoints/protected-api.js";
import { EntraError, renderEntraError } from "./errors.js";
import type { ErrorRequestFacts } from "./errors.js";
import { TOKEN_RESPONSE_HEADERS, json } from "./http.js";
import type { EmulatorRequest, HandlerResult, JsonResult, RequestNotes, TextResult } from "./http.js";
import { RefreshTokens } from "./refresh-tokens.js";
import { regionalHosts, regionalName } from "./regions.js";
import { ReplayCache } from "./replay-cache.js";
import { RequestLog, redactQuery } from "./request-log.js";
import { SecretsSeen } from "./secrets-seen.js";
import type { SeenSecret } from "./secrets-seen.js";
import type { RecordedRequest, TokenRequestFilter } from "./request-log.js";
import { createRouter } from "./routes.js";
import type { Router } from "./router.js";
import { SignInFlows } from "./sign-in/flows.js";
import { signInWithForm } from "./sign-in/form-client.js";
import type { SignInOptions, SignInResult } from "./sign-in/form-client.js";
import { Sessions } from "./sign-in/sessions.js";
import { completeDeviceLogin } from "./sign-in/device-login-client.js";
import type { DeviceLoginOptions, DeviceLoginOutcome } from "./sign-in/device-login-client.js";
import { DEVICE_LOGIN_PATH } from "./sign-in/device-pages.js";
import { createSigningKey } from "./signing-key.js";
import { createTlsIdentity } from "./tls.js";
import { startManagedIdentityHost } from "./managed-identity/host.js";
import type { ManagedIdentityHost } from "./managed-identity/host.js";
import { PopNonces } from "./pop-nonces.js";
import { createSshCertificateAuthority } from "./ssh-certificates.js";
import { failNextTokenRequests } from "./token-request-failures.js";
import type { TokenRequestFailure } from "./token-request-failures.js";
import { POP_API_PATH } from "./endpoints/pop-api.js";

/** A running emulator. */
export interface Emulator {
  /** `https://localhost:{port}` (or `https://{issuerHost}`). */
  readonly url: string;
  /** `localhost:{port}` (or `issuerHost`), as used in authorities and `knownAuthorities`. */
  readonly host: string;
  /** The default (first) tenant's GUID. */
  readonly defaultTenantId: string;
  /** `https://{host}/{defaultTenantId}`. */
  readonly authority: string;
  /** `https://{host}/{tenant}` for a tenant GUID, domain, `common`, `organizations` or `consumers`. */
  authorityFor(tenant: string): string;
  /** `https://{host}/common/discovery/instance`. */
  readonly instanceDiscoveryUrl: string;
  /** The regions whose regional endpoints the emulator serves (`regions` and `managedIdentity.region`). */
  readonly regions: readonly string[];
  /**
   * The regional `host[:port]` of {@link Emulator.host} for one of {@link Emulator.regions}, as MSALs
   * derive it: `westus2.localhost:{port}`, or `westus2.login.microsoft.com` for a Microsoft host.
   *
   * @throws TypeError for a region the emulator does not serve.
   */
  regionalHost(region: string): string;
  /** The CA certificate (PEM) to trust: undici `connect: { ca }`, `NODE_EXTRA_CA_CERTS`, Python `verify=`. */
  readonly caCertificate: string;
  /** The requests served so far, oldest first (a snapshot; never contains secrets or tokens). */
  readonly requests: readonly RecordedRequest[];
  /** Counts token-endpoint requests, optionally only those matching `filter`. */
  tokenRequestCount(filter?: TokenRequestFilter): number;
  /** Empties {@link Emulator.requests}. */
  clearRequests(): void;
  /**
   * Makes the next token requests fail before they are looked at (by default one, with a 429 and no
   * `Retry-After`), as an overloaded authority does; failures queue up in order. For tests of
   * client-side throttling.
   *
   * @throws TypeError for a bad count, status or `retryAfter`.
   */
  failNextTokenRequests(failure?: TokenRequestFailure): void;
  /** `https://{host}/api/me`: the protected demo API (a bearer token from this emulator gets the user's profile). */
  readonly protectedApiUrl: string;
  /**
   * `https://{host}/api/pop`: the PoP-protected demo API. Any `{popApiUrl}/{name}` accepts
   * `Authorization: PoP <signed HTTP request>` (GET, POST, PUT, DELETE, PATCH); `{popApiUrl}/nonce`
   * hands out a nonce to sign with, as does its 401 challenge.
   */
  readonly popApiUrl: string;
  /**
   * The public key of the emulator's SSH user certificate authority, as an OpenSSH line
   * (`ssh-ed25519 AAAA…`): the certificates of `token_type=ssh-cert` requests are signed with it.
   */
  readonly sshCaPublicKey: string;
  /**
   * {@link signInWithForm} trusting this emulator's CA: signs in at an authorize URL as a browser
   * would, without one.
   */
  signIn(authUri: string, options?: SignInOptions): Promise<SignInResult>;
  /** `https://{host}/devicelogin`: the device code flow's `verification_uri`. */
  readonly deviceLoginUrl: string;
  /**
   * {@link completeDeviceLogin} at this emulator, trusting its CA: enters a device flow's user code on
   * the device login page, signs in, and continues (or, with `decline`, cancels).
   */
  completeDeviceLogin(userCode: string, options?: DeviceLoginOptions): Promise<DeviceLoginOutcome>;
  /**
   * The managed identity endpoints, when the emulator was created with the `managedIdentity` option:
   * their URLs, the environment variables that point a source at them, fault injection and a log.
   */
  readonly managedIdentity: ManagedIdentityHost | undefined;
  /**
   * Fault injection: errors, throttling, delays, stalls, dropped connections, broken bodies, bad ID
   * tokens and foreign discovery documents, per endpoint, tenant or app, for the next requests or a
   * fraction of them (see {@link Fault}). The managed identity endpoints take faults from here too.
   */
  readonly faults: EmulatorFaults;
  /**
   * Every credential the emulator issued or received so far, oldest first: tokens, codes, device
   * and user codes, client secrets and assertions, passwords, managed identity secrets. For tests
   * that look for them where they must not be (a client's logs); {@link Emulator.requests} holds none.
   */
  secretsSeen(): readonly SeenSecret[];
  /** Stops listening and closes every connection, keep-alive ones included. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

class PayloadTooLargeError extends Error {
  override readonly name = "PayloadTooLargeError";
}

function hostWithPort(name: string, port: number): string {
  const host = isIP(name) === 6 ? `[${name}]` : name;
  return port === 443 ? host : `${host}:${port}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit, keep draining (so the client reads the 413) but stop keeping the bytes.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new PayloadTooLargeError("The request body is too large."));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function usableId(value: string | null | undefined): string | undefined {
  return value && value.length <= 128 && /^[\w.:-]+$/.test(value) ? value : undefined;
}

/** Writes a result (changed by `fault`, if any); returns the status sent, 0 for a dropped connection. */
function send(res: ServerResponse, result: HandlerResult, base: Record<string, string>, fault?: Fault): number {
  const headers: Record<string, string> = { ...base, ...result.headers };
  let body = "";
  if (result.type === "json") {
    body = JSON.stringify(result.body);
    headers["content-type"] = "application/json; charset=utf-8";
  } else if (result.type === "text") {
    body = result.body;
    headers["content-type"] = result.contentType;
  } else {
    headers.location = result.location;
  }
  return deliver(res, { status: result.status, headers, body }, fault);
}

/** The answer of a replacing fault, in Entra's shape. */
function faultResult(replacement: FaultReplacement, context: ErrorRequestFacts): JsonResult | TextResult {
  if (replacement.type === "text") {
    const { status, body, contentType, headers } = replacement;
    return { type: "text", status, body, contentType, headers: { ...TOKEN_RESPONSE_HEADERS, ...headers } };
  }
  const { status, error, code, message, headers } = replacement;
  return renderEntraError(new EntraError(status, error, code, message, headers), context, TOKEN_RESPONSE_HEADERS);
}

interface Dispatcher {
  readonly router: Router;
  readonly log: RequestLog;
  readonly clock: () => number;
  readonly publicHost: (hostHeader: string | undefined) => string;
  /** The regional host a Host header names, with the central host it stands for. */
  readonly regional: (hostHeader: string | undefined) => { readonly host: string; readonly region: string; readonly central: string } | undefined;
  readonly logger: ((line: string) => void) | undefined;
  readonly directory: Directory;
  readonly faults: FaultRegistry;
  readonly secrets: SecretsSeen;
}

async function dispatch(d: Dispatcher, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const now = d.clock();
  const requestId = randomUUID();
  const method = (req.method ?? "GET").toUpperCase();
  const target = req.url ?? "/";
  let url: URL;
  try {
    // Origin-form paths are taken literally (a leading "//" is a path, not a host); absolute-form as is.
    url = target.startsWith("/") ? new URL(`https://emulator.invalid${target}`) : new URL(target);
  } catch {
    send(res, json(400, { error: "invalid_request", error_description: "The request target is not a valid URL." }), {
      "x-ms-request-id": requestId,
    });
    return;
  }
  const query = url.searchParams;
  const correlationId =
    usableId(firstHeader(req.headers["client-request-id"])) ?? usableId(query.get("client-request-id")) ?? randomUUID();
  const regional = d.regional(req.headers.host);
  const host = regional?.central ?? d.publicHost(req.headers.host);
  const notes: RequestNotes = {};
  let form = new URLSearchParams();
  let body = "";
  let result: HandlerResult;
  let fault: Fault | undefined;
  const context = { host, now, requestId, correlationId };
  try {
    if (method !== "GET" && method !== "HEAD") {
      body = await readBody(req);
      if ((req.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
        form = new URLSearchParams(body);
      }
    }
    const match = d.router.match(method, url.pathname);
    const params = match.kind === "found" ? match.params : {};
    fault = d.faults.take("response", serverTarget(d.directory, { path: url.pathname, params, query, form, headers: req.headers }));
    const replacement = fault && faultReplacement(fault);
    if (replacement) {
      if (params.tenant !== undefined) notes.tenant = d.directory.findTenant(params.tenant)?.id ?? params.tenant;
      result = faultResult(replacement, context);
    } else if (match.kind === "found") {
      if (match.params.tenant !== undefined) notes.tenant = match.params.tenant;
      const request: EmulatorRequest = {
        method, path: url.pathname, query, headers: req.headers, form, body, params: match.params, host, now,
        correlationId, requestId, notes, regionalHost: regional?.host,
      };
      result = await match.handler(request);
    } else if (match.kind === "method-not-allowed") {
      throw new EntraError(
        405,
        "invalid_request",
        900561,
        `The endpoint only accepts ${match.allowed.join(", ")} requests. Received a ${method} request.`,
        { allow: match.allowed.join(", ") },
      );
    } else {
      result = json(404, { error: "not_found", error_description: `The emulator has no endpoint at ${method} ${url.pathname}.` });
    }
  } catch (err) {
    if (err instanceof EntraError) {
      result = renderEntraError(err, context, TOKEN_RESPONSE_HEADERS);
    } else if (err instanceof PayloadTooLargeError) {
      result = json(413, { error: "invalid_request", error_description: err.message });
      res.setHeader("connection", "close");
    } else {
      // Our own messages never carry credentials; the stack helps whoever is debugging the emulator.
      (d.logger ?? console.error)(`emulator: unexpected failure in ${method} ${url.pathname}: ${String(err instanceof Error ? err.stack : err)}`);
      result = renderEntraError(new EntraError(500, "server_error", 50000, "The emulator failed to process the request."), context, TOKEN_RESPONSE_HEADERS);
    }
  }

  d.secrets.received({ query, form, headers: req.headers, body });
  d.secrets.issued(result);
  const status = send(res, result, { "x-ms-request-id": requestId, "client-request-id": correlationId }, fault);
  const entry: RecordedRequest = {
    method,
    path: url.pathname,
    query: redactQuery(query),
    tenant: notes.tenant,
    grant_type: notes.grantType ?? (form.get("grant_type") || undefined),
    client_id: notes.clientId ?? (form.get("client_id") || undefined),
    status,
    time: now,
    host: regional?.host ?? host.toLowerCase(),
    region: regional?.region,
    ...(fault ? { fault: fault.kind } : {}),
  };
  d.log.add(entry);
  d.logger?.(
    `${method} ${url.pathname}` +
      (entry.grant_type ? ` grant_type=${entry.grant_type}` : "") +
      (entry.client_id ? ` client_id=${entry.client_id}` : "") +
      ` -> ${status === 0 ? "connection dropped" : status}` +
      (fault ? ` (fault: ${fault.kind})` : ""),
  );
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Starts an emulator: an offline Microsoft identity platform authority over HTTPS on 127.0.0.1.
 *
 * @param options - port, tenants and their apps/APIs, token lifetime, clock.
 * @returns the running emulator; call `close()` when done.
 * @throws TypeError for invalid options.
 * @example
 * ```ts
 * const emulator = await createEmulator();
 * // authority: emulator.authority; trust emulator.caCertificate; knownAuthorities: [emulator.host]
 * await emulator.close();
 * ```
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = resolveOptions(options);
  const directory = createDirectory(resolved.tenants);
  const faults = new FaultRegistry((name) => directory.findTenant(name)?.id);
  for (const fault of resolved.faults) faults.inject(fault);
  const names = [...new Set(["localhost", "127.0.0.1", "::1", ...resolved.hostnames.map((h) => h.toLowerCase())])];
  const regionalNames = regionalHosts(names, resolved.regions);
  const [tls, signingKey] = await Promise.all([createTlsIdentity([...names, ...regionalNames.keys()]), createSigningKey()]);

  const server = createServer({ key: tls.privateKey, cert: tls.certificate });
  const port = await listen(server, resolved.port);

  const defaultHost = hostWithPort("localhost", port);
  const knownHosts = new Set(names.map((n) => hostWithPort(n, port)));
  const regionalByHost = new Map(
    [...regionalNames].map(([name, r]) => [hostWithPort(name, port), { region: r.region, central: hostWithPort(r.central, port) }]),
  );
  if (resolved.issuerHost) knownHosts.add(resolved.issuerHost.toLowerCase());
  const host = resolved.issuerHost ?? defaultHost;

  const ctx: EmulatorContext = {
    directory,
    signingKey,
    tokenLifetime: resolved.tokenLifetime,
    refreshIn: resolved.refreshIn,
    assertionReplay: new ReplayCache(),
    knownHosts,
    codes: new AuthorizationCodes(),
    refreshTokens: new RefreshTokens(),
    consents: new Consents(),
    sessions: new Sessions(),
    signIns: new SignInFlows(),
    deviceCodes: new DeviceCodes(resolved.deviceCode),
    sshCertificateAuthority: createSshCertificateAuthority(),
    popNonces: new PopNonces(),
    faults,
    secretsSeen: new SecretsSeen(),
  };
  const log = new RequestLog();
  const dispatcher: Dispatcher = {
    router: createRouter(ctx),
    log,
    clock: resolved.clock,
    logger: resolved.logger,
    directory,
    faults,
    secrets: ctx.secretsSeen,
    publicHost: (hostHeader) => {
      if (resolved.issuerHost) return resolved.issuerHost;
      const h = hostHeader?.toLowerCase();
      return h && knownHosts.has(h) ? h : defaultHost;
    },
    regional: (hostHeader) => {
      const h = hostHeader?.toLowerCase();
      const entry = h === undefined ? undefined : regionalByHost.get(h);
      return entry && h ? { host: h, region: entry.region, central: resolved.issuerHost ?? entry.central } : undefined;
    },
  };
  let managedIdentity: Awaited<ReturnType<typeof startManagedIdentityHost>> | undefined;
  if (resolved.managedIdentity) {
    try {
      managedIdentity = await startManagedIdentityHost({
        ctx,
        directory,
        options: resolved.managedIdentity,
        issuerHost: host,
        clock: resolved.clock,
        log,
        logger: resolved.logger,
      });
    } catch (err) {
      server.close();
      throw err;
    }
  }
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    dispatch(dispatcher, req, res).catch((err: unknown) => {
      (resolved.logger ?? console.error)(`emulator: failed to answer a request: ${String(err)}`);
      res.destroy();
    });
  });

  const authorityFor = (tenant: string): string => `https://${host}/${tenant}`;
  let closing: Promise<void> | undefined;
  return {
    url: `https://${host}`,
    host,
    defaultTenantId: directory.defaultTenant.id,
    authority: authorityFor(directory.defaultTenant.id),
    authorityFor,
    instanceDiscoveryUrl: `https://${host}/common/discovery/instance`,
    regions: Object.freeze([...resolved.regions]),
    regionalHost: (region) => {
      const central = new URL(`https://${host}`);
      const regional = resolved.regions.includes(region) ? regionalName(central.hostname, region) : undefined;
      if (regional === undefined) {
        const served = resolved.regions.join(", ") || "none";
        throw new TypeError(`The emulator serves no regional host for ${JSON.stringify(region)} (its regions: ${served}).`);
      }
      return central.port ? `${regional}:${central.port}` : regional;
    },
    caCertificate: tls.caCertificate,
    get requests() {
      return log.entries;
    },
    tokenRequestCount: (filter) => log.tokenRequestCount(filter),
    clearRequests: () => log.clear(),
    failNextTokenRequests: (failure) => failNextTokenRequests(ctx, failure),
    protectedApiUrl: `https://${host}${PROTECTED_API_PATH}`,
    popApiUrl: `https://${host}${POP_API_PATH}`,
    sshCaPublicKey: ctx.sshCertificateAuthority.publicKey,
    signIn: (authUri, signInOptions = {}) => signInWithForm(authUri, { ca: tls.caCertificate, ...signInOptions }),
    deviceLoginUrl: `https://${host}${DEVICE_LOGIN_PATH}`,
    completeDeviceLogin: (userCode, loginOptions = {}) =>
      completeDeviceLogin(`https://${host}${DEVICE_LOGIN_PATH}`, userCode, { ca: tls.caCertificate, ...loginOptions }),
    managedIdentity: managedIdentity?.host,
    faults: Object.freeze({ inject: (fault: Fault) => faults.inject(fault), clear: () => faults.clear(), list: () => faults.list() }),
    secretsSeen: () => ctx.secretsSeen.list(),
    close: () => {
      closing ??= Promise.all([
        new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        }),
        managedIdentity?.close(),
      ]).then(() => undefined);
      return closing;
    },
  };
}
