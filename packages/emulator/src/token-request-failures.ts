import type { EmulatorContext } from "./context.js";
import { EntraError } from "./errors.js";
import type { HandlerResult } from "./http.js";
import { TOKEN_RESPONSE_HEADERS } from "./http.js";

// A test hook: the token endpoint answers its next requests with a failure (429 with Retry-After by
// default), before looking at them, as an overloaded STS would. It is what client-side throttling
// tests need, and stays small on purpose.

/** What the next token requests fail with (see `Emulator.failNextTokenRequests`). */
export interface TokenRequestFailure {
  /** How many requests fail (default 1). */
  readonly count?: number;
  /** The HTTP status, 400 to 599 (default 429). */
  readonly status?: number;
  /**
   * The `Retry-After` header: whole seconds, or any text (an HTTP date, say). None by default.
   */
  readonly retryAfter?: number | string;
  /** Answer this text (`text/plain`) instead of Entra's JSON error, e.g. to test unreadable answers. */
  readonly body?: string;
}

interface Pending {
  remaining: number;
  readonly failure: TokenRequestFailure;
}

const queues = new WeakMap<EmulatorContext, Pending[]>();

function queueOf(ctx: EmulatorContext): Pending[] {
  let queue = queues.get(ctx);
  if (queue === undefined) {
    queue = [];
    queues.set(ctx, queue);
  }
  return queue;
}

/**
 * Queues a failure for the next token requests of one emulator; failures queue up in order.
 *
 * @throws TypeError for a count that is not a positive integer, a status outside 400–599, or a
 *   `retryAfter` that is neither a whole number of seconds nor text.
 */
export function failNextTokenRequests(ctx: EmulatorContext, failure: TokenRequestFailure = {}): void {
  const count = failure.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new TypeError("failNextTokenRequests: count must be a positive integer.");
  const status = failure.status ?? 429;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new TypeError("failNextTokenRequests: status must be an HTTP error status from 400 to 599.");
  }
  const { retryAfter } = failure;
  if (retryAfter !== undefined && !(typeof retryAfter === "string" || (Number.isInteger(retryAfter) && retryAfter >= 0))) {
    throw new TypeError("failNextTokenRequests: retryAfter must be a whole number of seconds, or the header's text.");
  }
  if (failure.body !== undefined && typeof failure.body !== "string") throw new TypeError("failNextTokenRequests: body must be a string.");
  queueOf(ctx).push({ remaining: count, failure: { ...failure } });
}

/**
 * The failure the current token request gets, if one is queued: a text answer, or thrown as an
 * {@link EntraError} for the server to render in Entra's shape.
 */
export function takeTokenRequestFailure(ctx: EmulatorContext): HandlerResult | undefined {
  const queue = queues.get(ctx);
  const head = queue?.[0];
  if (queue === undefined || head === undefined) return undefined;
  head.remaining -= 1;
  if (head.remaining <= 0) queue.shift();
  const { failure } = head;
  const status = failure.status ?? 429;
  const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { "retry-after": String(failure.retryAfter) };
  if (failure.body !== undefined) {
    return { type: "text", status, body: failure.body, contentType: "text/plain; charset=utf-8", headers: { ...TOKEN_RESPONSE_HEADERS, ...headers } };
  }
  if (status === 429) {
    throw new EntraError(429, "temporarily_unavailable", 90055, "There are too many incoming requests; retry later.", headers);
  }
  if (status >= 500) throw new EntraError(status, "server_error", 50000, "The service is temporarily unavailable.", headers);
  throw new EntraError(status, "invalid_request", 90100, "The request was refused.", headers);
}
