import { EntraError } from "./errors.js";

// The device code grant's answers while it has no tokens to give (authority-wire-format §3.2): the
// errors RFC 8628 §3.5 defines, with Entra's AADSTS codes.

/** 400 authorization_pending AADSTS70016: the user has not finished on /devicelogin yet; keep polling. */
export function authorizationPending(): EntraError {
  return new EntraError(
    400,
    "authorization_pending",
    70016,
    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
  );
}

/**
 * 400 slow_down: the app polled sooner than the interval allows. Entra never sends it (the emulator
 * does only when configured to), so the code is the emulator's own.
 */
export function slowDown(interval: number): EntraError {
  return new EntraError(
    400,
    "slow_down",
    7001601,
    `The app is polling too fast. Wait at least ${interval} seconds between requests. ` +
      "(Emulator code: Entra never answers slow_down; RFC 8628 §3.5 defines it.)",
  );
}

/** 400 authorization_declined AADSTS70000: the user cancelled on /devicelogin. */
export function authorizationDeclined(): EntraError {
  return new EntraError(
    400,
    "authorization_declined",
    70000,
    "The request was denied because the user declined to sign in on the device login page.",
  );
}

/** 400 expired_token AADSTS70020: the device code's lifetime is over. */
export function deviceCodeExpired(): EntraError {
  return new EntraError(
    400,
    "expired_token",
    70020,
    "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
  );
}

/** 400 bad_verification_code AADSTS70018: no such device code (for this tenant). */
export function badVerificationCode(): EntraError {
  return new EntraError(
    400,
    "bad_verification_code",
    70018,
    "The provided value for the input parameter 'device_code' is not valid. It is not a device code this authority issued.",
  );
}

/** 400 invalid_grant AADSTS70000: the device code was redeemed already, or belongs to another app. */
export function deviceCodeNotRedeemable(detail: string): EntraError {
  return new EntraError(400, "invalid_grant", 70000, `Provided grant is invalid or malformed. ${detail}`);
}
