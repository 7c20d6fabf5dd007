/**
 * Regional token endpoints (ESTS-R) for the client credentials grant: which region an app uses,
 * how it is detected, and how a central host becomes a regional one.
 *
 * @module
 */
import type { AuthorityDescriptor } from "../authority/index.js";
import { SharedCache } from "../authority/shared-cache.js";
import { invalidArgType, invalidArgValue } from "../errors.js";
import type { HttpClient } from "../http/http-client.js";
import type { Logger } from "./options.js";

/** The environment variables a process sees, e.g. `process.env`. */
export type RegionEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Where an application's region comes from, settled when the application is constructed.
 *
 * - `none`: no region; every request goes to the central endpoints.
 * - `fixed`: this region, named by the `azureRegion` option or by `MSAL_FORCE_REGION`.
 * - `detect`: the region the app runs in, detected once (see {@link detectRegion}).
 */
export type RegionSetting =
  | { readonly kind: "none" }
  | { readonly kind: "fixed"; readonly region: string; readonly from: "azureRegion" | "MSAL_FORCE_REGION" }
  | { readonly kind: "detect" };

/** A detected region and where it was read. */
export interface DetectedRegion {
  readonly region: string;
  readonly from: "REGION_NAME" | "IMDS";
}

/**
 * The central hosts of Microsoft's public cloud whose regional hosts are
 * `{region}.login.microsoft.com` (MSAL Python's and msal-node's list).
 */
export const MICROSOFT_CENTRAL_HOSTS: ReadonlySet<string> = new Set([
  "login.microsoftonline.com",
  "login.microsoft.com",
  "login.windows.net",
  "sts.windows.net",
]);

/**
 * Where Azure's Instance Metadata Service tells a VM its region, as plain text (MSAL Python's
 * request). Plain http on a link-local address: IMDS answers only inside the VM.
 */
export const IMDS_REGION_URL = "http://169.254.169.254/metadata/instance/compute/location?format=text&api-version=2021-01-01";

/** How long region detection waits for IMDS, in milliseconds; off Azure nothing ever answers. */
export const IMDS_REGION_TIMEOUT_MS = 2000;

// A region becomes the first label of a host name: a DNS label, and Azure's names are lower-case
// letters and digits (`westus2`, `centraluseuap`), at most a few dozen characters.
const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The region name in lower case, or `undefined` when it cannot be the first label of a host. */
function regionName(value: string): string | undefined {
  const lower = value.toLowerCase();
  return REGION_NAME.test(lower) ? lower : undefined;
}

/**
 * Reads the `azureRegion` option of a confidential client, and `MSAL_FORCE_REGION` when the option
 * is not given, as MSAL Python does.
 *
 * @param azureRegion - The option: `undefined`, a region name, `true`
 *   (`ClientApplication.ATTEMPT_REGION_DISCOVERY`) or `false`.
 * @param env - The environment; `process.env` by default.
 * @returns The setting. An empty `MSAL_FORCE_REGION` counts as unset.
 * @throws `TypeError` (`ERR_INVALID_ARG_TYPE`) for an option of another type; `TypeError`
 *   (`ERR_INVALID_ARG_VALUE`) for a region name (in the option or in `MSAL_FORCE_REGION`) that
 *   cannot be the first label of a host name.
 */
export function resolveRegionSetting(azureRegion: unknown, env: RegionEnvironment = process.env): RegionSetting {
  if (azureRegion === false) return { kind: "none" };
  if (azureRegion === true) return { kind: "detect" };
  if (typeof azureRegion === "string") {
    const region = regionName(azureRegion);
    if (region === undefined) {
      throw invalidArgValue(
        `azureRegion must be an Azure region name such as "westus2" (letters and digits), ` +
          `ClientApplication.ATTEMPT_REGION_DISCOVERY, or false; got ${JSON.stringify(azureRegion)}`,
      );
    }
    return { kind: "fixed", region, from: "azureRegion" };
  }
  if (azureRegion !== undefined) {
    throw invalidArgType("azureRegion must be a region name (string), ClientApplication.ATTEMPT_REGION_DISCOVERY (true) or false");
  }
  const forced = env.MSAL_FORCE_REGION;
  if (forced === undefined || forced === "") return { kind: "none" };
  const region = regionName(forced);
  if (region === undefined) {
    throw invalidArgValue(
      `The environment variable MSAL_FORCE_REGION must be an Azure region name such as "westus2"; got ${JSON.stringify(forced)}. ` +
        "Unset it, or pass azureRegion: false to ignore it.",
    );
  }
  return { kind: "fixed", region, from: "MSAL_FORCE_REGION" };
}

