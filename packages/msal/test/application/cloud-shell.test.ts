// Cloud Shell's pure parts: which resources scopes ask for, how the environment is read, and the
// account made up for a Cloud Shell token.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UnsecuredJWT } from "jose";
import {
  CLOUD_SHELL_TOKEN_ENDPOINT,
  cloudShellEndpoint,
  cloudShellResource,
  isRunningInCloudShell,
  scopeToCloudShellResource,
  synthesizeCloudShellAccount,
} from "../../src/application/cloud-shell.js";
import { ManagedIdentityError } from "../../src/index.js";

const resources: { scope: string; want: string }[] = [
  { scope: "https://graph.microsoft.com/User.Read", want: "https://graph.microsoft.com" },
  { scope: "https://graph.microsoft.com/.default", want: "https://graph.microsoft.com" },
  { scope: "https://management.azure.com//.default", want: "https://management.azure.com" },
  { scope: "https://management.core.windows.net/", want: "https://management.core.windows.net" },
  { scope: "https://vault.azure.net", want: "https://vault.azure.net" },
  { scope: "https://myapp.contoso.com:8443/api/read", want: "https://myapp.contoso.com:8443" },
  { scope: "HTTPS://Graph.Microsoft.com/User.Read", want: "https://Graph.Microsoft.com" },
  { scope: "https://graph.microsoft.com?x=1", want: "https://graph.microsoft.com" },
  { scope: "api://orders/Orders.Read", want: "api://orders" },
  { scope: "api://0a0d3e45-0000-4b5c-9d00-0000000000a1/.default", want: "api://0a0d3e45-0000-4b5c-9d00-0000000000a1" },
  // Audiences Cloud Shell takes as they are.
  { scope: "https://analysis.windows.net/powerbi/api", want: "https://analysis.windows.net/powerbi/api" },
  { scope: "https://analysis.windows.net/powerbi/api/.default", want: "https://analysis.windows.net/powerbi/api" },
  { scope: "https://analysis.windows.net/powerbi/api/Dataset.Read.All", want: "https://analysis.windows.net/powerbi/api" },
  { scope: "https://pas.windows.net/CheckMyAccess/Linux/.default", want: "https://pas.windows.net/CheckMyAccess/Linux/.default" },
  // Other paths of those hosts are ordinary resources.
  { scope: "https://analysis.windows.net/other/.default", want: "https://analysis.windows.net" },
  { scope: "https://pas.windows.net/CheckMyAccess/Windows/.default", want: "https://pas.windows.net" },
  // No scheme: nothing to derive, so the scope goes as it is.
  { scope: "User.Read", want: "User.Read" },
  { scope: "00000003-0000-0000-c000-000000000000/User.Read", want: "00000003-0000-0000-c000-000000000000/User.Read" },
  // A scheme without an authority keeps MSAL Python's reading (scheme and an empty authority).
  { scope: "urn:contoso:api", want: "urn://" },
];

for (const { scope, want } of resources) {
  test(`scopeToCloudShellResource(${JSON.stringify(scope)}) is ${JSON.stringify(want)}`, () => {
    assert.equal(scopeToCloudShellResource(scope), want);
  });
}

test("cloudShellResource joins the resources with spaces, each once, in the scopes' order", () => {
  assert.equal(cloudShellResource(["https://graph.microsoft.com/User.Read"]), "https://graph.microsoft.com");
  assert.equal(
    cloudShellResource(["https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/Mail.Read", "api://orders/Orders.Read"]),
    "https://graph.microsoft.com api://orders",
  );
  assert.equal(
    cloudShellResource(["https://management.azure.com//.default", "https://analysis.windows.net/powerbi/api/.default"]),
    "https://management.azure.com https://analysis.windows.net/powerbi/api",
  );
});

test("isRunningInCloudShell: AZUREPS_HOST_ENVIRONMENT starting with cloud-shell", () => {
  assert.equal(isRunningInCloudShell({ AZUREPS_HOST_ENVIRONMENT: "cloud-shell/1.0" }), true);
  assert.equal(isRunningInCloudShell({ AZUREPS_HOST_ENVIRONMENT: "cloud-shell" }), true);
  assert.equal(isRunningInCloudShell({ AZUREPS_HOST_ENVIRONMENT: "Cloud-Shell/1.0" }), true);
  assert.equal(isRunningInCloudShell({ AZUREPS_HOST_ENVIRONMENT: "vscode-azure/1.0" }), false);
  assert.equal(isRunningInCloudShell({ AZUREPS_HOST_ENVIRONMENT: "" }), false);
  // MSI_ENDPOINT alone is a managed identity variable, not a Cloud Shell session.
  assert.equal(isRunningInCloudShell({ MSI_ENDPOINT: "http://localhost:50342/oauth2/token" }), false);
  assert.equal(isRunningInCloudShell({}), false);
});

