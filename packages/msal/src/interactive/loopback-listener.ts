/**
 * The loopback listener of a native app's sign-in (RFC 8252 §7.3): a one-shot HTTP server on
 * 127.0.0.1 that receives the authority's redirect to `http://localhost:{port}`, answers the
 * browser with a page, and closes.
 *
 * Only the redirect that carries the sign-in's own `state` is taken. Anything else — a favicon
 * request, a stray tab, a forged request from another page — is answered with an error page and
 * otherwise ignored, so it can neither end the wait nor be mistaken for the response.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { BrowserInteractionTimeoutError, MsalError, invalidArgType, invalidArgValue } from "../errors.js";
import { DEFAULT_FAILURE_TEMPLATE, DEFAULT_SUCCESS_PAGE, ignoredRequestPage, renderFailurePage } from "./pages.js";

/** The address the listener binds: the IPv4 loopback, reachable from this machine only. */
const LOOPBACK_ADDRESS = "127.0.0.1";

/** The longest timeout a timer can honour (2³¹ − 1 ms), in whole seconds. */
const MAX_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);

/** Options of {@link startLoopbackListener}. */
export interface LoopbackListenerOptions {
  /**
   * The port to listen on. `0` (the default) lets the system pick a free one; the redirect URI
   * names whichever port was bound.
   */
  readonly port?: number | undefined;
  /** The redirect URI's path, which is the only one answered. Default `/`. */
  readonly path?: string | undefined;
  /**
   * The HTML page shown after a successful sign-in, sent as written (it is not given any value of
   * the response). By default a short "Authentication complete" page.
   */
  readonly successTemplate?: string | undefined;
  /**
   * The HTML page shown when the authority redirected with an error. `{error}` and
   * `{error_description}` in it are replaced by the values, HTML-escaped.
   */
  readonly failureTemplate?: string | undefined;
  /**
   * Told, in a few words, why a request was turned away (never with its query, which may hold a
   * code). For diagnostics.
   */
  readonly onIgnoredRequest?: ((reason: string) => void) | undefined;
}

/** Options of {@link LoopbackListener.waitForResponse}. */
export interface WaitForResponseOptions {
  /** Seconds to wait before giving up with `BrowserInteractionTimeoutError`; default no limit. */
  readonly timeout?: number | undefined;
  /** Stops the wait: the listener closes and the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** A running loopback listener. */
export interface LoopbackListener {
  /** The port bound. */
  readonly port: number;
  /** `http://localhost:{port}` plus the path: the redirect URI to put on the authorize request. */
  readonly redirectUri: string;
  /**
   * Waits for the redirect that carries `state` and a `code` or an `error`, answers it with the
   * success or failure page, closes the listener, and resolves to the redirect's query fields.
   * Can be called once.
   *
   * @throws BrowserInteractionTimeoutError when `timeout` seconds pass first (the listener is
   *   closed); the signal's reason when it aborts; `MsalError` `ERR_ABORTED` when
   *   {@link LoopbackListener.close} is called first.
   */
  waitForResponse(state: string, options?: WaitForResponseOptions): Promise<Record<string, string>>;
  /** Stops listening and drops every connection; a pending wait rejects. Safe to call again. */
  close(): Promise<void>;
}

function checkPort(port: unknown): number {
  if (port === undefined) return 0;
  if (typeof port !== "number") throw invalidArgType("port must be a number");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalidArgValue(`port must be a whole number from 0 (any free port) to 65535; got ${port}`);
  }
  return port;
}

function checkOptionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidArgType(`${name} must be a string`);
  return value;
}

/** Checks a wait's timeout in seconds; `undefined` means no limit. */
export function checkTimeout(timeout: unknown): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== "number") throw invalidArgType("timeout must be a number of seconds");
  if (!(timeout > 0) || timeout > MAX_TIMEOUT_SECONDS) {
    throw invalidArgValue(`timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}; got ${timeout}`);
  }
  return timeout;
}

function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Headers of every page: never cached, never leaking the redirect's URL (and its code) onwards. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

/** The built-in pages load nothing and run nothing. */
const DEFAULT_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'";

interface Waiter {
  readonly state: string;
  resolve(fields: Record<string, string>): void;
  reject(reason: unknown): void;
}

/**
 * Starts a loopback listener on 127.0.0.1.
 *
 * @param options The port (default: any free one), the path, the pages.
 * @returns The listener: put its `redirectUri` on the authorize request, then call
 *   `waitForResponse` with the request's `state`.
 * @throws MsalError `ERR_LOOPBACK_PORT_IN_USE` when the port is taken; TypeError
 *   (`ERR_INVALID_ARG_TYPE`/`ERR_INVALID_ARG_VALUE`) for a bad option.
 */