/**
 * The regional host of a central host: `{region}.login.microsoft.com` for the public cloud's
 * central hosts ({@link MICROSOFT_CENTRAL_HOSTS}), `{region}.{host}` for any other. A port is
 * kept (`localhost:8443` → `westus2.localhost:8443`).
 *
 * @param centralHost - A host name with an optional port, as in a URL's `host`.
 * @param region - A region name (lower case).
 * @returns The regional `host[:port]`, or `undefined` for an IP address, which has no regional name.
 */
export function regionalHost(centralHost: string, region: string): string | undefined {
  let url: URL;
  try {
    url = new URL(`https://${centralHost}`);
  } catch {
    return undefined;
  }
  const name = url.hostname;
  if (name.startsWith("[") || /^\d+(\.\d+){3}$/.test(name)) return undefined;
  const host = MICROSOFT_CENTRAL_HOSTS.has(name) ? `${region}.login.microsoft.com` : `${region}.${name}`;
  return url.port ? `${host}:${url.port}` : host;
}

/**
 * The same URL on the regional host ({@link regionalHost}); path and query unchanged.
 *
 * @returns The regional URL, or `undefined` when the URL's host has no regional name.
 */
export function regionalUrl(url: string, region: string): string | undefined {
  const u = new URL(url);
  const host = regionalHost(u.host, region);
  if (host === undefined) return undefined;
  u.host = host;
  return u.href;
}

/** Options of {@link detectRegion}. */
export interface DetectRegionOptions {
  /** The environment; `process.env` by default. */
  readonly env?: RegionEnvironment;
  /** How long to wait for IMDS, in milliseconds; {@link IMDS_REGION_TIMEOUT_MS} by default. */
  readonly timeoutMs?: number;
  readonly log?: Logger | undefined;
}

/**
 * Detects the Azure region this process runs in, as MSAL Python does, a little more carefully:
 *
 * 1. `REGION_NAME` (set by Azure Functions and App Service), with its white space removed and in
 *    lower case (`"East US 2"` → `eastus2`);
 * 2. else IMDS: `GET` {@link IMDS_REGION_URL} with `Metadata: true`, given
 *    {@link IMDS_REGION_TIMEOUT_MS} to answer. Unlike MSAL Python, which takes any body, only an
 *    HTTP 200 whose body is a region name counts: an error page or a proxy's answer must not
 *    become a host name.
 *
 * Never throws: a failure of any kind means no region.
 *
 * @param http - The client for the IMDS request (the app's own, so tests can route it).
 * @param options - Environment, timeout, logger.
 * @returns The region and its source, or `undefined`.
 */
