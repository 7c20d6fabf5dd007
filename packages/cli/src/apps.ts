/**
 * The applications a command talks to the authority through, configured from the global options.
 *
 * @module
 */
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfidentialClientApplication, PublicClientApplication } from "@msal-ts/msal";
import type { ClientApplicationOptions, ClientCredential, TokenCache } from "@msal-ts/msal";
import { UsageError } from "./errors.js";
import { confidentialClientId, publicClientId } from "./options.js";
import type { Settings } from "./options.js";
import { VERSION } from "./version.js";

function commonOptions(settings: Settings, cache: TokenCache): ClientApplicationOptions {
  return {
    authority: settings.authority,
    tokenCache: cache,
    appName: "msal-ts",
    appVersion: VERSION,
    ...(settings.caFile === undefined ? {} : { verify: settings.caFile }),
    ...(settings.instanceDiscovery === undefined ? {} : { instanceDiscovery: settings.instanceDiscovery }),
  };
}

/** The public client app that signs users in, over the persistent cache. */
export function publicApp(settings: Settings, cache: TokenCache): PublicClientApplication {
  return new PublicClientApplication(publicClientId(settings), commonOptions(settings, cache));
}

/** How the app authenticates itself: the values of `--client-secret` and the `--certificate` options. */
export interface AppCredentialValues {
  readonly "client-secret"?: string | undefined;
  readonly certificate?: string | undefined;
  readonly "certificate-thumbprint"?: string | undefined;
  readonly "certificate-passphrase"?: string | undefined;
}

/** True when any of the values is given: the command is for an app, not a user. */
export function hasAppCredential(values: AppCredentialValues): boolean {
  return (
    values["client-secret"] !== undefined ||
    values.certificate !== undefined ||
    values["certificate-thumbprint"] !== undefined ||
    values["certificate-passphrase"] !== undefined
  );
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * The credential from a certificate file: PEM (private key and certificate) or PKCS#12 (.pfx).
 * A PEM without `--certificate-thumbprint` is named by its certificate's SHA-256 thumbprint.
 */
function certificateCredential(values: AppCredentialValues, command: string): ClientCredential {
  const file = values.certificate ?? "";
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UsageError(`cannot read --certificate ${file}: ${typeof code === "string" ? code : String(err)}`, command);
  }
  const passphrase = values["certificate-passphrase"];
  const text = bytes.toString("utf8");
  if (!text.includes("-----BEGIN")) {
    return { privateKeyPfx: bytes, ...(passphrase === undefined ? {} : { passphrase }) };
  }
  if (!/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(text)) {
    throw new UsageError(`--certificate ${file} holds no private key: give a PEM with the key and the certificate, or a .pfx`, command);
  }
  const common = { privateKey: text, ...(passphrase === undefined ? {} : { passphrase }) };
  const thumbprint = values["certificate-thumbprint"]?.replace(/[\s:]/g, "");
  if (thumbprint !== undefined) {
    if (/^[0-9a-f]{40}$/i.test(thumbprint)) return { ...common, thumbprint };
    if (/^[0-9a-f]{64}$/i.test(thumbprint)) return { ...common, thumbprintSha256: thumbprint };
    throw new UsageError("--certificate-thumbprint must be a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint", command);
  }
  const pem = PEM_CERTIFICATE.exec(text)?.[0];
  if (pem === undefined) {
    throw new UsageError(`--certificate ${file} holds no certificate: add it to the PEM, or give --certificate-thumbprint`, command);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new UsageError(`--certificate ${file} holds a certificate that cannot be read`, command);
  }
  return { ...common, thumbprintSha256: certificate.fingerprint256.replace(/:/g, "") };
}

/** The confidential client app that authenticates as itself (client credentials). */
export function confidentialApp(
  settings: Settings,
  cache: TokenCache,
  values: AppCredentialValues,
): ConfidentialClientApplication {
  const secret = values["client-secret"];
  if (secret !== undefined && values.certificate !== undefined) {
    throw new UsageError("give --client-secret or --certificate, not both", settings.command);
  }
  if (values.certificate === undefined && (values["certificate-thumbprint"] ?? values["certificate-passphrase"]) !== undefined) {
    throw new UsageError("--certificate-thumbprint and --certificate-passphrase go with --certificate", settings.command);
  }
  if (secret === "") throw new UsageError("--client-secret is empty", settings.command);
  const clientId = confidentialClientId(settings);
  const clientCredential = secret ?? certificateCredential(values, settings.command);
  return new ConfidentialClientApplication(clientId, { ...commonOptions(settings, cache), clientCredential });
}
