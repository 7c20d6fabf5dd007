// The emulator's record of the requests it served, for tests to assert on (e.g. "the second call was
// answered from the cache"). Secrets never enter it: only these fields, and sensitive query values masked.
import type { FaultKind } from "./faults/index.js";

/** One request the emulator answered. */
export interface RecordedRequest {
  /** The HTTP method, upper case (`GET`, `POST`). */
  readonly method: string;
  /** URL path without the query. */
  readonly path: string;
  /** Query parameters (first value of each); credential-bearing values are masked as `***`. */
  readonly query: Readonly<Record<string, string>>;
  /** The tenant id the path resolved to, else the path's tenant segment (`common`, an unknown name). */
  readonly tenant: string | undefined;
  /** The `grant_type` of a token request (e.g. `client_credentials`), else `undefined`. */
  readonly grant_type: string | undefined;
  /** The client the request came from (its form's `client_id`, or the one its client authentication named), if any. */
  readonly client_id: string | undefined;
  /** HTTP status of the response; 0 when an injected fault dropped the connection instead. */
  readonly status: number;
  /** Arrival time, epoch seconds from the emulator's clock. */
  readonly time: number;
  /**
   * The `host[:port]` the request reached (lower-case): a regional host such as
   * `westus2.localhost:8443` for requests sent to one, else the emulator's host.
   */
  readonly host: string;
  /** The region of the regional host the request reached, else `undefined`. */
  readonly region: string | undefined;
  /** The kind of the injected fault that changed the answer, if one did. */
  readonly fault?: FaultKind;
}

/** Selects token requests in `Emulator.tokenRequestCount`; all given fields must match. */
export interface TokenRequestFilter {
  /** Tenant id or path segment, case-insensitive. */
  readonly tenant?: string;
  /** Client id, case-insensitive. */
  readonly clientId?: string;
  /** The `grant_type`, case-insensitive, e.g. `refresh_token`. */
  readonly grantType?: string;
  /** The HTTP status answered, e.g. `200` for the successful requests only. */
  readonly status?: number;
  /**
   * The host the request reached, case-insensitive: `host:port` as recorded, or the name alone
   * (`westus2.localhost`), which matches it on any port.
   */
  readonly host?: string;
  /** The region of the regional host the request reached; `null` selects requests to central hosts. */
  readonly region?: string | null;
}

// Credentials, and personal data that names a user (hints, anchors), are masked.
const SENSITIVE = new Set([
  "client_secret", "client_assertion", "assertion", "code", "refresh_token", "password", "device_code",
  "code_verifier", "access_token", "id_token", "id_token_hint", "login_hint", "username", "logout_hint",
  "x-anchormailbox", "otc", "client_info", "session_state", "user_code", "spa_code",
]);

/** Copies a query into a plain object with credential-bearing values masked. */
export function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) {
    if (Object.hasOwn(out, key)) continue;
    out[key] = SENSITIVE.has(key.toLowerCase()) ? "***" : value;
  }
  return out;
}

const TOKEN_PATH = /\/oauth2\/(v2\.0\/)?token$/i;

/** True when a recorded `host[:port]` is `wanted`, given with or without its port. */
function sameHost(recorded: string, wanted: string): boolean {
  const w = wanted.toLowerCase();
  if (recorded === w) return true;
  try {
    return new URL(`https://${recorded}`).hostname === w;
  } catch {
    return false;
  }
}

/** The in-memory request log of one emulator. */
export class RequestLog {
  #entries: RecordedRequest[] = [];

  /** Appends an entry (frozen). */
  add(entry: RecordedRequest): void {
    this.#entries.push(Object.freeze(entry));
  }

  /** A snapshot of the log, oldest first. */
  get entries(): readonly RecordedRequest[] {
    return Object.freeze([...this.#entries]);
  }

  /** Forgets every entry. */
  clear(): void {
    this.#entries = [];
  }

  /** Counts `POST …/oauth2/v2.0/token` requests matching the filter. */
  tokenRequestCount(filter: TokenRequestFilter = {}): number {
    const eq = (a: string | undefined, b: string | undefined): boolean =>
      b === undefined || (a !== undefined && a.toLowerCase() === b.toLowerCase());
    return this.#entries.filter(
      (e) =>
        e.method === "POST" &&
        TOKEN_PATH.test(e.path) &&
        eq(e.tenant, filter.tenant) &&
        eq(e.client_id, filter.clientId) &&
        eq(e.grant_type, filter.grantType) &&
        (filter.status === undefined || e.status === filter.status) &&
        (filter.host === undefined || sameHost(e.host, filter.host)) &&
        (filter.region === undefined || (filter.region === null ? e.region === undefined : eq(e.region, filter.region))),
    ).length;
  }
}
