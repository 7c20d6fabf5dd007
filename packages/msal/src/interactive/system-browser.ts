/**
 * Opening the user's default browser at a URL, with the `open` package. It is imported on first
 * use, so that apps which never sign in interactively never load it.
 *
 * @module
 */
import { MsalError } from "../errors.js";

/**
 * Opens `url` in the system's default browser and resolves once the browser was launched (not when
 * it closes).
 *
 * @throws MsalError `ERR_BROWSER_LAUNCH` when no browser could be started (a server or container
 *   without a desktop, say).
 */
export async function openSystemBrowser(url: string): Promise<void> {
  try {
    const { default: open } = await import("open");
    await open(url);
  } catch (e) {
    throw new MsalError(
      "ERR_BROWSER_LAUNCH",
      "Could not open a web browser for the sign-in. Pass openBrowser to show the sign-in URL another way " +
        "(print it for the user, say), or use the device code flow on machines without a browser.",
      { cause: e },
    );
  }
}
