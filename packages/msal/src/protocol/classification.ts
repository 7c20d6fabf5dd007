/**
 * The `classification` of an error result, derived from Entra's `suberror`.
 *
 * @module
 */
import type { ErrorResponse } from "./wire.js";

/**
 * Suberrors that mean "sign in again" with nothing particular to tell the user; they classify as
 * the empty string. Every other suberror (`consent_required`, `basic_action`, `additional_action`,
 * `message_only`, `user_password_expired`, …) is passed on as the classification.
 */
const SILENT_SUBERRORS: ReadonlySet<string> = new Set([
  "bad_token",
  "token_expired",
  "protection_policy_required",
  "client_mismatch",
  "device_authentication_failed",
]);

/**
 * Adds `classification` to an error that carries a `suberror`, as silent calls report it.
 *
 * @param error An error response of the token endpoint.
 * @returns A copy with `classification` (`""` for the suberrors in which the user has nothing
 *   particular to do, the suberror itself otherwise), or `error` itself when it has no suberror.
 */
export function classifyError<T extends ErrorResponse>(error: T): T & { readonly classification?: string } {
  const suberror = error.suberror;
  if (typeof suberror !== "string" || suberror === "") return error;
  return { ...error, classification: SILENT_SUBERRORS.has(suberror) ? "" : suberror };
}
