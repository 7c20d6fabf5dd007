/**
 * Interactive sign-in's local half: the loopback listener that receives the authority's redirect,
 * and launching the system browser.
 *
 * @module
 */
export { checkTimeout, startLoopbackListener } from "./loopback-listener.js";
export type { LoopbackListener, LoopbackListenerOptions, WaitForResponseOptions } from "./loopback-listener.js";
export { openSystemBrowser } from "./system-browser.js";
export { DEFAULT_FAILURE_TEMPLATE, DEFAULT_SUCCESS_PAGE, escapeHtml, renderFailurePage } from "./pages.js";
export type { FailureDetails } from "./pages.js";
