/**
 * Entra's `client_info`: base64url JSON `{"uid": …, "utid": …}` that the authorize redirect and the
 * token response carry when the request had `client_info=1`. It names the user's home account.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { MsalError } from "../errors.js";

/** The user's object id and home tenant id, as client_info gives them. */
export interface ClientInfo {
  /** The user's object id in the home tenant (B2C: `{oid}-{policy}`). */
  readonly uid: string;
  /** The home tenant id; for a guest it is the guest's own tenant, not the one signed in to. */
  readonly utid: string;
}

/** The JSON inside a client_info value, of whatever type. */
function decodeJson(raw: string): unknown {
  try {
    return JSON.parse(Buffer.from(String(raw), "base64url").toString("utf8"));
  } catch (cause) {
    throw new MsalError("ERR_INVALID_RESPONSE", "client_info is not base64url-encoded JSON", { cause });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decodes a client_info value into its JSON object.
 *
 * @param raw The base64url text from the response.
 * @returns Every member of the object, as sent.
 * @throws {@link MsalError} `ERR_INVALID_RESPONSE` when it is not base64url of a JSON object; the
 *   message does not quote the value.
 */
export function decodeClientInfo(raw: string): Record<string, unknown> {
  const info = decodeJson(raw);
  if (!isRecord(info)) throw new MsalError("ERR_INVALID_RESPONSE", "client_info is not a base64url-encoded JSON object");
  return info;
}

/**
 * Reads `uid` and `utid` from a client_info value.
 *
 * @param raw The base64url text, or nothing.
 * @returns Both ids (as strings), or `undefined` when `raw` is absent or empty, or its JSON is
 *   not an object with both ids (some responses carry a client_info without them; the caller then
 *   falls back to the ID token's `sub`, as for AD FS, which sends no client_info at all). An id
 *   that is a JSON object or array counts as absent: it names no account.
 * @throws {@link MsalError} `ERR_INVALID_RESPONSE` when `raw` is not base64url-encoded JSON.
 */
export function parseClientInfo(raw: string | undefined): ClientInfo | undefined {
  if (raw === undefined || raw === "") return undefined;
  const info = decodeJson(raw);
  if (!isRecord(info)) return undefined;
  const uid = idOf(info, "uid");
  const utid = idOf(info, "utid");
  return uid === undefined || utid === undefined ? undefined : { uid, utid };
}

/** A member that is a JSON scalar, as a string; `undefined` when absent or an object or array (whose text is no id, or not even convertible). */
function idOf(info: Record<string, unknown>, name: string): string | undefined {
  if (!Object.hasOwn(info, name)) return undefined;
  const value = info[name];
  return typeof value === "object" && value !== null ? undefined : String(value);
}

/**
 * The unified cache's `home_account_id` for a client_info value: `{uid}.{utid}`.
 *
 * @param raw The base64url text, or nothing.
 * @returns The id, or `undefined` when client_info is absent or lacks `uid`/`utid`.
 * @throws {@link MsalError} `ERR_INVALID_RESPONSE` when `raw` cannot be decoded.
 */
export function homeAccountIdFromClientInfo(raw: string | undefined): string | undefined {
  const info = parseClientInfo(raw);
  return info === undefined ? undefined : `${info.uid}.${info.utid}`;
}
