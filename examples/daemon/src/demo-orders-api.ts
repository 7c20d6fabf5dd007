// The API the daemon calls in the demo. The emulator's own demo API (/api/me) answers for signed-in
// users only, so this small resource server plays the Orders API: it accepts app-only tokens that
// the authority issued for it and that carry the Orders.Read.All app role. It checks them as every
// API must: the signature against the authority's published keys, the issuer, the audience and the
// lifetime (jose's jwtVerify), then the role.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRemoteJWKSet, customFetch, jwtVerify, type FetchImplementation } from "jose";
import { Agent, fetch as undiciFetch } from "undici";

/** Where the API's tokens come from, and who they must be for. */
export interface OrdersApiOptions {
  /** The authority's issuer, e.g. `https://login.microsoftonline.com/{tenant id}/v2.0`. */
  readonly issuer: string;
  /** The authority's JWKS URL (`jwks_uri` of its OpenID configuration). */
  readonly jwksUri: string;
  /** The API's application id: the `aud` of its tokens. */
  readonly audience: string;
  /** The app role a caller needs. */
  readonly role: string;
  /** A CA certificate (PEM) to trust for the JWKS URL besides the system's: the emulator's. */
  readonly ca?: string;
}

/** A running stand-in API. */
export interface OrdersApi {
  /** `http://127.0.0.1:{port}/orders`. */
  readonly url: string;
  close(): Promise<void>;
}

const ORDERS = [
  { id: 1001, item: "Surface Laptop", quantity: 2 },
  { id: 1002, item: "Xbox controller", quantity: 5 },
];

/** Starts the API on a free loopback port. */
export async function startOrdersApi(options: OrdersApiOptions): Promise<OrdersApi> {
  const dispatcher = new Agent(options.ca ? { connect: { ca: options.ca } } : {});
  const fetchKeys = ((url: string, init: object) => undiciFetch(url, { ...init, dispatcher })) as unknown as FetchImplementation;
  const keys = createRemoteJWKSet(new URL(options.jwksUri), { [customFetch]: fetchKeys });

  const server = createServer((req, res) => {
    const refuse = (status: 401 | 403, error: string, description: string): void => {
      res.writeHead(status, {
        "content-type": "application/json",
        "www-authenticate": `Bearer error="${error}", error_description="${description}"`,
      });
      res.end(JSON.stringify({ error, error_description: description }));
    };
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (req.method !== "GET" || new URL(req.url ?? "/", "http://localhost").pathname !== "/orders") {
      res.writeHead(404).end();
    } else if (!token) {
      refuse(401, "invalid_token", "No bearer token");
    } else {
      jwtVerify(token, keys, { issuer: options.issuer, audience: options.audience, algorithms: ["RS256"] }).then(
        ({ payload }) => {
          const roles = Array.isArray(payload.roles) ? payload.roles : [];
          if (!roles.includes(options.role)) {
            refuse(403, "insufficient_scope", `The ${options.role} app role is required`);
            return;
          }
          res.writeHead(200, { "content-type": "application/json" });
          // azpacr says how the caller proved who it is: 1 a secret, 2 a certificate.
          const credential = payload.azpacr === "2" ? "certificate" : payload.azpacr === "1" ? "secret" : "none";
          res.end(JSON.stringify({ caller: payload.azp, caller_credential: credential, roles, orders: ORDERS }));
        },
        // jose's message says what failed (expired, wrong audience …), never the token.
        (err: unknown) => refuse(401, "invalid_token", err instanceof Error ? err.message.replace(/"/g, "'") : "Invalid token"),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await dispatcher.close();
    },
  };
}
