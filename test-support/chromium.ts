// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core,
// trusting the emulator's CA the way a Linux user would — through an NSS database in the profile's
// home — so TLS is verified as usual and no certificate error is ignored.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A running headless browser that trusts one extra CA. */
export interface TrustingBrowser {
  readonly browser: Browser;
  /** A fresh context (cookies and storage of its own). */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a private home whose NSS database trusts `caCertificate` (PEM)
 * for TLS servers. Needs `certutil` (Debian's libnss3-tools).
 */
export async function launchChromiumTrusting(caCertificate: string): Promise<TrustingBrowser> {
  const home = mkdtempSync(join(tmpdir(), "msal-ts-chromium-"));
  const nssdb = join(home, ".pki", "nssdb");
  mkdirSync(nssdb, { recursive: true });
  const caFile = join(home, "ca.pem");
  writeFileSync(caFile, caCertificate);
  execFileSync("certutil", ["-N", "-d", `sql:${nssdb}`, "--empty-password"], { stdio: "ignore" });
  execFileSync("certutil", ["-A", "-d", `sql:${nssdb}`, "-n", "msal-ts emulator CA", "-t", "C,,", "-i", caFile], { stdio: "ignore" });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    newContext: () => browser.newContext(),
    close: async () => {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
