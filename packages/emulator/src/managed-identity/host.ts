import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorContext } from "../context.js";
import type { Directory } from "../directory.js";
import { deliver, faultReplacement } from "../faults/index.js";
import type { Fault, FaultReplacement } from "../faults/index.js";
import type { RequestLog } from "../request-log.js";
import { redactQuery } from "../request-log.js";
import { APP_SERVICE_PATH, AZURE_ML_PATH, createAppServiceEndpoint, createAzureMlEndpoint } from "./app-service.js";
import { ArcKeys, AZURE_ARC_PATH, createAzureArcEndpoint } from "./azure-arc.js";
import { createServiceFabricCertificate } from "./certificate.js";
import { CLOUD_SHELL_PATH, createCloudShellEndpoint } from "./cloud-shell.js";
import type { SourceEndpoint, SourceResponse, SourceServices } from "./endpoint.js";
import type { ManagedIdentityInfo } from "./identities.js";
import { resolveHostIdentities } from "./identities.js";
import { createImdsEndpoint, IMDS_TOKEN_PATH } from "./imds.js";
import { createImdsLocationEndpoint } from "./imds-location.js";
import { MANAGED_IDENTITY_SOURCES } from "./options.js";
import type { ManagedIdentitySourceName, ResolvedManagedIdentityOptions } from "./options.js";
import { createServiceFabricEndpoint, SERVICE_FABRIC_API_VERSION } from "./service-fabric.js";

// The emulated Azure host's managed identity endpoints: one loopback HTTP listener for IMDS, App Service,
// Azure Machine Learning, Azure Arc and Cloud Shell (each on its own path, as each is its own service),
// and one loopback HTTPS listener with a self-signed certificate for Service Fabric.

/**
 * A failure the next requests to a source answer with, before any check (the source is down): a
 * `status` fault of `emulator.faults` for `endpoint: "managed-identity"` and the source.
 */
export interface ManagedIdentityFault {
  /** How many requests fail (default 1). */
  readonly count?: number;
  /** The HTTP status (default 500). */
  readonly status?: number;
  /** Seconds sent as `Retry-After` (none by default). */
  readonly retryAfter?: number;
  /** The error message, in the source's error shape (default: by status). */
  readonly message?: string;
  /** Answer this text (`text/plain`) instead of the source's error shape, e.g. to test unreadable answers. */
  readonly body?: string;
}

/** The environment variables that make a client use a source, pointed at this emulator. */
export interface ManagedIdentityEnvironmentVariables {
  /** The source these variables select, e.g. `app-service`. */
  readonly source: ManagedIdentitySourceName;
  /**
   * Exactly the variables that select the source, e.g. `{ IDENTITY_ENDPOINT, IDENTITY_HEADER }` for App
   * Service. Pass them to the client (`@msal-ts/msal`'s `environment` option) or to a child process;
   * the emulator never changes `process.env`.
   */
  readonly env: Readonly<Record<string, string>>;
  /** The source's token endpoint. */
  readonly endpoint: string;
}

/** One request a managed identity endpoint answered (no secrets, no tokens). */
export interface ManagedIdentityRequest {
  /** The source whose endpoint answered, e.g. `imds`. */
  readonly source: ManagedIdentitySourceName;
  /** The HTTP method, upper case (`GET`, or `POST` for Cloud Shell). */
  readonly method: string;
  /** The URL path without the query, e.g. `/metadata/identity/oauth2/token`. */
  readonly path: string;
  /** Query parameters (first value of each), e.g. `resource` and `api-version`; credential-bearing values masked as `***`. */
  readonly query: Readonly<Record<string, string>>;
  /** The HTTP status answered. */
  readonly status: number;
  /** The client id of the identity a token was issued to. */
  readonly clientId: string | undefined;
  /** Whether the request carried an `Authorization` header (Arc's second request does). */
  readonly authorized: boolean;
  /** Arrival time, epoch seconds. */
  readonly time: number;
}

