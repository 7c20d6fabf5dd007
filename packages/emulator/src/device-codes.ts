import { randomInt } from "node:crypto";
import type { App, Tenant, User } from "./directory.js";
import { ExpiringStore, randomId } from "./expiring-store.js";
import type { Authentication } from "./user-tokens.js";

// Device codes (RFC 8628, authority-wire-format §1.5): the pair a device authorization request issues —
// an opaque device code the app polls with, and a short user code the user types on /devicelogin — and
// what became of it: still pending, approved by a signed-in user, declined, or redeemed.

/**
 * The user code alphabet: capital letters and digits without the look-alikes 0/O, 1/I/L, 5/S, 2/Z and
 * 8/B, so a code read off one screen is typed right on another.
 */
export const USER_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679";
/** Entra's user codes have 9 characters (e.g. `FRWQDE7YL`). */
export const USER_CODE_LENGTH = 9;
/** How long an expired or redeemed device code is remembered, to answer `expired_token` rather than "unknown". */
const DEVICE_CODE_MEMORY = 3600;

/** The settings of the device code flow (`EmulatorOptions.deviceCode` after defaults). */
export interface DeviceCodeSettings {
  readonly expiresIn: number;
  readonly interval: number;
  readonly slowDown: boolean;
}

/** The user who approved a device code, and how they signed in. */
export interface DeviceApproval {
  readonly tenant: Tenant;
  /** The app's registration in the user's tenant. */
  readonly app: App;
  readonly user: User;
  readonly authentication: Authentication;
}

/** Where a device code stands. */
export type DeviceCodeState = "pending" | "approved" | "declined" | "redeemed";

/** A device code and what it stands for. */
export interface DeviceCodeEntry {
  readonly deviceCode: string;
  readonly userCode: string;
  /** The tenant path segment the device authorization request was sent to. */
  readonly segment: string;
  /** The tenant the segment names; undefined for `common` and `organizations` (the user's own tenant then). */
  readonly tenant: Tenant | undefined;
  /** The app's registration, in `tenant` or (multi-tenant segments) the first tenant that has it. */
  readonly app: App;
  readonly appTenant: Tenant;
  /** The request's `scope`, as sent; the token is issued for it. */
  readonly scope: string;
  /** The request's `claims`, as sent. */
  readonly claims: string | undefined;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** Seconds the app must wait between polls; grows by 5 with every `slow_down`. */
  interval: number;
  /**
   * Arrival time of the latest request of this device code — the device authorization request, then
   * each poll — epoch seconds, not rounded (what `slow_down` is judged by).
   */
  lastRequestAt: number;
  state: DeviceCodeState;
  /** Set once a user signed in and confirmed. */
  approval: DeviceApproval | undefined;
  /**
   * A signed-in user's pending confirmation ("Are you trying to sign in to …?"): the secret the
   * confirmation form carries, and who signed in.
   */
  confirmation: { readonly secret: string; readonly approval: DeviceApproval } | undefined;
}

/** What a new device code is for. */
export type DeviceCodeRequest = Pick<DeviceCodeEntry, "segment" | "tenant" | "app" | "appTenant" | "scope" | "claims">;

/**
 * Removes what users type around a code (spaces, dashes) and upper-cases it, so `frwq-de7yl` finds
 * `FRWQDE7YL`.
 */
export function normalizeUserCode(typed: string): string {
  return typed.replace(/[\s-]+/g, "").toUpperCase();
}

/** The device codes of one emulator. */
export class DeviceCodes {
  readonly settings: DeviceCodeSettings;
  readonly #byDeviceCode = new ExpiringStore<DeviceCodeEntry>();
  /** User code → device code. */
  readonly #byUserCode = new ExpiringStore<string>();

  constructor(settings: DeviceCodeSettings) {
    this.settings = settings;
  }

  /** Issues a device code and a user code no live device code uses. */
  issue(request: DeviceCodeRequest, now: number): DeviceCodeEntry {
    let userCode = newUserCode();
    while (this.#byUserCode.get(userCode, now) !== undefined) userCode = newUserCode();
    const issuedAt = Math.floor(now);
    const expiresAt = issuedAt + this.settings.expiresIn;
    const entry: DeviceCodeEntry = {
      ...request,
      deviceCode: randomId(48),
      userCode,
      issuedAt,
      expiresAt,
      interval: this.settings.interval,
      lastRequestAt: now,
      state: "pending",
      approval: undefined,
      confirmation: undefined,
    };
    this.#byDeviceCode.set(entry.deviceCode, entry, expiresAt + DEVICE_CODE_MEMORY, now);
    this.#byUserCode.set(userCode, entry.deviceCode, expiresAt + DEVICE_CODE_MEMORY, now);
    return entry;
  }

  /** The entry of a device code (also expired or used ones, for a while). */
  find(deviceCode: string, now: number): DeviceCodeEntry | undefined {
    return this.#byDeviceCode.get(deviceCode, now);
  }

  /** The entry of a user code as typed (case, spaces and dashes ignored). */
  findByUserCode(typed: string, now: number): DeviceCodeEntry | undefined {
    const deviceCode = this.#byUserCode.get(normalizeUserCode(typed), now);
    return deviceCode === undefined ? undefined : this.find(deviceCode, now);
  }
}

function newUserCode(): string {
  let code = "";
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}
