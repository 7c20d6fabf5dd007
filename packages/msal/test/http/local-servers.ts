/**
 * Real servers on 127.0.0.1 for the default HTTP client's tests: an HTTPS server with a
 * self-signed certificate made for the run, and an HTTP CONNECT proxy.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TlsFixture {
  dir: string;
  certPath: string;
  cert: string;
  key: string;
  dispose(): void;
}

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl in a temporary folder. */
export function makeSelfSignedCertificate(): TlsFixture {
  const dir = mkdtempSync(join(tmpdir(), "msal-ts-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return {
    dir,
    certPath,
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface LocalServer {
  origin: string;
  port: number;
  /** How many TCP connections the server accepted. */
  connections(): number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** An HTTPS server on 127.0.0.1, port 0. */
export async function startHttpsServer(tls: TlsFixture, handler: Handler): Promise<LocalServer> {
  let connections = 0;
  const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => handler(req, body, res));
  });
  server.on("secureConnection", () => connections++);
  // A client that refuses the certificate fails the handshake; nothing to report, just hang up.
  server.on("tlsClientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ConnectProxy extends LocalServer {
  /** The targets of the CONNECT requests seen, e.g. `127.0.0.1:4433`. */
  tunnels: string[];
  /** The Proxy-Authorization headers seen. */
  authorizations: (string | undefined)[];
}

/** An HTTP proxy on 127.0.0.1 that only tunnels (CONNECT), as corporate proxies do for https. */
export async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => {
    res.writeHead(405).end("only CONNECT");
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? "");
    authorizations.push(req.headers["proxy-authorization"]);
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on("error", end);
    client.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    authorizations,
    connections: () => tunnels.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
