/**
 * Integer seconds, as the cache schema and token responses carry them.
 *
 * @module
 */

const INTEGER = /^\s*[+-]?\d+\s*$/;

/**
 * Reads an integer the way MSAL Python's `int()` reads cache timestamps and response lifetimes:
 * a decimal string (surrounding blanks allowed) or a number (truncated toward zero).
 *
 * @param value A field value.
 * @returns The integer, or `undefined` when the value is not one (a malformed foreign entry).
 */
export function parseSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === "string") {
    // Every cache hit parses expires_on: plain digits take a loop, not a regex.
    const len = value.length;
    if (len > 0 && len < 16) {
      let n = 0;
      for (let i = 0; i < len; i++) {
        const d = value.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return INTEGER.test(value) ? Number(value) : undefined;
        n = n * 10 + d;
      }
      return n;
    }
    return INTEGER.test(value) ? Number(value) : undefined;
  }
  return undefined;
}

/**
 * The current time in integer epoch seconds, or the caller's injected clock.
 *
 * @param now Epoch seconds supplied by the caller (tests, or an app with its own clock).
 * @returns `now` truncated to an integer, else the system clock.
 */
export function nowSeconds(now?: number): number {
  return now === undefined ? Math.floor(Date.now() / 1000) : Math.trunc(now);
}
