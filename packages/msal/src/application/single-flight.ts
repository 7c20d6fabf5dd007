/**
 * One request for many callers: calls that miss the cache for the same token at the same time
 * share one token request and all get its outcome, while each call can still be cancelled on its
 * own.
 *
 * @module
 */
import { raceSignal } from "../authority/shared-cache.js";
import { invalidArgType } from "../errors.js";

/** A shared operation under way. */
interface Flight {
  readonly promise: Promise<unknown>;
  /**
   * Aborts the operation; used only once every caller has stopped waiting. None when the first
   * caller came without a signal: that caller never stops waiting, so nothing could abort it.
   */
  readonly controller: AbortController | undefined;
  /**
   * Callers still waiting. A caller without a signal never stops waiting, so once one has joined
   * the operation always runs to its end.
   */
  waiting: number;
}

/**
 * Concurrent operations, de-duplicated by key.
 *
 * - The first caller of a key starts the operation; callers of the same key that come while it
 *   runs join it. Every caller gets the operation's outcome: its value (a token or an error
 *   result) or its rejection.
 * - Each caller's `signal` ends that caller's wait only: its promise rejects at once with the
 *   signal's `reason` — by default a `DOMException` named `AbortError`, the same error `fetch`
 *   and `signal.throwIfAborted()` throw, which is how every network method of msal-ts rejects on
 *   abort. The operation goes on for the others.
 * - The operation gets a signal of its own, aborted only when every caller has stopped waiting.
 *   Then its request is cancelled, so nothing it would have written reaches the cache, and the
 *   key is free at once: the next caller starts afresh. (An answer already received before that
 *   moment is kept, as it would be without sharing.)
 * - The key is forgotten as soon as the operation settles: the outcome itself is never reused,
 *   later callers find the token in the token cache instead.
 *
 * A key must name everything that changes the request, so that only callers who would have sent
 * the same request share it.
 *
 * @example
 * ```ts
 * const flights = new SingleFlight();
 * const token = await flights.join(flightKey("client_credentials", scopes), signal, (s) => requestToken(s));
 * ```
 */
export class SingleFlight {
  // The one flight an application usually has under way sits in two fields; a map (made when
  // a second key is in flight at once) holds any others. A process with many applications then
  // touches no map of its own on a cache miss, only this object.
  #soleKey: string | undefined;
  #sole: Flight | undefined;
  #others: Map<string, Flight> | undefined;
  #size = 0;

  /** How many operations are under way. */
  get size(): number {
    return this.#size;
  }

  /**
   * Waits for the operation of `key`, starting it with `start` when none is under way.
   *
   * @param key What the operation is for (see {@link flightKey}).
   * @param signal This caller's signal: aborting it rejects this caller's promise only.
   * @param start Starts the operation (a microtask after the first caller joined); it is given
   *   the operation's own signal, or `undefined` when the first caller had none (nothing can
   *   abort it then).
   * @returns The operation's outcome.
   * @throws The signal's reason when `signal` aborts; `TypeError` (`ERR_INVALID_ARG_TYPE`) when
   *   `signal` is not an `AbortSignal`; whatever the operation rejects with.
   */
  join<T>(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) return Promise.reject(invalidArgType("signal must be an AbortSignal"));
      if (signal.aborted) return Promise.reject(signal.reason as unknown);
    }
    const flight = this.#get(key) ?? this.#start(key, start, signal !== undefined);
    flight.waiting++;
    const shared = flight.promise as Promise<T>;
    if (signal === undefined) return shared;
    // This caller stops waiting on its own abort; the flight goes on for the others.
    return raceSignal(shared, signal, () => this.#leave(key, flight));
  }

  #start(key: string, start: (signal: AbortSignal | undefined) => Promise<unknown>, abortable: boolean): Flight {
    // An AbortController costs more than the rest of a flight: made only when it can be used.
    const controller = abortable ? new AbortController() : undefined;
    // Started one microtask later, once the first caller is counted and listening: an operation
    // that aborted its caller's signal synchronously would otherwise go unnoticed. A first caller
    // without a signal cannot abort, so its operation starts at once.
    const promise = controller ? Promise.resolve(controller.signal).then(start) : startNow(start);
    const flight: Flight = { promise, controller, waiting: 0 };
    if (this.#sole === undefined) {
      this.#soleKey = key;
      this.#sole = flight;
    } else {
      (this.#others ??= new Map()).set(key, flight);
    }
    this.#size++;
    // The rejection handler also keeps a failure nobody waits for any more from going unhandled.
    const settled = (): void => this.#forget(key, flight);
    promise.then(settled, settled);
    return flight;
  }

  #get(key: string): Flight | undefined {
    return this.#soleKey === key ? this.#sole : this.#others?.get(key);
  }

  #forget(key: string, flight: Flight): void {
    if (this.#sole === flight) {
      this.#soleKey = undefined;
      this.#sole = undefined;
    } else if (this.#others?.get(key) === flight) {
      this.#others.delete(key);
    } else {
      return;
    }
    this.#size--;
  }

  #leave(key: string, flight: Flight): void {
    if (--flight.waiting > 0) return;
    this.#forget(key, flight);
    flight.controller?.abort(new DOMException("Every caller waiting for this request stopped waiting.", "AbortError"));
  }
}

/** Starts an operation that no signal governs; a synchronous throw becomes its rejection. */
function startNow(start: (signal: AbortSignal | undefined) => Promise<unknown>): Promise<unknown> {
  try {
    return start(undefined);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * A {@link SingleFlight} key from the parts that shape a request: strings, arrays and flat
 * records of strings (whose order of keys does not matter), `null` and `undefined`.
 *
 * @param parts The parts, in a fixed order; pass scopes sorted, as they are sent.
 * @returns The key.
 */
export function flightKey(...parts: readonly unknown[]): string {
  return JSON.stringify(parts, (_name, value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value === undefined
        ? null
        : value,
  );
}
