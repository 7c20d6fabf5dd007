/**
 * HTTPS to Service Fabric's managed identity endpoint, which presents its own self-signed
 * certificate: the connection is trusted by pinning that certificate's SHA-1 thumbprint
 * (`IDENTITY_SERVER_THUMBPRINT`), not by a CA.
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { Agent, buildConnector, fetch as undiciFetch } from "undici";
import { ManagedIdentityError } from "../errors.js";
import type { HttpClient, HttpRequestInit } from "../http/index.js";
import { toTransportError } from "../http/index.js";

/** The peer's certificate is not the pinned one: raised inside the connector, before any byte of the request is sent. */
class ThumbprintMismatch extends Error {
  override readonly name = "ThumbprintMismatch";
}

/** The SHA-1 thumbprint of a DER certificate: 40 upper-case hex digits, as Windows and Service Fabric print it. */
export function sha1Thumbprint(der: Uint8Array): string {
  return createHash("sha1").update(der).digest("hex").toUpperCase();
}

/** An HTTP client for one pinned thumbprint, with a way to close its connections. */
export type PinnedHttpClient = HttpClient & { close(): Promise<void> };

/**
 * Creates an HTTP client whose TLS connections are accepted only when the server's certificate has
 * the given SHA-1 thumbprint. The chain and the host name are not checked (the certificate is
 * self-signed and names no loopback host), which is why the pin is checked on every connection,
 * with session resumption off so that every connection shows its certificate.
 *
 * Plain http URLs go through unchanged: there is no certificate to pin.
 *
 * @param thumbprint - 40 hexadecimal digits, any case.
 * @returns A fetch-compatible client; its failures are thrown as the default client's are, and a
 *   certificate that does not match as {@link ManagedIdentityError}.
 */
export function createPinnedHttpClient(thumbprint: string): PinnedHttpClient {
  const expected = thumbprint.replace(/[\s:]/g, "").toUpperCase();
  const connect = buildConnector({ rejectUnauthorized: false, maxCachedSessions: 0 });
  const agent = new Agent({
    connect: (options, callback) => {
      connect(options, (err, socket) => {
        if (err !== null) {
          callback(err, null);
          return;
        }
        if (options.protocol === "https:") {
          const raw = (socket as TLSSocket).getPeerCertificate?.()?.raw;
          const actual = raw ? sha1Thumbprint(raw) : "none";
          if (actual !== expected) {
            socket.destroy();
            callback(
              new ThumbprintMismatch(
                `the server at ${options.hostname}:${options.port} presented a certificate with thumbprint ${actual}, ` +
                  `not the ${expected} that IDENTITY_SERVER_THUMBPRINT pins`,
              ),
              null,
            );
            return;
          }
        }
        callback(null, socket);
      });
    },
  });
  const client = async (url: string, init: HttpRequestInit): Promise<Response> => {
    init.signal?.throwIfAborted();
    try {
      const response = await undiciFetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
        dispatcher: agent,
        // The secret header must not follow a redirect anywhere.
        redirect: "manual",
      });
      const body = await response.arrayBuffer();
      return new Response(response.status === 204 || response.status === 304 ? null : body, {
        status: response.status,
        headers: [...response.headers],
      });
    } catch (e) {
      const mismatch = findMismatch(e);
      if (mismatch) {
        throw new ManagedIdentityError(
          `Refused the Service Fabric managed identity endpoint: ${mismatch.message}. ` +
            "Nothing was sent. Check IDENTITY_SERVER_THUMBPRINT, or whether something else listens on that port.",
          { cause: mismatch },
        );
      }
      throw toTransportError(e, url, init.signal);
    }
  };
  return Object.assign(client, { close: () => agent.close() });
}

function findMismatch(e: unknown): ThumbprintMismatch | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 8 && cur instanceof Error; i++) {
    if (cur instanceof ThumbprintMismatch) return cur;
    cur = cur.cause;
  }
  return undefined;
}