export async function startLoopbackListener(options: LoopbackListenerOptions = {}): Promise<LoopbackListener> {
  if (typeof options !== "object" || options === null) throw invalidArgType("options must be an object");
  const port = checkPort(options.port);
  const path = checkOptionalString(options.path, "path") ?? "/";
  if (!path.startsWith("/") || path.includes("?") || path.includes("#")) {
    throw invalidArgValue(`path must be a URL path starting with "/", without query or fragment; got ${JSON.stringify(path)}`);
  }
  const successPage = checkOptionalString(options.successTemplate, "successTemplate");
  const failureTemplate = checkOptionalString(options.failureTemplate, "failureTemplate");
  const onIgnored = options.onIgnoredRequest;
  if (onIgnored !== undefined && typeof onIgnored !== "function") throw invalidArgType("onIgnoredRequest must be a function");

  let waiter: Waiter | undefined;
  let waited = false;
  let finished = false;
  let closing: Promise<void> | undefined;
  let stopWaiting: () => void = () => {};

  const server = createServer((req, res) => handle(req, res));
  // A failure after listening (rare) must not crash the app; the wait's timeout or signal ends it.
  server.on("error", () => {});

  function closeServer(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  /** Ends the wait, if one is pending, and closes the listener; then settles with `settle`. */
  function finish(settle: (w: Waiter) => void): void {
    const w = waiter;
    waiter = undefined;
    finished = true;
    stopWaiting();
    void closeServer().then(() => {
      if (w) settle(w);
    });
  }

  function ignore(res: ServerResponse, status: number, title: string, reason: string): void {
    res.writeHead(status, { ...PAGE_HEADERS, "Content-Security-Policy": DEFAULT_PAGE_CSP });
    res.end(ignoredRequestPage(title, reason));
    onIgnored?.(reason);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (finished) {
      ignore(res, 410, "Sign-in finished", "This sign-in is over; you can close this window.");
      return;
    }
    if (req.method !== "GET") {
      res.setHeader("Allow", "GET");
      ignore(res, 405, "Not allowed", `The sign-in redirect is a GET request; this was ${req.method ?? "another method"}.`);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      ignore(res, 400, "Bad request", "The request's URL could not be read.");
      return;
    }
    if (url.pathname !== path) {
      ignore(res, 404, "Not found", "Only the sign-in redirect is answered here.");
      return;
    }
    const fields: Record<string, string> = {};
    for (const [name, value] of url.searchParams) {
      if (Object.hasOwn(fields, name)) {
        ignore(res, 400, "Not a sign-in response", `The request has ${name} more than once; a sign-in response has each field once.`);
        return;
      }
      fields[name] = value;
    }
    const w = waiter;
    if (!w) {
      ignore(res, 400, "Not a sign-in response", "No sign-in is waiting for a response yet.");
      return;
    }
    const state = fields["state"];
    if (state === undefined || !sameState(state, w.state)) {
      ignore(res, 400, "Not a sign-in response", "The request does not carry this sign-in's state, so it was not accepted.");
      return;
    }
    const code = fields["code"];
    const error = fields["error"];
    if (!code && !error) {
      ignore(res, 400, "Not a sign-in response", "The request has neither a code nor an error.");
      return;
    }

    // The one response of this sign-in: answer it, close, and only then hand it over.
    waiter = undefined;
    finished = true;
    stopWaiting();
    const custom = code ? successPage : failureTemplate;
    const page = code
      ? (successPage ?? DEFAULT_SUCCESS_PAGE)
      : renderFailurePage(failureTemplate ?? DEFAULT_FAILURE_TEMPLATE, { error: error ?? "", error_description: fields["error_description"] });
    res.writeHead(200, {
      ...PAGE_HEADERS,
      ...(custom === undefined ? { "Content-Security-Policy": DEFAULT_PAGE_CSP } : {}),
      Connection: "close",
    });
    res.once("close", () => {
      void closeServer().then(() => w.resolve(fields));
    });
    res.end(page);
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off("listening", onListening);
      if (e.code === "EADDRINUSE") {
        reject(
          new MsalError(
            "ERR_LOOPBACK_PORT_IN_USE",
            `Port ${port} on ${LOOPBACK_ADDRESS} is already in use, so the sign-in cannot come back to http://localhost:${port}. ` +
              "Stop what uses it, choose another port, or leave port out to let the system pick a free one.",
            { cause: e },
          ),
        );
      } else {
        reject(e);
      }
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ port, host: LOOPBACK_ADDRESS, exclusive: true });
  });

  const bound = (server.address() as AddressInfo).port;
  const redirectUri = `http://localhost:${bound}${path === "/" ? "" : path}`;

  return {
    port: bound,
    redirectUri,
    waitForResponse(state: string, waitOptions: WaitForResponseOptions = {}): Promise<Record<string, string>> {
      if (typeof state !== "string" || state === "") return Promise.reject(invalidArgType("state must be a non-empty string"));
      if (typeof waitOptions !== "object" || waitOptions === null) return Promise.reject(invalidArgType("options must be an object"));
      let timeout: number | undefined;
      try {
        timeout = checkTimeout(waitOptions.timeout);
      } catch (e) {
        return Promise.reject(e);
      }
      const signal = waitOptions.signal;
      if (waited) return Promise.reject(invalidArgValue("waitForResponse was already called: a listener receives one sign-in"));
      waited = true;
      if (finished) {
        return Promise.reject(new MsalError("ERR_ABORTED", "The loopback listener was closed before the sign-in came back."));
      }
      return new Promise<Record<string, string>>((resolve, reject) => {
        waiter = { state, resolve, reject };
        if (signal?.aborted) {
          finish((w) => w.reject(signal.reason));
          return;
        }
        const onAbort = (): void => finish((w) => w.reject(signal?.reason));
        signal?.addEventListener("abort", onAbort, { once: true });
        const timer =
          timeout === undefined
            ? undefined
            : setTimeout(
                () =>
                  finish((w) =>
                    w.reject(
                      new BrowserInteractionTimeoutError(
                        `No sign-in came back to ${redirectUri} within ${timeout} seconds. ` +
                          "Sign in sooner, allow more time with the timeout option, or use the device code flow where no browser can reach this machine.",
                      ),
                    ),
                  ),
                timeout * 1000,
              );
        stopWaiting = () => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        };
      });
    },
    close(): Promise<void> {
      if (!finished) {
        finish((w) => w.reject(new MsalError("ERR_ABORTED", "The loopback listener was closed before the sign-in came back.")));
      }
      return closeServer();
    },
  };
}
