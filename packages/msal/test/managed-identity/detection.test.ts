// Source detection: table-driven over environments, in MSAL's order (client-behavior §6.2,
// authority-wire-format §4.1).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManagedIdentityError, ManagedIdentitySource, getManagedIdentitySource } from "../../src/index.js";
import { locateSource, type HostProbe } from "../../src/managed-identity/index.js";

const THUMBPRINT = "0123456789ABCDEF0123456789ABCDEF01234567";
const noAgent: HostProbe = { platform: "linux", exists: () => false };
const linuxAgent: HostProbe = { platform: "linux", exists: (p) => p === "/opt/azcmagent/bin/himds" };
const olderLinuxAgent: HostProbe = { platform: "linux", exists: (p) => p === "/var/opt/azcmagent/bin/himds" };
const windowsAgent: HostProbe = {
  platform: "win32",
  exists: (p) => p.replaceAll("\\", "/") === "C:/Program Files/AzureConnectedMachineAgent/himds.exe",
};

interface Row {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly probe?: HostProbe;
  readonly source: string;
  readonly endpoint: string;
}

const rows: Row[] = [
  {
    name: "Service Fabric needs all three IDENTITY_* variables",
    env: { IDENTITY_ENDPOINT: "https://localhost:2377/metadata/identity/oauth2/token", IDENTITY_HEADER: "h", IDENTITY_SERVER_THUMBPRINT: THUMBPRINT },
    source: "service-fabric",
    endpoint: "https://localhost:2377/metadata/identity/oauth2/token",
  },
  {
    name: "Service Fabric wins over everything else",
    env: {
      IDENTITY_ENDPOINT: "https://localhost:2377/t", IDENTITY_HEADER: "h", IDENTITY_SERVER_THUMBPRINT: THUMBPRINT,
      MSI_ENDPOINT: "http://127.0.0.1:1/ml", MSI_SECRET: "s", IMDS_ENDPOINT: "http://127.0.0.1:2", MSAL_MANAGED_IDENTITY_ENDPOINT: "http://x/t",
    },
    probe: linuxAgent,
    source: "service-fabric",
    endpoint: "https://localhost:2377/t",
  },
  {
    name: "App Service: IDENTITY_ENDPOINT and IDENTITY_HEADER",
    env: { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token/", IDENTITY_HEADER: "h" },
    source: "app-service",
    endpoint: "http://127.0.0.1:41741/msi/token/",
  },
  {
    name: "App Service wins over Azure ML, Arc and IMDS",
    env: { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token", IDENTITY_HEADER: "h", MSI_ENDPOINT: "http://a/b", MSI_SECRET: "s", IMDS_ENDPOINT: "http://c" },
    probe: linuxAgent,
    source: "app-service",
    endpoint: "http://127.0.0.1:41741/msi/token",
  },
  {
    name: "an empty thumbprint counts as unset: App Service, not Service Fabric",
    env: { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token", IDENTITY_HEADER: "h", IDENTITY_SERVER_THUMBPRINT: "" },
    source: "app-service",
    endpoint: "http://127.0.0.1:41741/msi/token",
  },
  {
    name: "Azure ML: MSI_ENDPOINT and MSI_SECRET",
    env: { MSI_ENDPOINT: "http://127.0.0.1:46808/msi/auth", MSI_SECRET: "s" },
    source: "azure-ml",
    endpoint: "http://127.0.0.1:46808/msi/auth",
  },
  {
    name: "Azure ML wins over Arc",
    env: { MSI_ENDPOINT: "http://127.0.0.1:46808/msi/auth", MSI_SECRET: "s", IDENTITY_ENDPOINT: "http://localhost:40342/t", IMDS_ENDPOINT: "http://localhost:40342" },
    source: "azure-ml",
    endpoint: "http://127.0.0.1:46808/msi/auth",
  },
  {
    name: "Arc: IDENTITY_ENDPOINT and IMDS_ENDPOINT",
    env: { IDENTITY_ENDPOINT: "http://localhost:40342/metadata/identity/oauth2/token", IMDS_ENDPOINT: "http://localhost:40342" },
    source: "azure-arc",
    endpoint: "http://localhost:40342/metadata/identity/oauth2/token",
  },
  {
    name: "Arc: the agent installed on Linux",
    env: {},
    probe: linuxAgent,
    source: "azure-arc",
    endpoint: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
  },
  {
    name: "Arc: the agent where MSAL Python 1.31 looked for it",
    env: {},
    probe: olderLinuxAgent,
    source: "azure-arc",
    endpoint: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
  },
  {
    name: "Arc: the agent installed on Windows",
    env: { ProgramFiles: "C:\\Program Files" },
    probe: windowsAgent,
    source: "azure-arc",
    endpoint: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
  },
  {
    name: "Arc wins over Cloud Shell",
    env: { MSI_ENDPOINT: "http://localhost:50342/oauth2/token" },
    probe: linuxAgent,
    source: "azure-arc",
    endpoint: "http://127.0.0.1:40342/metadata/identity/oauth2/token",
  },
  {
    name: "Cloud Shell: MSI_ENDPOINT without MSI_SECRET",
    env: { MSI_ENDPOINT: "http://localhost:50342/oauth2/token" },
    source: "cloud-shell",
    endpoint: "http://localhost:50342/oauth2/token",
  },
  {
    name: "Cloud Shell: AZUREPS_HOST_ENVIRONMENT alone, at its fixed endpoint",
    env: { AZUREPS_HOST_ENVIRONMENT: "cloud-shell/1.0" },
    source: "cloud-shell",
    endpoint: "http://localhost:50342/oauth2/token",
  },
  {
    name: "IDENTITY_ENDPOINT alone is no source: IMDS",
    env: { IDENTITY_ENDPOINT: "http://127.0.0.1:41741/msi/token" },
    source: "imds",
    endpoint: "http://169.254.169.254/metadata/identity/oauth2/token",
  },
  {
    name: "IMDS elsewhere: MSAL_MANAGED_IDENTITY_ENDPOINT",
    env: { MSAL_MANAGED_IDENTITY_ENDPOINT: "http://127.0.0.1:8080/custom/token" },
    source: "imds",
    endpoint: "http://127.0.0.1:8080/custom/token",
  },
  {
    name: "IMDS elsewhere: AZURE_POD_IDENTITY_AUTHORITY_HOST (msal-node's variable)",
    env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://10.0.0.1:2579/" },
    source: "imds",
    endpoint: "http://10.0.0.1:2579/metadata/identity/oauth2/token",
  },
  {
    name: "MSAL_MANAGED_IDENTITY_ENDPOINT wins over AZURE_POD_IDENTITY_AUTHORITY_HOST",
    env: { MSAL_MANAGED_IDENTITY_ENDPOINT: "http://127.0.0.1:8080/t", AZURE_POD_IDENTITY_AUTHORITY_HOST: "http://10.0.0.1:2579" },
    source: "imds",
    endpoint: "http://127.0.0.1:8080/t",
  },
  {
    name: "nothing at all: IMDS at 169.254.169.254",
    env: {},
    source: "imds",
    endpoint: "http://169.254.169.254/metadata/identity/oauth2/token",
  },
];

describe("locateSource", () => {
  for (const row of rows) {
    test(row.name, () => {
      const found = locateSource(row.env, row.probe ?? noAgent);
      assert.equal(found.source, row.source);
      assert.equal(found.endpoint.href, row.endpoint);
    });
  }

  test("carries the secrets and the normalized thumbprint", () => {
    const fabric = locateSource(
      { IDENTITY_ENDPOINT: "https://localhost:2377/t", IDENTITY_HEADER: "fabric-secret", IDENTITY_SERVER_THUMBPRINT: "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67" },
      noAgent,
    );
    assert.ok(fabric.source === "service-fabric");
    assert.equal(fabric.secret, "fabric-secret");
    assert.equal(fabric.thumbprint, THUMBPRINT);
    const app = locateSource({ IDENTITY_ENDPOINT: "http://127.0.0.1:1/t", IDENTITY_HEADER: "app-secret" }, noAgent);
    assert.ok(app.source === "app-service");
    assert.equal(app.secret, "app-secret");
  });

  const malformed: Array<[string, Record<string, string>, RegExp]> = [
    ["a relative IDENTITY_ENDPOINT", { IDENTITY_ENDPOINT: "/msi/token", IDENTITY_HEADER: "h" }, /IDENTITY_ENDPOINT is not an absolute URL/],
    ["a file: MSI_ENDPOINT", { MSI_ENDPOINT: "file:///etc/passwd", MSI_SECRET: "s" }, /MSI_ENDPOINT must be an http:\/\/ or https:\/\/ URL/],
    ["a short thumbprint", { IDENTITY_ENDPOINT: "https://l/t", IDENTITY_HEADER: "h", IDENTITY_SERVER_THUMBPRINT: "ABCD" }, /40 hexadecimal digits/],
    ["a SHA-256 thumbprint", { IDENTITY_ENDPOINT: "https://l/t", IDENTITY_HEADER: "h", IDENTITY_SERVER_THUMBPRINT: "A".repeat(64) }, /40 hexadecimal digits/],
    ["a bad MSAL_MANAGED_IDENTITY_ENDPOINT", { MSAL_MANAGED_IDENTITY_ENDPOINT: "not a url" }, /MSAL_MANAGED_IDENTITY_ENDPOINT is not an absolute URL/],
  ];
  for (const [name, env, message] of malformed) {
    test(`${name} is a ManagedIdentityError`, () => {
      assert.throws(() => locateSource(env, noAgent), (e: unknown) => e instanceof ManagedIdentityError && message.test(e.message));
    });
  }
});

describe("getManagedIdentitySource", () => {
  test("reads the given environment, not process.env", () => {
    assert.equal(
      getManagedIdentitySource({ environment: { IDENTITY_ENDPOINT: "http://127.0.0.1:1/t", IDENTITY_HEADER: "h" } }),
      ManagedIdentitySource.APP_SERVICE,
    );
    assert.equal(getManagedIdentitySource({ environment: { MSI_ENDPOINT: "http://127.0.0.1:1/t" } }), ManagedIdentitySource.CLOUD_SHELL);
  });

  test("the constants are the sources' names", () => {
    assert.deepEqual(Object.values(ManagedIdentitySource).sort(), [
      "app-service", "azure-arc", "azure-ml", "cloud-shell", "imds", "service-fabric",
    ]);
  });
});
