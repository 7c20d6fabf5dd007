/**
 * The HTTP seam of msal-ts and its default implementation.
 *
 * @module
 */

export type { HttpClient, HttpRequestInit } from "./http-client.js";
export { createDefaultHttpClient } from "./default-http-client.js";
export type { DefaultHttpClient, DefaultHttpClientOptions } from "./default-http-client.js";
export { CLIENT_SKU, libraryHeaders, sharedLibraryHeaders } from "./library-headers.js";
export type { LibraryHeadersOptions } from "./library-headers.js";
export { readJson } from "./read-json.js";
export type { JsonObject } from "./read-json.js";
export { formEncode } from "./form-encode.js";
export { isTimeout, readBodyText, toTransportError } from "./transport-error.js";
export { checkHttpCache, DEFAULT_HTTP_CACHE_CAPACITY, MemoryHttpCache, readHttpCacheRecord, writeHttpCacheRecord } from "./http-cache.js";
export type { HttpCache, HttpCacheRecord } from "./http-cache.js";
export { cachedGetRecord, createThrottledHttpClient, forgetCachedGet } from "./throttled-http-client.js";
export type { ThrottleOptions } from "./throttled-http-client.js";