/** The managed identity side of an emulator (`emulator.managedIdentity`). */
export interface ManagedIdentityHost {
  /** `http://127.0.0.1:{port}`: the listener of every source but Service Fabric. */
  readonly url: string;
  /** `https://127.0.0.1:{port}`: Service Fabric's listener. */
  readonly serviceFabricUrl: string;
  /** Service Fabric's self-signed server certificate (PEM). */
  readonly serviceFabricCertificate: string;
  /** Its SHA-1 thumbprint, 40 upper-case hex digits: the value of `IDENTITY_SERVER_THUMBPRINT`. */
  readonly serviceFabricThumbprint: string;
  /** Where the Arc endpoint writes its key files; give the same directory to the client. */
  readonly arcKeyDirectory: string;
  /** The tenant the identities belong to. */
  readonly tenantId: string;
  /** The host's system-assigned identity. */
  readonly systemAssigned: ManagedIdentityInfo;
  /** The user-assigned identities, in configuration order. */
  readonly identities: readonly ManagedIdentityInfo[];
  /** A source's token endpoint URL. */
  endpoint(source: ManagedIdentitySourceName): string;
  /**
   * The environment variables that select `source` and point it at this emulator (see
   * {@link ManagedIdentityEnvironmentVariables}); for IMDS both `MSAL_MANAGED_IDENTITY_ENDPOINT`
   * (MSAL Python, msal-ts) and `AZURE_POD_IDENTITY_AUTHORITY_HOST` (msal-node).
   */
  environment(source: ManagedIdentitySourceName): ManagedIdentityEnvironmentVariables;
  /**
   * Makes the next requests to `source` fail (see {@link ManagedIdentityFault}); faults queue up.
   * Shorthand for `emulator.faults.inject({ kind: "status", endpoint: "managed-identity", source, … })`,
   * which also offers delays, stalls, dropped connections and broken bodies.
   */
  failNext(source: ManagedIdentitySourceName, fault?: ManagedIdentityFault): void;
  /** The requests answered so far, oldest first (a snapshot). */
  readonly requests: readonly ManagedIdentityRequest[];
  /** How many requests a source (or every source) answered, optionally only those with `status`. */
  requestCount(source?: ManagedIdentitySourceName, filter?: { readonly status?: number }): number;
  /** Empties {@link ManagedIdentityHost.requests}. */
  clearRequests(): void;
}

/** What the emulator's server gives the managed identity host. */
export interface ManagedIdentityHostSetup {
  readonly ctx: EmulatorContext;
  readonly directory: Directory;
  readonly options: ResolvedManagedIdentityOptions;
  /** `host[:port]` of the emulator's token issuer. */
  readonly issuerHost: string;
  readonly clock: () => number;
  /** The emulator's request log, which records these requests too. */
  readonly log: RequestLog;
  readonly logger: ((line: string) => void) | undefined;
}

const MAX_BODY_BYTES = 64 * 1024;

const secret = (): string => randomBytes(24).toString("base64url");

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Writes a response (changed by `fault`, if any); returns the status sent, 0 for a dropped connection. */
function send(res: ServerResponse, response: SourceResponse, fault?: Fault): number {
  const raw = response.rawContentType !== undefined;
  const body = raw ? String(response.body) : JSON.stringify(response.body);
  const headers = { ...response.headers, "content-type": raw ? (response.rawContentType ?? "text/plain") : "application/json; charset=utf-8" };
  return deliver(res, { status: response.status, headers, body }, fault);
}

