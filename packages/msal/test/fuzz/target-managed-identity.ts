// ManagedIdentityClient against every source's answers, mutated: IMDS, App Service, Azure ML,
// Service Fabric (its http endpoint; https goes through a pinned connection of the library's
// own), Cloud Shell and Azure Arc with its key-file challenge. The source is chosen through the
// client's `environment` option, so `process.env` is never touched.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import {
  ManagedIdentityClient,
  SystemAssignedManagedIdentity,
  UserAssignedManagedIdentity,
  type HttpRequestInit,
  type ManagedIdentity,
} from "../../src/index.js";
import { fromValue, mutate, mutationsArb, toText, type Mutation } from "./json-mutation.js";
import {
  ACCESS_TOKEN,
  expectCacheSound,
  expectCacheUnchanged,
  fixtureCache,
  judge,
  nowSeconds,
  settle,
  toResponse,
  violation,
  type WireAnswer,
} from "./harness.js";
import { answerRecipeArb, buildAnswer, type AnswerRecipe } from "./wire-answers.js";

type Source = "imds" | "app-service" | "azure-ml" | "service-fabric" | "cloud-shell" | "azure-arc";
type Base = "token" | "error";

const ENDPOINT = "http://127.0.0.1:9/msi/token";
const THUMBPRINT = "0123456789ABCDEF0123456789ABCDEF01234567";
const ARC_KEY = "arc-key-CANARY-6e1b9d4f";

let arcDirectory: string | undefined;
/** A directory holding the Arc agent's key file, made once per process and removed at exit. */
function arcKeyDirectory(): string {
  if (arcDirectory === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "msal-fuzz-arc-"));
    writeFileSync(join(dir, "fuzz.key"), ARC_KEY);
    writeFileSync(join(dir, "other.txt"), "not a key");
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    arcDirectory = dir;
  }
  return arcDirectory;
}

function environmentOf(source: Source): Record<string, string> {
  switch (source) {
    case "imds":
      return { MSAL_MANAGED_IDENTITY_ENDPOINT: ENDPOINT };
    case "app-service":
      return { IDENTITY_ENDPOINT: ENDPOINT, IDENTITY_HEADER: "identity-header" };
    case "azure-ml":
      return { MSI_ENDPOINT: ENDPOINT, MSI_SECRET: "msi-secret" };
    case "service-fabric":
      return { IDENTITY_ENDPOINT: ENDPOINT, IDENTITY_HEADER: "identity-header", IDENTITY_SERVER_THUMBPRINT: THUMBPRINT };
    case "cloud-shell":
      return { MSI_ENDPOINT: ENDPOINT };
    case "azure-arc":
      return { IDENTITY_ENDPOINT: ENDPOINT, IMDS_ENDPOINT: "http://127.0.0.1:9" };
  }
}

/** What each source sends on success (App Service and its kin: an absolute `expires_on`). */
function tokenDocument(source: Source, now: number): Record<string, unknown> {
  const common = { access_token: ACCESS_TOKEN, resource: "https://vault.azure.net", token_type: "Bearer" };
  switch (source) {
    case "imds":
    case "azure-arc":
    case "cloud-shell":
      return { ...common, expires_in: "3599", ext_expires_in: "3599", expires_on: String(now + 3599), not_before: String(now), client_id: "mi-client" };
    case "app-service":
    case "azure-ml":
    case "service-fabric":
      return { ...common, expires_on: now + 3599, client_id: "mi-client" };
  }
}

/** What each source sends on failure. */
function errorDocumentOf(source: Source): Record<string, unknown> {
  switch (source) {
    case "imds":
    case "azure-arc":
      return { error: "invalid_resource", error_description: "AADSTS500011: The resource principal was not found." };
    case "app-service":
      return { statusCode: 400, message: "An unexpected error occured while fetching the AAD Token.", correlationId: "c-1" };
    case "azure-ml":
      return { message: "Bad request" };
    case "service-fabric":
    case "cloud-shell":
      return { error: { correlationId: "c-1", code: "SecretHeaderNotFound", message: "Secret is not found in the request headers." } };
  }
}

const MI_KEYS = ["access_token", "expires_in", "expires_on", "ext_expires_in", "refresh_in", "resource", "token_type", "error", "error_description", "statusCode", "message", "code", "correlationId"];

