/**
 * The other host names of an authority's cloud, for finding tokens cached under them.
 *
 * @module
 */

import { NetworkError } from "../errors.js";
import type { HttpClient } from "../http/index.js";
import { readJson } from "../http/index.js";
import type { AuthorityDescriptor } from "./authority-descriptor.js";
import { AZURE_PUBLIC } from "./authority-hosts.js";
import { aliasCache } from "./discovery-caches.js";
import { loadDiscoveryAnswer } from "./discovery-http-cache.js";
import type { DiscoveryAnswer } from "./discovery-http-cache.js";
import { checkHttpClient, discoveryGet } from "./discovery-request.js";
import { instanceDiscoveryEndpoint } from "./instance-discovery.js";
import { checkInstanceDiscovery } from "./parse-authority.js";

/** What {@link getAuthorityAliases} needs. */
export interface AliasLookupContext {
  /** The client for the request; an application's throttled client answers from its HTTP cache when it can. */
  httpClient: HttpClient;
  /** `false` (or an empty string) skips the lookup; a string is the instance discovery endpoint. */
  instanceDiscovery?: boolean | string | undefined;
  /** `false` skips the lookup, as for any authority known to the developer. */
  validateAuthority?: boolean | undefined;
  /** Stops this caller's wait. */
  signal?: AbortSignal | undefined;
}

// MSAL Python always names the world-wide authority here, whichever cloud the app is in: the
// answer lists every cloud's group.
const ALIAS_AUTHORIZE_ENDPOINT = `https://${AZURE_PUBLIC}/common/oauth2/authorize`;

/**
 * The host names the authority's host is known by, the host itself first: the alias group of
 * instance discovery (api-version 1.1) that contains it, or just the host when no group does.
 *
 * The lookup is made lazily, once per process (memoised for a day, concurrent lookups share
 * one request), and skipped — giving `[host]` — when instance discovery is off or the authority
 * is known to the developer (AD FS, B2C, CIAM, OIDC, `validateAuthority: false`), as such
 * authorities may not be able to reach Entra's world-wide endpoint. No built-in table stands
 * in for a failed lookup, as in MSAL Python.
 *
 * Unlike MSAL Python, which always asks `login.microsoftonline.com`, a custom
 * `instanceDiscovery` URL is also used here, so that an offline setup (the emulator) never
 * reaches out to the internet.
 *
 * @param authority - The app's authority, or a bare host name (then only the context's settings
 *   can skip the lookup).
 * @param context - The HTTP client, the discovery settings and an optional signal.
 * @returns A frozen list of lower-case host names, the given host first.
 * @throws {@link NetworkError} when the lookup fails (any non-2xx status, a body without
 *   `metadata`); the signal's reason on abort.
 */
export async function getAuthorityAliases(
  authority: AuthorityDescriptor | string,
  context: AliasLookupContext,
): Promise<readonly string[]> {
  checkHttpClient(context.httpClient);
  checkInstanceDiscovery(context.instanceDiscovery);
  const hosts = typeof authority === "string" ? [authority.toLowerCase()] : [authority.host, authority.instance];
  const host = hosts[0]!;
  const endpoint = instanceDiscoveryEndpoint(context.instanceDiscovery);
  const knownToDeveloper = typeof authority !== "string" && authority.isKnownToDeveloper;
  if (endpoint === undefined || knownToDeveloper || context.validateAuthority === false) return Object.freeze([host]);
  const url = new URL(endpoint);
  url.searchParams.set("api-version", "1.1");
  url.searchParams.set("authorization_endpoint", ALIAS_AUTHORIZE_ENDPOINT);
  const href = url.href;
  const { httpClient } = context;
  const groups = await aliasCache.get(
    href,
    () => loadDiscoveryAnswer(httpClient, href, () => fetchAliasGroups(httpClient, href), (answer) => aliasGroupsOf(answer, href)),
    context.signal,
  );
  for (const h of hosts) {
    const group = groups.find((g) => g.includes(h));
    if (group) return Object.freeze([h, ...group.filter((alias) => alias !== h)]);
  }
  return Object.freeze([host]);
}

async function fetchAliasGroups(httpClient: HttpClient, url: string): Promise<DiscoveryAnswer> {
  const response = await discoveryGet(httpClient, url);
  if (response.status < 200 || response.status >= 300) {
    throw new NetworkError("ERR_HTTP_STATUS", `The authority alias lookup at ${url} failed with HTTP ${response.status}.`, {
      status: response.status,
    });
  }
  return { status: response.status, body: await readJson(response, url) };
}

function aliasGroupsOf({ body, status }: DiscoveryAnswer, url: string): readonly (readonly string[])[] {
  if (!Array.isArray(body.metadata)) {
    throw new NetworkError("ERR_INVALID_RESPONSE", `The authority alias lookup at ${url} answered without a metadata list.`, {
      status,
    });
  }
  const groups: (readonly string[])[] = [];
  for (const entry of body.metadata as unknown[]) {
    const aliases = (entry as { aliases?: unknown } | null)?.aliases;
    if (!Array.isArray(aliases)) continue;
    groups.push(Object.freeze(aliases.filter((a): a is string => typeof a === "string").map((a) => a.toLowerCase())));
  }
  return Object.freeze(groups);
}