test("cloudShellEndpoint: localhost:50342 unless MSI_ENDPOINT names another endpoint on this machine", () => {
  assert.equal(cloudShellEndpoint({}), CLOUD_SHELL_TOKEN_ENDPOINT);
  assert.equal(CLOUD_SHELL_TOKEN_ENDPOINT, "http://localhost:50342/oauth2/token");
  assert.equal(cloudShellEndpoint({ MSI_ENDPOINT: "  " }), CLOUD_SHELL_TOKEN_ENDPOINT);
  assert.equal(cloudShellEndpoint({ MSI_ENDPOINT: "http://127.0.0.1:41234/cloud-shell/oauth2/token" }), "http://127.0.0.1:41234/cloud-shell/oauth2/token");
  assert.equal(cloudShellEndpoint({ MSI_ENDPOINT: "http://[::1]:50342/oauth2/token" }), "http://[::1]:50342/oauth2/token");
  assert.equal(cloudShellEndpoint({ MSI_ENDPOINT: "https://localhost:50342/oauth2/token" }), "https://localhost:50342/oauth2/token");
  for (const bad of ["http://cloudshell.example/oauth2/token", "https://10.0.0.4/oauth2/token", "http://127.0.0.1.example/x", "ftp://localhost/x", "not a url"]) {
    assert.throws(() => cloudShellEndpoint({ MSI_ENDPOINT: bad }), (e: unknown) => {
      assert.ok(e instanceof ManagedIdentityError, String(e));
      assert.match(e.message, /MSI_ENDPOINT/);
      return true;
    });
  }
});

const CLIENT = "d4e1c0de-0000-4a11-8c11-000000000003";
const decodeClientInfo = (raw: string): unknown => JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));

test("synthesizeCloudShellAccount: client_info from oid and tid, claims from the access token (v2: preferred_username)", () => {
  const at = new UnsecuredJWT({ oid: "oid-1", tid: "tid-1", sub: "sub-1", preferred_username: "adele@contoso.com", unique_name: "other@contoso.com" })
    .setIssuer("https://login.example/tid-1/v2.0")
    .setIssuedAt(1_000)
    .setExpirationTime(5_000)
    .encode();
  const made = synthesizeCloudShellAccount(at, CLIENT, 2_000);
  assert.deepEqual(decodeClientInfo(made.client_info), { uid: "oid-1", utid: "tid-1" });
  assert.deepEqual(made.id_token_claims, {
    iss: "https://login.example/tid-1/v2.0",
    sub: "sub-1",
    aud: CLIENT,
    exp: 5_000,
    iat: 1_000,
    preferred_username: "adele@contoso.com",
    tid: "tid-1",
  });
});

test("synthesizeCloudShellAccount: a v1 token names the user in unique_name", () => {
  const at = new UnsecuredJWT({ oid: "oid-1", tid: "tid-1", sub: "sub-1", unique_name: "live.com#megan@outlook.com", iat: 1, exp: 2 }).encode();
  assert.equal(synthesizeCloudShellAccount(at, CLIENT, 2_000).id_token_claims["preferred_username"], "live.com#megan@outlook.com");
});

test("synthesizeCloudShellAccount: a token that is not a JWT (an SSH certificate) gets MSAL Python's defaults", () => {
  for (const token of ["AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20AAAA", "a.b.c", "a.e30"]) {
    const made = synthesizeCloudShellAccount(token, CLIENT, 2_000);
    assert.deepEqual(decodeClientInfo(made.client_info), { uid: "user", utid: "cloudshell" });
    assert.deepEqual(made.id_token_claims, {
      iss: "cloudshell",
      sub: "user",
      aud: CLIENT,
      exp: 5_600,
      iat: 2_000,
      preferred_username: "currentuser@cloudshell",
      tid: "cloudshell",
    });
  }
  // A JWT without oid and tid: the same defaults for the account, its other claims kept.
  const bare = synthesizeCloudShellAccount(new UnsecuredJWT({ sub: "s" }).encode(), CLIENT, 2_000);
  assert.deepEqual(decodeClientInfo(bare.client_info), { uid: "user", utid: "cloudshell" });
  assert.equal(bare.id_token_claims["sub"], "s");
  assert.equal(bare.id_token_claims["preferred_username"], "currentuser@cloudshell");
});