const IDENTITIES: ReadonlyArray<() => ManagedIdentity> = [
  () => new SystemAssignedManagedIdentity(),
  () => new UserAssignedManagedIdentity({ clientId: "mi-client" }),
  () => new UserAssignedManagedIdentity({ objectId: "mi-object" }),
  () => new UserAssignedManagedIdentity({ resourceId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i" }),
];

const CHALLENGES: ReadonlyArray<(dir: string) => string | null> = [
  (dir) => `Basic realm=${join(dir, "fuzz.key")}`,
  (dir) => `Basic realm=${join(dir, "fuzz.key")}`,
  (dir) => `Basic realm="${join(dir, "fuzz.key")}"`,
  (dir) => `basic REALM = ${join(dir, "fuzz.key")}`,
  (dir) => `Basic realm=${join(dir, "other.txt")}`,
  (dir) => `Basic realm=${join(dir, "..", "fuzz.key")}`,
  (dir) => `Basic realm=${join(dir, "missing.key")}`,
  () => "Basic realm=fuzz.key",
  () => "Basic realm=/etc/passwd",
  () => "Basic realm=/proc/self/environ.key",
  () => "Bearer realm=x",
  () => "Basic",
  () => "",
  () => null,
];

/** One case: a source, its environment, the identity, and what the source answers. */
export interface ManagedIdentityCase {
  readonly source: Source;
  readonly identity: number;
  /** A change to the environment the source is read from: a variable and its new value. */
  readonly env: { readonly mutations: readonly Mutation[] } | undefined;
  readonly challenge: number;
  readonly arcStatus: number;
  readonly answers: ReadonlyArray<AnswerRecipe<Base>>;
  readonly resource: string;
}

/** Generates cases. */
export const managedIdentityCaseArb: fc.Arbitrary<ManagedIdentityCase> = fc.record({
  source: fc.constantFrom("imds", "imds", "app-service", "app-service", "azure-ml", "service-fabric", "cloud-shell", "azure-arc"),
  identity: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(IDENTITIES.length - 1) }),
  env: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.record({
        mutations: mutationsArb(["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "MSAL_MANAGED_IDENTITY_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST", "AZUREPS_HOST_ENVIRONMENT"], 2),
      }),
    },
  ),
  challenge: fc.nat(CHALLENGES.length - 1),
  arcStatus: fc.constantFrom(401, 401, 401, 200, 500),
  answers: fc.array(answerRecipeArb(["token", "token", "token", "error"] as const, MI_KEYS, { intact: 3 }), { minLength: 1, maxLength: 2 }),
  resource: fc.constantFrom("https://vault.azure.net", "https://management.azure.com/.default", "r?x=1&y", " spaced ", "\u00e9"),
});

/** Environment variables after mutations: only string values survive, as in `process.env`. */
function mutatedEnvironment(base: Record<string, string>, mutations: readonly Mutation[]): Record<string, string | undefined> {
  const parsed: unknown = JSON.parse(toText(mutate(fromValue(base), mutations)));
  const out: Record<string, string | undefined> = {};
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return out;
  for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") Object.defineProperty(out, k, { value: v, enumerable: true });
  return out;
}

/**
 * Whatever a source answers, the client resolves to a well-formed token or error result or throws
 * a typed error that quotes no token; only a token changes the cache; an Arc challenge makes the
 * client send back the agent's key and nothing else; and a cached token reads back sanely.
 */
export async function checkManagedIdentityCase(c: ManagedIdentityCase): Promise<void> {
  const now = nowSeconds();
  const dir = arcKeyDirectory();
  const answers: WireAnswer[] = c.answers.map((a) => buildAnswer(a, { token: tokenDocument(c.source, now), error: errorDocumentOf(c.source) }));
  if (c.source === "azure-arc") {
    const challenge = CHALLENGES[c.challenge]?.(dir) ?? null;
    answers.unshift({ status: c.arcStatus, contentType: "application/json", body: "{}", headers: challenge === null ? undefined : { "www-authenticate": challenge } });
  }
  const received: Array<{ url: string; init: HttpRequestInit }> = [];
  let invalid = 0;
  const http = async (url: string, init: HttpRequestInit): Promise<Response> => {
    try {
      new Headers(init.headers);
    } catch (e) {
      invalid++;
      throw e;
    }
    received.push({ url, init });
    const answer = answers.shift() ?? { status: 500, contentType: "application/json", body: "{\"error\":\"exhausted\"}" };
    if (answer.fault === "reject") throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
    return toResponse(answer);
  };
  const cache = fixtureCache();
  const before = cache.serialize();
  const identity = IDENTITIES[c.identity]?.() ?? new SystemAssignedManagedIdentity();
  const environment = c.env === undefined ? environmentOf(c.source) : mutatedEnvironment(environmentOf(c.source), c.env.mutations);
  const client = new ManagedIdentityClient(identity, { httpClient: http, tokenCache: cache, environment, arcKeyDirectory: dir });
  const outcome = await settle(() => client.acquireTokenForClient({ resource: c.resource }));
  const kind = judge(outcome, `acquireTokenForClient (${c.source})`);

  if (received.length > 2) throw violation(`one call sent ${received.length} requests to the source`);
  for (const { init } of received) {
    const authorization = init.headers["Authorization"] ?? init.headers["authorization"];
    if (authorization !== undefined && authorization !== `Basic ${ARC_KEY}`) throw violation("the client sent something other than the Arc agent's key back");
  }
  if (c.env === undefined && invalid > 0) throw violation("the client sent a header value fetch refuses");
  if (kind !== "token") {
    expectCacheUnchanged(cache, before, `a ${c.source} answer that gave no token`);
    return;
  }
  expectCacheSound(cache, `after a ${c.source} token`);
  judge(await settle(() => client.acquireTokenForClient({ resource: c.resource })), `acquireTokenForClient again (${c.source})`);
}
