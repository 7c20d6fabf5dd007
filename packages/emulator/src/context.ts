import type { AuthorizationCodes } from "./authorization-codes.js";
import type { Consents } from "./consents.js";
import type { DeviceCodes } from "./device-codes.js";
import type { Directory } from "./directory.js";
import type { FaultRegistry } from "./faults/index.js";
import type { PopNonces } from "./pop-nonces.js";
import type { RefreshTokens } from "./refresh-tokens.js";
import type { ReplayCache } from "./replay-cache.js";
import type { SecretsSeen } from "./secrets-seen.js";
import type { SignInFlows } from "./sign-in/flows.js";
import type { Sessions } from "./sign-in/sessions.js";
import type { SigningKey } from "./signing-key.js";
import type { SshCertificateAuthority } from "./ssh-certificates.js";

/** What every endpoint of one emulator shares. Each emulator has its own. */
export interface EmulatorContext {
  readonly directory: Directory;
  readonly signingKey: SigningKey;
  /** Access-token lifetime, seconds. */
  readonly tokenLifetime: number;
  /** `refresh_in` option, seconds (see `EmulatorOptions.refreshIn`). */
  readonly refreshIn: number | undefined;
  /** Client-assertion `jti`s already accepted. */
  readonly assertionReplay: ReplayCache;
  /** `host[:port]` values (lower-case) under which this emulator is reachable and trusted. */
  readonly knownHosts: ReadonlySet<string>;
  /** Authorization codes issued by the sign-in page. */
  readonly codes: AuthorizationCodes;
  /** Refresh tokens issued to users' apps. */
  readonly refreshTokens: RefreshTokens;
  /** Consent users gave on the consent page. */
  readonly consents: Consents;
  /** Browser sessions (the sign-in cookie). */
  readonly sessions: Sessions;
  /** Sign-ins waiting for the user. */
  readonly signIns: SignInFlows;
  /** Device codes of the device code flow, and its settings. */
  readonly deviceCodes: DeviceCodes;
  /** Signs the SSH user certificates of `token_type=ssh-cert` requests. */
  readonly sshCertificateAuthority: SshCertificateAuthority;
  /** Nonces of the PoP-protected demo API. */
  readonly popNonces: PopNonces;
  /** Every credential issued or received (`emulator.secretsSeen()`), for tests that look for leaks. */
  readonly secretsSeen: SecretsSeen;
  /** Injected faults (`emulator.faults`). */
  readonly faults: FaultRegistry;
}
