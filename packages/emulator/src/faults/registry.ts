import type { ManagedIdentitySourceName } from "../managed-identity/options.js";
import { FAULT_DEFAULTS, ID_TOKEN_KINDS, checkFault } from "./model.js";
import type { Fault, RequestEndpoint } from "./model.js";

// The faults of one emulator, in injection order: each request (or each ID token) takes the first
// fault that matches it, so faults for the same requests queue up.

/** An injected fault, as `inject` returns it and `list` shows it. */
export interface FaultHandle {
  /** The fault, as checked. */
  readonly fault: Fault;
  /** How many requests (or ID tokens) it changed so far. */
  readonly hits: number;
  /** How many more it will change, for a fault with `count`; `undefined` for one that lasts. */
  readonly remaining: number | undefined;
  /** False once removed, or once `count` is used up. */
  readonly active: boolean;
  /** Removes the fault (no-op when no longer active). */
  remove(): void;
}

/** Fault injection of one emulator (`emulator.faults`). */
export interface EmulatorFaults {
  /**
   * Adds a fault after those already there; a request takes the first active fault that matches it.
   *
   * @throws TypeError naming the field that is wrong.
   * @example
   * ```ts
   * const outage = emulator.faults.inject({ kind: "throttle", endpoint: "token", retryAfter: 2, count: 3 });
   * // … the next three token requests answer 429 with Retry-After: 2 …
   * outage.remove();
   * ```
   */
  inject(fault: Fault): FaultHandle;
  /** Removes every fault. */
  clear(): void;
  /** The active faults, in injection order. */
  list(): readonly FaultHandle[];
}

/** What a request (or an ID token) is about, for matching faults. */
export interface FaultTarget {
  readonly endpoint: RequestEndpoint;
  /** The tenant path segment and, when it names one, the tenant's GUID (any case). */
  readonly tenants?: readonly string[];
  readonly clientId?: string | undefined;
  readonly source?: ManagedIdentitySourceName;
}

/** A small seeded generator (mulberry32): reproducible draws for `probability`. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  readonly fault: Fault;
  /** GUID of the fault's `tenant` when it names a tenant of the directory, lower-case. */
  readonly tenantId: string | undefined;
  readonly random: () => number;
  hits: number;
  remaining: number | undefined;
  active: boolean;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function endpointMatches(entry: Entry, target: FaultTarget): boolean {
  const { endpoint, kind } = entry.fault;
  if (kind === "foreign-issuer" && target.endpoint !== "openid-configuration") return false;
  if (endpoint === "any") return true;
  if (endpoint === "discovery") return target.endpoint === "openid-configuration" || target.endpoint === "instance-discovery";
  return endpoint === target.endpoint;
}

function filtersMatch(entry: Entry, target: FaultTarget): boolean {
  const { tenant, clientId, source } = entry.fault;
  if (tenant !== undefined) {
    const names = target.tenants ?? [];
    if (!names.some((name) => same(name, tenant) || (entry.tenantId !== undefined && same(name, entry.tenantId)))) return false;
  }
  if (clientId !== undefined && (target.clientId === undefined || !same(target.clientId, clientId))) return false;
  if (source !== undefined && target.source !== source) return false;
  return true;
}

/**
 * The fault list of one emulator. The server asks it once per request ({@link FaultRegistry.take}
 * with phase `response`) and the token issuer once per ID token (phase `id-token`).
 */
export class FaultRegistry implements EmulatorFaults {
  #entries: Entry[] = [];
  readonly #tenantIdOf: (name: string) => string | undefined;

  /** @param tenantIdOf - Resolves a tenant name (GUID or domain) to its GUID, for `tenant` filters. */
  constructor(tenantIdOf: (name: string) => string | undefined = () => undefined) {
    this.#tenantIdOf = tenantIdOf;
  }

  inject(fault: Fault): FaultHandle {
    const checked = checkFault(fault);
    const entry: Entry = {
      fault: checked,
      tenantId: checked.tenant === undefined ? undefined : this.#tenantIdOf(checked.tenant),
      random: seededRandom(checked.seed ?? FAULT_DEFAULTS.seed),
      hits: 0,
      remaining: checked.count,
      active: true,
    };
    this.#entries.push(entry);
    return this.#handle(entry);
  }

  clear(): void {
    for (const entry of this.#entries) entry.active = false;
    this.#entries = [];
  }

  list(): readonly FaultHandle[] {
    return Object.freeze(this.#entries.map((entry) => this.#handle(entry)));
  }

  /**
   * The fault to apply to a request (phase `response`: every kind but the ID-token ones) or to an
   * ID token being issued (phase `id-token`), counting it as used; `undefined` when none applies.
   */
  take(phase: "response" | "id-token", target: FaultTarget): Fault | undefined {
    for (const entry of this.#entries) {
      if (ID_TOKEN_KINDS.has(entry.fault.kind) !== (phase === "id-token")) continue;
      if (!endpointMatches(entry, target) || !filtersMatch(entry, target)) continue;
      if (entry.fault.probability !== undefined && entry.random() >= entry.fault.probability) continue;
      entry.hits += 1;
      if (entry.remaining !== undefined) {
        entry.remaining -= 1;
        if (entry.remaining <= 0) this.#remove(entry);
      }
      return entry.fault;
    }
    return undefined;
  }

  #remove(entry: Entry): void {
    entry.active = false;
    this.#entries = this.#entries.filter((e) => e !== entry);
  }

  #handle(entry: Entry): FaultHandle {
    return Object.freeze({
      fault: entry.fault,
      get hits() {
        return entry.hits;
      },
      get remaining() {
        return entry.remaining;
      },
      get active() {
        return entry.active;
      },
      remove: () => {
        if (entry.active) this.#remove(entry);
      },
    });
  }
}
