import type { Directory } from "./directory.js";
import type { ReplayCache } from "./replay-cache.js";
import type { SigningKey } from "./signing-key.js";

/** What every endpoint of one emulator shares. Each emulator has its own. */
export interface EmulatorContext {
  readonly directory: Directory;
  readonly signingKey: SigningKey;
  /** Access-token lifetime, seconds. */
  readonly tokenLifetime: number;
  /** Client-assertion `jti`s already accepted. */
  readonly assertionReplay: ReplayCache;
  /** `host[:port]` values (lower-case) under which this emulator is reachable and trusted. */
  readonly knownHosts: ReadonlySet<string>;
}
