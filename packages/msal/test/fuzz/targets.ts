// The fuzz targets: every parser of outside input, each as a fast-check property. The test suite
// runs a few hundred cases of each; `npm run fuzz` runs a hundred thousand or more.
import { inspect } from "node:util";
import fc from "fast-check";
import { authCodeCaseArb, checkAuthCodeCase } from "./target-auth-code.js";
import { authorityCaseArb, checkAuthorityCase } from "./target-authority.js";
import { cacheCaseArb, checkCacheCase } from "./target-cache.js";
import { checkDeviceCodeCase, deviceCodeCaseArb } from "./target-device-code.js";
import { checkIdTokenCase, idTokenCaseArb } from "./target-id-token.js";
import { checkManagedIdentityCase, managedIdentityCaseArb } from "./target-managed-identity.js";
import { checkTokenResponseCase, tokenResponseCaseArb } from "./target-token-response.js";

/** One fuzz target. */
export interface FuzzTarget {
  /** Short and stable: `--target=<name>` selects it. */
  readonly name: string;
  /** What is fuzzed, in one line. */
  readonly summary: string;
  /** A fresh property: a case generator and the check every case must pass. */
  readonly property: () => fc.IAsyncProperty<[unknown]>;
}

function target<T>(name: string, summary: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => Promise<void>): FuzzTarget {
  return { name, summary, property: () => fc.asyncProperty(arbitrary, check) as unknown as fc.IAsyncProperty<[unknown]> };
}

/** Every target, in the order `npm run fuzz` runs them. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  target("cache", "SerializableTokenCache.deserialize on mutated, truncated and random cache files", cacheCaseArb, checkCacheCase),
  target("authority", "authority and oidcAuthority URLs: parsing, app constructors, a call's authority", authorityCaseArb, checkAuthorityCase),
  target("auth-code", "acquireTokenByAuthCodeFlow with mutated redirect responses and flows", authCodeCaseArb, checkAuthCodeCase),
  target("id-token", "mutated ID tokens through decode/validate and through token responses", idTokenCaseArb, checkIdTokenCase),
  target("token-response", "token endpoint answers to client credentials, refresh token and silent refresh", tokenResponseCaseArb, checkTokenResponseCase),
  target("device-code", "device authorization answers and polling answers", deviceCodeCaseArb, checkDeviceCodeCase),
  target("managed-identity", "managed identity source answers, environments and Arc challenges", managedIdentityCaseArb, checkManagedIdentityCase),
];

/** How a run is configured. */
export interface FuzzRunOptions {
  readonly numRuns: number;
  readonly seed: number;
  /** Milliseconds one case may take before it counts as a hang. */
  readonly timeout?: number;
  /** Replays one case of a failed run: fast-check's `path` from its report. */
  readonly path?: string;
}

/** What one target's run found. */
export interface FuzzRunReport {
  readonly target: string;
  readonly numRuns: number;
  readonly milliseconds: number;
  readonly failed: boolean;
  readonly seed: number;
  /** fast-check's report of a failure: the shrunk counterexample, the seed and the replay path. */
  readonly report: string | undefined;
  /** The replay path of the shrunk counterexample. */
  readonly path: string | undefined;
}

/** Runs one target. */
export async function runTarget(t: FuzzTarget, options: FuzzRunOptions): Promise<FuzzRunReport> {
  const started = performance.now();
  const details = await fc.check(t.property(), {
    numRuns: options.numRuns,
    seed: options.seed,
    timeout: options.timeout ?? 10_000,
    ...(options.path !== undefined ? { path: options.path } : {}),
  });
  const milliseconds = performance.now() - started;
  return {
    target: t.name,
    numRuns: details.numRuns,
    milliseconds,
    failed: details.failed,
    seed: options.seed,
    report: details.failed ? `${fc.defaultReportMessage(details)}\n${inspect(details.errorInstance, { depth: 4 })}` : undefined,
    path: details.failed ? details.counterexamplePath ?? undefined : undefined,
  };
}
