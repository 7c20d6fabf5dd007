/**
 * Server telemetry (schema 4, as MSAL Python sends it): which API made a request, why the cache
 * could not answer, and what failed since the last successful request.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

/** The telemetry API ids the seeds define, one per public acquire method. */
export const ApiId = {
  ACQUIRE_TOKEN_SILENT_ID: "84",
  ACQUIRE_TOKEN_BY_REFRESH_TOKEN: "85",
  ACQUIRE_TOKEN_INTERACTIVE: "169",
  ACQUIRE_TOKEN_BY_USERNAME_PASSWORD_ID: "301",
  ACQUIRE_TOKEN_ON_BEHALF_OF_ID: "523",
  ACQUIRE_TOKEN_BY_DEVICE_FLOW_ID: "622",
  ACQUIRE_TOKEN_FOR_CLIENT_ID: "730",
  ACQUIRE_TOKEN_BY_AUTHORIZATION_CODE_ID: "832",
  GET_ACCOUNTS_ID: "902",
  REMOVE_ACCOUNT_ID: "903",
} as const;
export type ApiId = (typeof ApiId)[keyof typeof ApiId];

/** Why a call went to the authority instead of the cache. */
export const CacheRefreshReason = {
  NON_SILENT_CALL: 0,
  FORCE_REFRESH: 1,
  AT_ABSENT: 2,
  AT_EXPIRED: 3,
  AT_AGING: 4,
} as const;
export type CacheRefreshReason = (typeof CacheRefreshReason)[keyof typeof CacheRefreshReason];

/** The last-telemetry header must stay under this many characters. */
const LAST_HEADER_LIMIT = 350;

/**
 * The per-application buffer behind `x-client-last-telemetry`: cache hits since the last
 * successful request, and the requests that failed since then.
 */
export class TelemetryBuffer {
  #succeeded = 0;
  #failed: { api: string; correlationId: string; error: string }[] = [];
  #failureSize = 0;

  /** A cache answered a call. */
  hitAnAccessToken(): void {
    this.#succeeded++;
  }

  /** The headers of one request of a call. */
  headers(apiId: ApiId, correlationId: string, reason: CacheRefreshReason): Record<string, string> {
    return {
      "client-request-id": correlationId,
      "x-client-current-telemetry": `4|${apiId},${reason}|`,
      "x-client-last-telemetry": this.#lastTelemetry(),
    };
  }

  #lastTelemetry(): string {
    const failed = this.#failed;
    if (failed.length === 0) return `4|${this.#succeeded}|||`;
    return `4|${this.#succeeded}|${failed.map((f) => `${f.api},${f.correlationId}`).join(",")}|${failed.map((f) => f.error).join(",")}|`;
  }

  /** Records the outcome of a request: a success clears the buffer, a failure is remembered. */
  record(apiId: ApiId, correlationId: string, result: object): void {
    const error = (result as { error?: unknown }).error;
    if (typeof error === "string") {
      const size = `,${apiId},${correlationId},${error}`.length;
      if (this.#failureSize + size < LAST_HEADER_LIMIT) {
        this.#failureSize += size;
        this.#failed.push({ api: apiId, correlationId, error });
      }
    } else {
      this.#succeeded = 0;
      // Emptied only when there is something to empty: a fresh array on every success would
      // outlive the request in each application, and cost a many-application process its GC.
      if (this.#failed.length > 0) this.#failed = [];
      this.#failureSize = 0;
    }
  }
}

/** A fresh correlation id for one API call. */
export function newCorrelationId(): string {
  return randomUUID();
}
