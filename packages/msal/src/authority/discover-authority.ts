/**
 * Discovering an authority's endpoints, once per process.
 *
 * @module
 */

import type { HttpClient } from "../http/index.js";
import type { AuthorityDescriptor } from "./authority-descriptor.js";
import type { AuthorityMetadata } from "./authority-metadata.js";
import { checkHttpClient } from "./discovery-request.js";
import { configurationCache, instanceCache } from "./discovery-caches.js";
import { loadDiscoveryAnswer } from "./discovery-http-cache.js";
import { fetchInstanceDiscovery, instanceDiscoveryUrl, tenantDiscoveryEndpointOf } from "./instance-discovery.js";
import { checkInstanceDiscovery } from "./parse-authority.js";
import type { DiscoveredConfiguration } from "./tenant-discovery.js";
import { checkConfiguration, fetchOpenIdConfiguration } from "./tenant-discovery.js";

/** The discovery settings of an application. */
export interface DiscoverySettings {
  /**
   * `false` skips instance discovery; a string is the https URL of the instance discovery
   * endpoint to ask instead of the world-wide one. Default `true`.
   */
  instanceDiscovery?: boolean | string | undefined;
  /** `false` trusts the authority without instance discovery. Default `true`. */
  validateAuthority?: boolean | undefined;
}

/** What {@link discoverAuthority} needs. */
export interface DiscoveryContext extends DiscoverySettings {
  /**
   * The client for the requests. The process-wide memo is shared whatever the client. An
   * application's throttled client answers from its HTTP cache when it can.
   */
  httpClient: HttpClient;
  /** Stops this caller's wait. A request shared with other callers keeps going for them. */
  signal?: AbortSignal | undefined;
}

// The metadata object handed out per descriptor, so a cache hit allocates nothing.
const handedOut = new WeakMap<AuthorityDescriptor, { from: DiscoveredConfiguration; metadata: AuthorityMetadata }>();

/**
 * Discovers an authority's endpoints: instance discovery when it applies (a host not well
 * known, an authority not known to the developer, instance discovery not turned off), then the
 * OpenID Connect configuration.
 *
 * The answers are memoised for the whole process for a day, keyed by request URL, so a second
 * application for the same authority makes no request, and concurrent discoveries of the same
 * authority make one. Failures are not memoised. A request the process memo cannot spare goes
 * through the context's client, which an application throttles: it may answer from the
 * application's HTTP cache, where an answer discovery cannot use is not kept.
 *
 * @param authority - From `resolveAuthorityConfig` or `parseAuthority`.
 * @param context - The HTTP client, the discovery settings and an optional signal.
 * @returns The endpoints and the tenant; {@link getCachedAuthorityMetadata} returns them
 *   without waiting once known.
 * @throws {@link MsalError} `ERR_AUTHORITY` for a host instance discovery does not know;
 *   `ERR_DISCOVERY` for an unknown tenant or an unusable document; {@link NetworkError} for
 *   transport failures, 5xx answers and bodies that are not JSON; the signal's reason on abort.
 */
export async function discoverAuthority(
  authority: AuthorityDescriptor,
  context: DiscoveryContext,
): Promise<AuthorityMetadata> {
  checkHttpClient(context.httpClient);
  checkInstanceDiscovery(context.instanceDiscovery);
  const known = getCachedAuthorityMetadata(authority, context);
  if (known !== undefined) return known;
  const { httpClient, signal } = context;
  signal?.throwIfAborted();
  const discoveryUrl = instanceDiscoveryUrl(authority, context.instanceDiscovery, context.validateAuthority);
  const documentUrl =
    discoveryUrl === undefined
      ? authority.openIdConfigurationUrl
      : await instanceCache.get(
          discoveryUrl,
          () =>
            loadDiscoveryAnswer(
              httpClient,
              discoveryUrl,
              () => fetchInstanceDiscovery(httpClient, discoveryUrl),
              (answer) => tenantDiscoveryEndpointOf(answer, discoveryUrl, authority),
            ),
          signal,
        );
  const configuration = await configurationCache.get(
    documentUrl,
    () =>
      loadDiscoveryAnswer(
        httpClient,
        documentUrl,
        () => fetchOpenIdConfiguration(httpClient, documentUrl, authority),
        (answer) => checkConfiguration(answer.body, documentUrl),
      ),
    signal,
  );
  return metadataOf(authority, configuration);
}

/**
 * The authority's metadata when discovery has already finished in this process, without
 * waiting; `undefined` otherwise (then call {@link discoverAuthority}).
 *
 * @param authority - The descriptor.
 * @param settings - The same discovery settings as given to {@link discoverAuthority}.
 * @returns The metadata, or `undefined`.
 */
export function getCachedAuthorityMetadata(
  authority: AuthorityDescriptor,
  settings: DiscoverySettings = {},
): AuthorityMetadata | undefined {
  const discoveryUrl = instanceDiscoveryUrl(authority, settings.instanceDiscovery, settings.validateAuthority);
  const documentUrl = discoveryUrl === undefined ? authority.openIdConfigurationUrl : instanceCache.peek(discoveryUrl);
  if (documentUrl === undefined) return undefined;
  const configuration = configurationCache.peek(documentUrl);
  return configuration === undefined ? undefined : metadataOf(authority, configuration);
}

function metadataOf(authority: AuthorityDescriptor, configuration: DiscoveredConfiguration): AuthorityMetadata {
  const previous = handedOut.get(authority);
  if (previous?.from === configuration) return previous.metadata;
  const metadata: AuthorityMetadata = Object.freeze({
    ...configuration.document,
    tenant: configuration.tenant,
    host: authority.host,
    instance: authority.instance,
  });
  handedOut.set(authority, { from: configuration, metadata });
  return metadata;
}
