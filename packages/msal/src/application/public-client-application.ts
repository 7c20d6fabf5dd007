/**
 * Public clients: desktop, mobile and command-line apps, which cannot keep a secret.
 *
 * @module
 */
import { invalidArgValue } from "../errors.js";
import { ClientApplication } from "./client-application.js";
import type { ClientApplicationOptions } from "./options.js";

/** An application that runs on the user's device and holds no credential. */
export class PublicClientApplication extends ClientApplication {
  /**
   * @param clientId The app's client (application) id.
   * @param options The common options; a public client takes no `clientCredential`.
   */
  constructor(clientId: string, options?: ClientApplicationOptions) {
    if (options && "clientCredential" in options && (options as { clientCredential?: unknown }).clientCredential !== undefined) {
      throw invalidArgValue("a PublicClientApplication takes no clientCredential; use ConfidentialClientApplication");
    }
    super(clientId, options, false);
  }
}
