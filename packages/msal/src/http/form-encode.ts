/**
 * Form encoding of request bodies.
 *
 * @module
 */

/**
 * Encodes parameters as `application/x-www-form-urlencoded`, leaving out every parameter whose
 * value is `undefined` or the empty string.
 *
 * MSAL Python drops every falsy value before sending, so an option left empty (an unset
 * environment variable, say) never reaches the authority as `name=`; this keeps that behaviour.
 *
 * @param params - Parameter names and values, in the order they should appear.
 * @returns The encoded body, with spaces as `+` (as Python's `urlencode` writes them).
 */
export function formEncode(params: Readonly<Record<string, string | undefined>>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") form.append(name, value);
  }
  return form.toString();
}
