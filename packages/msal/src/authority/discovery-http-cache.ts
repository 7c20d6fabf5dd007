/**
 * Discovery answers and the application's HTTP cache. An application's throttled HTTP client
 * keeps every 2xx GET answer there a day, discovery's included, so that a persisted HTTP cache
 * spares other processes the requests; discovery only makes sure that an answer it cannot use is
 * not kept.
 *
 * @module
 */

import type { HttpClient, JsonObject } from "../http/index.js";
import { cachedGetRecord, forgetCachedGet } from "../http/index.js";
import type { Loaded } from "./shared-cache.js";

/** A discovery GET's answer, before it is checked: its status and JSON body. @internal */
export interface DiscoveryAnswer {
  readonly status: number;
  readonly body: JsonObject;
}

/**
 * Loads a discovery answer by `fetchAnswer`, a GET of `url` through `httpClient`, and reads it with
 * `interpret`. When the client is a throttled one, the answer may come from its HTTP cache; then:
 *
 * - an answer that cannot be used (not JSON, or refused by `interpret`) is dropped from the cache,
 *   and when it was stored before this load (changed by hand, say), asked for once more;
 * - the value expires with the stored answer, so that the process memo does not outlive it.
 *
 * @param httpClient The client `fetchAnswer` sends through.
 * @param url The discovery request's URL.
 * @param fetchAnswer Makes the request.
 * @param interpret Checks an answer and extracts what discovery needs; throws for an unusable one.
 * @returns The value, with the stored answer's expiry when the HTTP cache holds it.
 * @internal
 */
export async function loadDiscoveryAnswer<T>(
  httpClient: HttpClient,
  url: string,
  fetchAnswer: () => Promise<DiscoveryAnswer>,
  interpret: (answer: DiscoveryAnswer) => T,
): Promise<Loaded<T>> {
  const storedBefore = cachedGetRecord(httpClient, url) !== undefined;
  let value: T;
  try {
    value = interpret(await fetchAnswer());
  } catch (e) {
    forgetCachedGet(httpClient, url);
    if (!storedBefore) throw e;
    try {
      value = interpret(await fetchAnswer());
    } catch (again) {
      forgetCachedGet(httpClient, url);
      throw again;
    }
  }
  const record = cachedGetRecord(httpClient, url);
  return record === undefined ? { value } : { value, expiresAt: record.expires_at * 1000 };
}
