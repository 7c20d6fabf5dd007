/**
 * Form encoding of request bodies.
 *
 * @module
 */

/** What `application/x-www-form-urlencoded` leaves as it is (WHATWG URL, the urlencoded byte serializer). */
const SAFE = /^[A-Za-z0-9*\-._]*$/;
/** What `encodeURIComponent` leaves alone but the form serializer escapes, and the space it writes as `%20`. */
const COMPONENT_LEFTOVERS = /[!'()~]|%20/g;
/** A surrogate that is not half of a pair (with the `u` flag, a pair is one code point and does not match). */
const LONE_SURROGATE = /\p{Surrogate}/gu;

function escapeLeftover(match: string): string {
  return match === "%20" ? "+" : `%${match.charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * One name or value, serialized as `URLSearchParams` serializes it: UTF-8, percent-escaped except
 * for ASCII letters, digits and `*-._`, with spaces as `+` and a lone surrogate as U+FFFD.
 */
function encodeComponent(text: string): string {
  if (SAFE.test(text)) return text;
  let encoded: string;
  try {
    encoded = encodeURIComponent(text);
  } catch {
    // Only a lone surrogate makes encodeURIComponent throw.
    encoded = encodeURIComponent(text.replace(LONE_SURROGATE, "\uFFFD"));
  }
  return encoded.replace(COMPONENT_LEFTOVERS, escapeLeftover);
}

/**
 * Encodes parameters as `application/x-www-form-urlencoded`, leaving out every parameter whose
 * value is `undefined` or the empty string.
 *
 * MSAL Python drops every falsy value before sending, so an option left empty (an unset
 * environment variable, say) never reaches the authority as `name=`; this keeps that behaviour.
 *
 * The output is byte for byte what `URLSearchParams` writes; building the string directly costs
 * a token request a fraction of what a `URLSearchParams` object does.
 *
 * @param params - Parameter names and values, in the order they should appear.
 * @returns The encoded body, with spaces as `+` (as Python's `urlencode` writes them).
 */
export function formEncode(params: Readonly<Record<string, string | undefined>>): string {
  let out = "";
  for (const name in params) {
    if (!Object.hasOwn(params, name)) continue;
    const value = params[name];
    if (value === undefined || value === "") continue;
    out += `${out === "" ? "" : "&"}${encodeComponent(name)}=${encodeComponent(String(value))}`;
  }
  return out;
}
