/**
 * Discovery answers kept in the application's HTTP cache, so that they outlive the process when
 * the application persists it.
 *
 * @module
 */

import type { HttpCache, JsonObject } from "../http/index.js";
import { readHttpCacheRecord, writeHttpCacheRecord } from "../http/index.js";
import { DISCOVERY_TTL_MS } from "./shared-cache.js";
import type { Loaded } from "./shared-cache.js";

/** A discovery GET's answer, before it is checked: its status and JSON body. @internal */
export interface DiscoveryAnswer {
  readonly status: number;
  readonly body: JsonObject;
}

const LIFETIME_SECONDS = DISCOVERY_TTL_MS / 1000;

/**
 * Loads a discovery answer: from the HTTP cache when it holds a fresh one that still passes
 * `interpret`, else by `fetchAnswer`; a 2xx answer that passes `interpret` is then stored there,
 * a day long (as MSAL Python keeps 2xx GETs), under `GET {url}`. Discovery URLs and answers hold
 * no secret. Without an HTTP cache this is just `interpret(await fetchAnswer())`.
 *
 * A stored answer that no longer passes `interpret` (changed by hand, say) counts as absent and
 * is replaced by a fresh one.
 *
 * @param httpCache The application's HTTP cache, if any.
 * @param url The discovery request's URL: the key.
 * @param fetchAnswer Makes the request.
 * @param interpret Checks an answer and extracts what discovery needs; throws for an unusable one.
 * @returns The value, with the stored answer's expiry when it came from the HTTP cache.
 * @internal
 */
export async function loadDiscoveryAnswer<T>(
  httpCache: HttpCache | undefined,
  url: string,
  fetchAnswer: () => Promise<DiscoveryAnswer>,
  interpret: (answer: DiscoveryAnswer) => T,
): Promise<Loaded<T>> {
  const key = `GET ${url}`;
  if (httpCache !== undefined) {
    const record = readHttpCacheRecord(httpCache, key, Date.now() / 1000);
    const body = record?.value;
    if (record !== undefined && typeof body === "object" && body !== null && !Array.isArray(body)) {
      let value: T | undefined;
      let usable = true;
      try {
        value = interpret({ status: 200, body: body as JsonObject });
      } catch {
        usable = false;
      }
      if (usable) return { value: value as T, expiresAt: record.expires_at * 1000 };
    }
  }
  const answer = await fetchAnswer();
  const value = interpret(answer);
  if (httpCache !== undefined && answer.status >= 200 && answer.status < 300) {
    writeHttpCacheRecord(httpCache, key, answer.body, LIFETIME_SECONDS, Date.now() / 1000);
  }
  return { value };
}