export async function detectRegion(http: HttpClient, options: DetectRegionOptions = {}): Promise<DetectedRegion | undefined> {
  const { env = process.env, timeoutMs = IMDS_REGION_TIMEOUT_MS, log } = options;
  const fromEnv = env.REGION_NAME?.replace(/\s+/g, "");
  if (fromEnv) {
    const region = regionName(fromEnv);
    if (region !== undefined) return { region, from: "REGION_NAME" };
    log?.("warning", `REGION_NAME is not a region name (${JSON.stringify(env.REGION_NAME)}); asking IMDS instead`);
  }
  // Our own timer rather than AbortSignal.timeout, whose timer does not keep the process alive:
  // a client that ignores the signal must not hold every client credentials request up either.
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new DOMException("IMDS did not answer in time", "TimeoutError"));
      resolve("timeout");
    }, timeoutMs);
  });
  const asked = askImds(http, controller.signal);
  asked.catch(() => undefined);
  let answer: Awaited<ReturnType<typeof askImds>> | "timeout";
  try {
    answer = await Promise.race([asked, timedOut]);
  } catch (e) {
    log?.("verbose", `No region: IMDS could not be reached (${e instanceof Error ? e.message : String(e)})`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  if (answer === "timeout") {
    log?.("verbose", `No region: IMDS did not answer within ${timeoutMs} ms (not on an Azure VM?)`);
    return undefined;
  }
  if (answer.status !== 200) {
    log?.("verbose", `No region: IMDS answered HTTP ${answer.status}`);
    return undefined;
  }
  const region = regionName(answer.text.trim());
  if (region === undefined) {
    log?.("warning", "No region: IMDS answered with something that is not a region name");
    return undefined;
  }
  return { region, from: "IMDS" };
}

async function askImds(http: HttpClient, signal: AbortSignal): Promise<{ status: number; text: string }> {
  const response = await http(IMDS_REGION_URL, { method: "GET", headers: { Metadata: "true" }, signal });
  return { status: response.status, text: response.status === 200 ? await response.text() : "" };
}

/**
 * One application's regional policy: whether, and where, its client credentials requests go
 * regional. Only `acquireTokenForClient` consults it; every other flow stays central, as in MSAL
 * Python and msal-node.
 *
 * How the regional endpoint is found: the host of the central `token_endpoint` (from discovery
 * of the app's authority) is replaced by its regional host, path kept, as msal-node does. MSAL
 * Python instead runs OpenID Connect discovery a second time at `https://{regional host}/{tenant}`
 * with instance discovery off; the endpoint it finds there has the same path. Rewriting spares a
 * request (and a failure mode) before the first regional token, and keeps the tenant the central
 * discovery resolved.
 *
 * What stays central: the cache entries' `environment` (so a token is found whichever endpoint
 * issued it), and the client assertion's `aud`, which ESTS-R expects to be the central token
 * endpoint.
 *
 * Detection (`ATTEMPT_REGION_DISCOVERY`) runs once per application, at its first client
 * credentials request that reaches the network; concurrent requests share it, and its outcome
 * (a region, or none) is kept for the application's lifetime. Unlike MSAL Python, a configured
 * region is not also detected just to warn about a mismatch.
 *
 * Only Microsoft Entra ID authorities go regional; AD FS, B2C, External ID and generic OIDC
 * authorities stay central (with a warning), as do authorities on an IP address.
 */
export class RegionPolicy {
  readonly #setting: RegionSetting;
  readonly #authority: AuthorityDescriptor;
  readonly #log: Logger | undefined;
  // One entry at most: the detection's outcome, shared by concurrent callers, each of whom may
  // stop waiting on its own signal.
  readonly #detection = new SharedCache<{ readonly detected: DetectedRegion | undefined }>(Number.POSITIVE_INFINITY);
  #warned = false;

  constructor(setting: RegionSetting, authority: AuthorityDescriptor, log: Logger | undefined) {
    this.#setting = setting;
    this.#authority = authority;
    this.#log = log;
  }

  /**
   * The region client credentials requests use, detecting it first when asked to.
   *
   * @param http - The app's HTTP client (for IMDS).
   * @param signal - Stops this caller's wait; a detection under way goes on for the others.
   * @returns The region, or `undefined` for none.
   * @throws The signal's reason when it aborts.
   */
  async region(http: HttpClient, signal?: AbortSignal): Promise<string | undefined> {
    const setting = this.#setting;
    if (setting.kind === "none") return undefined;
    if (setting.kind === "fixed") return setting.region;
    const log = this.#log;
    const { detected } = await this.#detection.get(
      "region",
      async () => {
        const found = await detectRegion(http, { log });
        log?.("info", found ? `Region ${found.region} detected (from ${found.from})` : "No region detected: client credentials requests stay central");
        return { value: { detected: found } };
      },
      signal,
    );
    return detected?.region;
  }

  /**
   * Where a client credentials request is posted: the regional token endpoint when the app has
   * a region, else `centralTokenEndpoint`.
   *
   * @param http - The app's HTTP client (for region detection).
   * @param centralTokenEndpoint - The token endpoint discovery gave.
   * @param signal - The call's signal.
   * @throws The signal's reason when it aborts.
   */
  async tokenEndpoint(http: HttpClient, centralTokenEndpoint: string, signal?: AbortSignal): Promise<string> {
    if (this.#setting.kind === "none") return centralTokenEndpoint;
    const region = await this.region(http, signal);
    if (region === undefined) return centralTokenEndpoint;
    const regional = this.#authority.kind === "aad" ? regionalUrl(centralTokenEndpoint, region) : undefined;
    if (regional === undefined) {
      if (!this.#warned) {
        this.#warned = true;
        this.#log?.("warning", `Region ${region} ignored: the authority ${this.#authority.url} has no regional endpoints`);
      }
      return centralTokenEndpoint;
    }
    return regional;
  }
}
