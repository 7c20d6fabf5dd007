/**
 * Azure Arc's challenge: the agent answers a first request with 401 and
 * `WWW-Authenticate: Basic realm=<path of a key file>`; whoever can read that file (an
 * administrator, or a member of the agent's group) proves it by sending its contents back.
 *
 * @module
 */
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import path from "node:path";
import { ArcPlatformNotSupportedError, ManagedIdentityError } from "../errors.js";
import type { ManagedIdentityEnvironment } from "./sources.js";

/** The largest key file read; anything bigger is not the agent's. */
export const MAX_KEY_FILE_BYTES = 4096;

/**
 * Where the Arc agent writes its key files: `/var/opt/azcmagent/tokens` on Linux,
 * `%ProgramData%\AzureConnectedMachineAgent\Tokens` on Windows.
 *
 * @param platform - `process.platform`.
 * @param env - For `ProgramData` on Windows.
 * @throws {@link ArcPlatformNotSupportedError} on every other platform.
 */
export function defaultArcKeyDirectory(platform: NodeJS.Platform, env: ManagedIdentityEnvironment): string {
  if (platform === "linux") return "/var/opt/azcmagent/tokens";
  if (platform === "win32") {
    const programData = env["ProgramData"] ?? env["PROGRAMDATA"] ?? "C:\\ProgramData";
    return path.win32.join(programData, "AzureConnectedMachineAgent", "Tokens");
  }
  throw new ArcPlatformNotSupportedError(
    `Azure Arc's managed identity runs on Linux and Windows only; this is ${platform}. ` +
      "(An Arc key directory given in the options is used on any platform.)",
  );
}

/**
 * The key file a challenge names, from `WWW-Authenticate: Basic realm=<path>`.
 *
 * @throws {@link ManagedIdentityError} when the header is missing or is no Basic challenge with a realm.
 */
export function challengedKeyPath(header: string | null): string {
  const match = header === null ? null : /^\s*Basic\s+realm\s*=\s*(?:"([^"]*)"|(\S.*?))\s*$/i.exec(header);
  const path = match?.[1] ?? match?.[2];
  if (!path) {
    throw new ManagedIdentityError(
      "The Azure Arc endpoint answered 401 without the expected challenge (WWW-Authenticate: Basic realm=<key file>). " +
        "Is IDENTITY_ENDPOINT the Arc agent's?",
    );
  }
  return path;
}

const sameDirectory = (a: string, b: string, platform: NodeJS.Platform): boolean =>
  platform === "win32" ? a.toLowerCase() === b.toLowerCase() : a === b;

/**
 * Reads the key file a challenge names, after checking that it is where the agent keeps its keys.
 *
 * MSAL Python keeps only the file's stem from the challenge and reads that name in the key
 * directory; msal-node checks the path as given. This does both, and more: the path must be absolute,
 * sit directly in the key directory (after resolving symbolic links on both sides), end in `.key`,
 * be a regular file, and hold at most {@link MAX_KEY_FILE_BYTES} bytes, checked on the opened file
 * so that it cannot be swapped between the check and the read. A server that is not the agent can
 * therefore not make this process read, and send back, any other file.
 *
 * @param realm - The path from the challenge.
 * @param keyDirectory - The agent's key directory.
 * @param platform - `process.platform`, for the comparison of paths.
 * @returns The file's contents, without surrounding white space.
 * @throws {@link ManagedIdentityError} naming what is wrong.
 */
export async function readArcKey(realm: string, keyDirectory: string, platform: NodeJS.Platform = process.platform): Promise<string> {
  const pathApi = platform === "win32" ? path.win32 : path;
  if (!pathApi.isAbsolute(realm)) {
    throw new ManagedIdentityError("The Azure Arc challenge names a key file by a relative path; refusing to read it.");
  }
  const file = pathApi.resolve(realm);
  if (!file.toLowerCase().endsWith(".key")) {
    throw new ManagedIdentityError("The Azure Arc challenge names a file that is not a .key file; refusing to read it.");
  }
  const directory = pathApi.resolve(keyDirectory);
  if (!sameDirectory(pathApi.dirname(file), directory, platform)) {
    throw new ManagedIdentityError(
      `The Azure Arc challenge names a key file outside the agent's key directory ${directory}; refusing to read it.`,
    );
  }
  let realFile: string;
  let realDirectory: string;
  try {
    [realFile, realDirectory] = await Promise.all([realpath(file), realpath(directory)]);
  } catch (cause) {
    throw new ManagedIdentityError(
      `Cannot read the Azure Arc key file in ${directory}: ${(cause as Error).message}. ` +
        "Reading it needs administrator rights, or membership in the agent's group (himds on Linux).",
      { cause },
    );
  }
  if (!sameDirectory(pathApi.dirname(realFile), realDirectory, platform)) {
    throw new ManagedIdentityError("The Azure Arc key file links outside the agent's key directory; refusing to read it.");
  }
  const handle = await open(realFile, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch((cause: unknown) => {
    throw new ManagedIdentityError(`Cannot open the Azure Arc key file: ${(cause as Error).message}.`, { cause });
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ManagedIdentityError("The Azure Arc key file is not a regular file; refusing to read it.");
    if (info.size > MAX_KEY_FILE_BYTES) {
      throw new ManagedIdentityError(`The Azure Arc key file is larger than ${MAX_KEY_FILE_BYTES} bytes; refusing to read it.`);
    }
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_KEY_FILE_BYTES) {
      throw new ManagedIdentityError(`The Azure Arc key file is larger than ${MAX_KEY_FILE_BYTES} bytes; refusing to read it.`);
    }
    const secret = buffer.subarray(0, bytesRead).toString("utf8").trim();
    if (secret === "" || /[\r\n]/.test(secret)) {
      throw new ManagedIdentityError("The Azure Arc key file is empty or spans several lines; it is not the agent's key.");
    }
    return secret;
  } finally {
    await handle.close();
  }
}
