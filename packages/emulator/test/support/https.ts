import type { IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { PeerCertificate, TLSSocket } from "node:tls";

/** A response read to the end. */
export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  readonly peerCertificate: PeerCertificate | undefined;
  json<T = Record<string, unknown>>(): T;
}

/** Options for {@link call}. */
export interface CallOptions {
  readonly method?: string;
  /** Sent as application/x-www-form-urlencoded. */
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** CA to trust; `null` trusts only the system store. */
  readonly ca?: string | null;
  /** Connect here instead of the URL's host (the URL's host is still sent as Host and SNI). */
  readonly connectTo?: string;
}

/** Makes one HTTPS request with node:https, trusting only the given CA. */
export function call(url: string, options: CallOptions = {}): Promise<TestResponse> {
  const target = new URL(url);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) {
    headers["content-type"] ??= "application/x-www-form-urlencoded";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: options.connectTo ?? target.hostname.replace(/^\[|\]$/g, ""),
        port: target.port,
        path: target.pathname + target.search,
        method: options.method ?? (body === undefined ? "GET" : "POST"),
        headers: { host: target.host, ...headers },
        // SNI carries names only (RFC 6066).
        ...(isIP(target.hostname.replace(/^\[|\]$/g, "")) ? {} : { servername: target.hostname }),
        agent: false,
        ...(options.ca === null ? {} : { ca: options.ca }),
      },
      (res) => {
        const peerCertificate = (res.socket as TLSSocket).getPeerCertificate?.();
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            peerCertificate,
            json<T>() {
              return JSON.parse(text) as T;
            },
          });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
