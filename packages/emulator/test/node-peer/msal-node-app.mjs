// Shared by the driver scripts: read the request, build an unmodified msal-node app, keep its cache in a file.
//
// Every script reads one JSON object on the first line of stdin and prints JSON lines on stdout; the
// last line is the outcome. The emulator's CA is trusted through NODE_EXTRA_CA_CERTS and msal-node's
// own HTTP client, as any app would; nothing here replaces msal-node's transport.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

/** The next JSON line of stdin (the request first, then the test's answers to a flow's steps). */
export async function readLine() {
  const line = await lines.next();
  if (line.done) throw new Error("stdin ended before the expected line");
  return JSON.parse(line.value);
}

/** One JSON line on stdout. */
export function emit(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A cache plugin keeping msal-node's cache in `path`, as an app persisting its cache to a file does. */
function fileCachePlugin(path) {
  return {
    beforeCacheAccess: async (context) => {
      if (existsSync(path)) context.tokenCache.deserialize(readFileSync(path, "utf8"));
    },
    afterCacheAccess: async (context) => {
      if (context.cacheHasChanged) writeFileSync(path, context.tokenCache.serialize());
    },
  };
}

/**
 * msal-node's `cloudDiscoveryMetadata` for an authority reached at `host` (host and port) whose
 * tokens are cached under `cacheEnvironment`: what instance discovery says of the public cloud
 * (network login.microsoftonline.com, cache login.windows.net), said of the emulator.
 */
function cloudDiscoveryMetadata(authority, host, cacheEnvironment) {
  return JSON.stringify({
    tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: host, preferred_cache: cacheEnvironment, aliases: [host, cacheEnvironment] }],
  });
}

/**
 * A public or confidential client app on the request's authority, trusted through
 * `knownAuthorities` (its host and port), or through `cloudDiscoveryMetadata` when the request
 * names a `cache_environment`; a client secret makes it confidential.
 */
export function buildApp(request) {
  const host = new URL(request.authority).host;
  const config = {
    auth: {
      clientId: request.client_id,
      authority: request.authority,
      ...(request.cache_environment
        ? { cloudDiscoveryMetadata: cloudDiscoveryMetadata(request.authority, host, request.cache_environment) }
        : { knownAuthorities: [host] }),
      ...(request.client_secret ? { clientSecret: request.client_secret } : {}),
    },
    ...(request.cache_file ? { cache: { cachePlugin: fileCachePlugin(request.cache_file) } } : {}),
  };
  return request.client_secret ? new ConfidentialClientApplication(config) : new PublicClientApplication(config);
}

/** What the test reads of an msal-node AuthenticationResult. */
export function describeResult(result) {
  if (!result) return null;
  return {
    accessToken: result.accessToken,
    idTokenClaims: result.idTokenClaims,
    scopes: result.scopes,
    fromCache: result.fromCache,
    tokenType: result.tokenType,
    account: result.account ? describeAccount(result.account) : null,
  };
}

/** What the test reads of an msal-node AccountInfo. */
export function describeAccount(account) {
  return {
    homeAccountId: account.homeAccountId,
    environment: account.environment,
    tenantId: account.tenantId,
    username: account.username,
  };
}

/** What the test reads of an error msal-node threw. */
export function describeError(err) {
  return { name: err?.name, errorCode: err?.errorCode, errorMessage: err?.errorMessage ?? String(err), subError: err?.subError };
}

/**
 * Runs a driver: reads the request, hands it to `body`, and prints `{ error }` (exiting 1) when
 * msal-node throws, so the test sees msal-node's own error rather than a stack trace.
 */
export async function run(body) {
  const request = await readLine();
  try {
    await body(request);
    process.exit(0);
  } catch (err) {
    emit({ error: describeError(err) });
    process.exit(1);
  }
}