const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/(.)\/$/, "$1").toLowerCase()}`;

/** Starts the managed identity listeners of one emulator. */
export async function startManagedIdentityHost(
  setup: ManagedIdentityHostSetup,
): Promise<{ readonly host: ManagedIdentityHost; close(): Promise<void> }> {
  const identities = resolveHostIdentities(setup.directory, setup.options);
  const services: SourceServices = {
    ctx: setup.ctx,
    identities,
    lifetime: setup.options.tokenLifetime,
    issuerHost: setup.issuerHost,
  };
  const ownsKeyDirectory = setup.options.arcKeyDirectory === undefined;
  const keyDirectory = setup.options.arcKeyDirectory ?? (await mkdtemp(join(tmpdir(), "msal-ts-arc-keys-")));
  if (!ownsKeyDirectory) await mkdir(keyDirectory, { recursive: true });
  const arcKeys = new ArcKeys(keyDirectory);
  const secrets = { "app-service": secret(), "azure-ml": secret(), "service-fabric": secret() };
  const certificate = await createServiceFabricCertificate();

  const plainEndpoints = [
    createImdsEndpoint(services),
    createImdsLocationEndpoint(setup.options.region),
    createAppServiceEndpoint(services, secrets["app-service"]),
    createAzureMlEndpoint(services, secrets["azure-ml"]),
    createAzureArcEndpoint(services, arcKeys),
    createCloudShellEndpoint(services),
  ];
  const fabricEndpoint = createServiceFabricEndpoint(services, secrets["service-fabric"]);

  const requests: ManagedIdentityRequest[] = [];

  /** A replacing fault's answer, errors in the source's own shape. */
  const faultResponse = (endpoint: SourceEndpoint, fault: Fault, replacement: FaultReplacement): SourceResponse => {
    const { status, headers } = replacement;
    if (replacement.type === "text") return { status, body: replacement.body, rawContentType: replacement.contentType, headers };
    const message = fault.message ?? (status === 429 ? "Too many requests; retry later." : "The managed identity endpoint failed.");
    const failure = endpoint.failure(status, message);
    return { ...failure, headers: { ...failure.headers, ...headers } };
  };

  const serve = (routes: readonly SourceEndpoint[]) => {
    const table = new Map(routes.map((e) => [routeKey(e.method, e.path), e]));
    const paths = new Map(routes.map((e) => [routeKey("", e.path), e]));
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const now = setup.clock();
      const method = (req.method ?? "GET").toUpperCase();
      const url = new URL(req.url ?? "/", "http://managed-identity.invalid");
      const endpoint = table.get(routeKey(method, url.pathname));
      const body = method === "GET" || method === "HEAD" ? "" : await readBody(req);
      let response: SourceResponse;
      let fault: Fault | undefined;
      if (!endpoint) {
        const other = paths.get(routeKey("", url.pathname));
        response = other
          ? { status: 405, body: { error: "invalid_request", error_description: `Use ${other.method}.` }, headers: { allow: other.method } }
          : { status: 404, body: { error: "not_found", error_description: `No managed identity endpoint at ${method} ${url.pathname}.` } };
        send(res, response);
        return;
      }
      if (body === undefined) {
        response = endpoint.failure(413, "The request body is too large.");
      } else {
        const clientId = url.searchParams.get("client_id") ?? url.searchParams.get("clientid") ?? undefined;
        fault = setup.ctx.faults.take("response", { endpoint: "managed-identity", source: endpoint.source, tenants: [identities.tenant.id], clientId });
        const replacement = fault && faultReplacement(fault);
        if (fault && replacement) {
          response = faultResponse(endpoint, fault, replacement);
        } else {
          const isForm = (req.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
          try {
            response = await endpoint.handle({
              method,
              path: url.pathname,
              query: url.searchParams,
              headers: req.headers,
              form: new URLSearchParams(isForm ? body : ""),
              now,
            });
          } catch (err) {
            (setup.logger ?? console.error)(
              `emulator: unexpected failure in the ${endpoint.source} managed identity endpoint: ${String(err instanceof Error ? err.stack : err)}`,
            );
            response = endpoint.failure(500, "The emulator failed to process the request.");
          }
        }
      }
      setup.ctx.secretsSeen.received({ query: url.searchParams, form: new URLSearchParams(), headers: req.headers, body: body ?? "" });
      if (response.rawContentType === undefined) setup.ctx.secretsSeen.issued({ type: "json", body: response.body });
      const status = send(res, response, fault);
      const query = redactQuery(url.searchParams);
      requests.push(
        Object.freeze({
          source: endpoint.source,
          method,
          path: url.pathname,
          query,
          status,
          clientId: response.clientId,
          authorized: req.headers.authorization !== undefined,
          time: now,
        }),
      );
      setup.log.add({
        method, path: url.pathname, query, tenant: identities.tenant.id, grant_type: undefined, client_id: response.clientId,
        status, time: now, host: (req.headers.host ?? `127.0.0.1:${req.socket.localPort ?? 0}`).toLowerCase(), region: undefined,
        ...(fault ? { fault: fault.kind } : {}),
      });
      setup.logger?.(
        `${method} ${url.pathname} (managed identity: ${endpoint.source})` +
          ` -> ${status === 0 ? "connection dropped" : status}` +
          (fault ? ` (fault: ${fault.kind})` : ""),
      );
    };
  };

  const onRequest = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: IncomingMessage, res: ServerResponse) => {
    handler(req, res).catch((err: unknown) => {
      (setup.logger ?? console.error)(`emulator: failed to answer a managed identity request: ${String(err)}`);
      res.destroy();
    });
  };
  const plain = createHttpServer(onRequest(serve(plainEndpoints)));
  const fabric = createHttpsServer({ key: certificate.privateKey, cert: certificate.certificate }, onRequest(serve([fabricEndpoint])));
  let plainPort: number;
  let fabricPort: number;
  try {
    [plainPort, fabricPort] = await Promise.all([listen(plain), listen(fabric)]);
  } catch (err) {
    plain.close();
    fabric.close();
    throw err;
  }

  const url = `http://127.0.0.1:${plainPort}`;
  const serviceFabricUrl = `https://127.0.0.1:${fabricPort}`;
  const paths: Readonly<Record<ManagedIdentitySourceName, string>> = {
    "imds": `${url}${IMDS_TOKEN_PATH}`,
    "app-service": `${url}${APP_SERVICE_PATH}`,
    "azure-ml": `${url}${AZURE_ML_PATH}`,
    "azure-arc": `${url}${AZURE_ARC_PATH}`,
    "cloud-shell": `${url}${CLOUD_SHELL_PATH}`,
    "service-fabric": `${serviceFabricUrl}${IMDS_TOKEN_PATH}`,
  };
  const checkSource = (source: unknown): ManagedIdentitySourceName => {
    if (!MANAGED_IDENTITY_SOURCES.includes(source as ManagedIdentitySourceName)) {
      throw new TypeError(`Unknown managed identity source ${JSON.stringify(source)}; use one of ${MANAGED_IDENTITY_SOURCES.join(", ")}.`);
    }
    return source as ManagedIdentitySourceName;
  };
  const variables = (source: ManagedIdentitySourceName): Record<string, string> => {
    switch (source) {
      case "imds":
        return { MSAL_MANAGED_IDENTITY_ENDPOINT: paths.imds, AZURE_POD_IDENTITY_AUTHORITY_HOST: url };
      case "app-service":
        return { IDENTITY_ENDPOINT: paths["app-service"], IDENTITY_HEADER: secrets["app-service"] };
      case "azure-ml":
        return { MSI_ENDPOINT: paths["azure-ml"], MSI_SECRET: secrets["azure-ml"] };
      case "azure-arc":
        // IMDS_ENDPOINT only marks the host as Arc-enabled; clients do not call it for tokens.
        return { IDENTITY_ENDPOINT: paths["azure-arc"], IMDS_ENDPOINT: url };
      case "cloud-shell":
        return { MSI_ENDPOINT: paths["cloud-shell"], AZUREPS_HOST_ENVIRONMENT: "cloud-shell/1.0" };
      case "service-fabric":
        return {
          IDENTITY_ENDPOINT: paths["service-fabric"],
          IDENTITY_HEADER: secrets["service-fabric"],
          IDENTITY_SERVER_THUMBPRINT: certificate.thumbprint,
          IDENTITY_API_VERSION: SERVICE_FABRIC_API_VERSION,
        };
    }
  };

  const info = ({ kind, clientId, objectId, resourceId, displayName }: ManagedIdentityInfo): ManagedIdentityInfo =>
    Object.freeze({ kind, clientId, objectId, resourceId, displayName });
  const host: ManagedIdentityHost = {
    url,
    serviceFabricUrl,
    serviceFabricCertificate: certificate.certificate,
    serviceFabricThumbprint: certificate.thumbprint,
    arcKeyDirectory: keyDirectory,
    tenantId: identities.tenant.id,
    systemAssigned: info(identities.systemAssigned),
    identities: Object.freeze(identities.userAssigned.map(info)),
    endpoint: (source) => paths[checkSource(source)],
    environment: (source) => {
      const checked = checkSource(source);
      return Object.freeze({ source: checked, env: Object.freeze(variables(checked)), endpoint: paths[checked] });
    },
    failNext: (source, fault = {}) => {
      const checked = checkSource(source);
      const count = fault.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new TypeError("failNext: count must be a positive integer.");
      const status = fault.status ?? 500;
      const lowest = fault.body === undefined ? 400 : 200;
      if (!Number.isInteger(status) || status < lowest || status > 599) {
        throw new TypeError(`failNext: status must be an HTTP status from ${lowest} to 599.`);
      }
      if (fault.retryAfter !== undefined && (!Number.isInteger(fault.retryAfter) || fault.retryAfter < 0)) {
        throw new TypeError("failNext: retryAfter must be a whole number of seconds.");
      }
      setup.ctx.faults.inject({
        kind: "status",
        endpoint: "managed-identity",
        source: checked,
        count,
        status,
        ...(fault.retryAfter === undefined ? {} : { retryAfter: fault.retryAfter }),
        ...(fault.message === undefined ? {} : { message: fault.message }),
        ...(fault.body === undefined ? {} : { body: fault.body }),
      });
    },
    get requests() {
      return Object.freeze([...requests]);
    },
    requestCount: (source, filter = {}) =>
      requests.filter((r) => (source === undefined || r.source === source) && (filter.status === undefined || r.status === filter.status)).length,
    clearRequests: () => {
      requests.length = 0;
    },
  };

  let closing: Promise<void> | undefined;
  const closeServer = (server: Server): Promise<void> =>
    new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  return {
    host,
    close: () => {
      closing ??= (async () => {
        await Promise.all([closeServer(plain), closeServer(fabric)]);
        await arcKeys.clear();
        if (ownsKeyDirectory) await rm(keyDirectory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
