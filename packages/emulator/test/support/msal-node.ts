import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { fetch } from "undici";
import type { Agent } from "undici";

/**
 * msal-node's transport over undici with the given dispatcher (trusting the emulator's CA: msal-node 7
 * has no CA option of its own). Request bodies are appended to `sentBodies` when given.
 */
export function msalNodeNetwork(dispatcher: Agent, sentBodies?: string[]): INetworkModule {
  const send = async <T>(url: string, method: "GET" | "POST", options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    if (options?.body) sentBodies?.push(options.body);
    const res = await fetch(url, { method, headers: options?.headers ?? {}, body: options?.body ?? null, dispatcher });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: (await res.json()) as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, "GET", options),
    sendPostRequestAsync: (url, options) => send(url, "POST", options),
  };
}
