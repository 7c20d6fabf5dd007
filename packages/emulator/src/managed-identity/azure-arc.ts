import { randomBytes, randomUUID } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SourceEndpoint, SourceServices } from "./endpoint.js";
import { findResource, header, issueContext, sameSecret, unknownResourceText } from "./endpoint.js";
import { imdsError, imdsTokenBody } from "./imds.js";
import { issueIdentityToken } from "./tokens.js";

// The Azure Arc agent's token endpoint (authority-wire-format §4.4): a request without credentials is
// answered 401 with `WWW-Authenticate: Basic realm=<key file>`, a file the agent has just written where
// only privileged users can read it; the client proves it can by sending the file's contents back as
// `Authorization: Basic <contents>`. Answers are IMDS's.

/** The path of the Arc endpoint on the emulator's managed identity listener. */
export const AZURE_ARC_PATH = "/azure-arc/metadata/identity/oauth2/token";

/** The api-versions the agent takes: MSAL Python sends 2020-06-01, msal-node 2019-11-01. */
const API_VERSIONS = new Set(["2019-11-01", "2020-06-01", "2021-02-01"]);

/** Seconds a key stays valid. */
const KEY_LIFETIME = 60;

/** The keys the agent handed out: each is good once, within {@link KEY_LIFETIME}. */
export class ArcKeys {
  readonly directory: string;
  readonly #issued = new Map<string, { readonly file: string; readonly expires: number }>();

  constructor(directory: string) {
    this.directory = directory;
  }

  /** Writes a new key file (readable by its owner only) and returns its path. */
  async issue(now: number): Promise<string> {
    const secret = randomBytes(32).toString("hex");
    const file = join(this.directory, `${randomUUID()}.key`);
    await writeFile(file, secret, { mode: 0o600 });
    this.#issued.set(secret, { file, expires: now + KEY_LIFETIME });
    return file;
  }

  /** Accepts a key once: true when it was issued, unused and unexpired; its file is removed either way. */
  async redeem(given: string, now: number): Promise<boolean> {
    for (const [secret, key] of this.#issued) {
      if (!sameSecret(given, secret)) continue;
      this.#issued.delete(secret);
      await rm(key.file, { force: true });
      return now < key.expires;
    }
    return false;
  }

  /** Removes every key file still on disk. */
  async clear(): Promise<void> {
    const files = [...this.#issued.values()].map((k) => k.file);
    this.#issued.clear();
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }
}

/**
 * Azure Arc: `Metadata: true`, api-version 2019-11-01 or 2020-06-01, the challenge, and only the
 * machine's system-assigned identity (a user-assigned id is refused).
 */
export function createAzureArcEndpoint(services: SourceServices, keys: ArcKeys): SourceEndpoint {
  return {
    source: "azure-arc",
    method: "GET",
    path: AZURE_ARC_PATH,
    failure: (status, message) => imdsError(status, status === 429 ? "too_many_requests" : "unknown", message),
    async handle(request) {
      if (header(request, "metadata") !== "true") return imdsError(400, "invalid_request", "Required metadata header not specified");
      const version = request.query.get("api-version");
      if (!version || !API_VERSIONS.has(version)) {
        return imdsError(400, "invalid_request", `Invalid api-version '${version ?? ""}'; use one of ${[...API_VERSIONS].join(", ")}`);
      }
      const resource = request.query.get("resource");
      if (!resource) return imdsError(400, "invalid_request", "Required audience parameter not specified");
      const authorization = header(request, "authorization");
      if (authorization === undefined) {
        const file = await keys.issue(request.now);
        return imdsError(401, "unauthorized_client", "Read the key file the WWW-Authenticate header names and send its contents.", {
          "www-authenticate": `Basic realm=${file}`,
        });
      }
      const match = /^Basic\s+(\S+)\s*$/i.exec(authorization);
      if (!match?.[1] || !(await keys.redeem(match[1], request.now))) {
        return imdsError(401, "invalid_client", "The key in the Authorization header was not issued by this agent, was used already, or has expired.");
      }
      for (const name of ["client_id", "object_id", "msi_res_id", "mi_res_id"]) {
        if (request.query.get(name)) return imdsError(400, "invalid_request", "Azure Arc supports only the machine's system-assigned identity");
      }
      const api = findResource(services, resource);
      if (!api) return imdsError(400, "invalid_resource", unknownResourceText(services, resource));
      const identity = services.identities.systemAssigned;
      const token = await issueIdentityToken(issueContext(services, request.now), identity, api);
      return { status: 200, body: imdsTokenBody(token, resource, identity.clientId), clientId: identity.clientId };
    },
  };
}
