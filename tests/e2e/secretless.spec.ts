// The demo runs without any secret (README "Running without secrets"): the app's credential is the host's managed
// identity, trusted by the app registration through a federated credential, with its certificate in Key Vault as the
// fallback, and AUTH_SECRET is a Key Vault reference. The console's credentials card says which one is in use; a
// federated credential removed from the app registration meets Microsoft's error and the certificate takes over
// with one notice; a Key Vault reference that cannot be read stops start-up with one line naming the variable.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { DEMO_IDS, demoScenario, startEmulator } from "@tenant-onboarding/emulator";
import { emulator, signInAs } from "./support/emulator";
import { e2e } from "./support/env";
import { runPortalUntilExit } from "./support/portal-process";

const SAM = "sam.support@northwind.onmicrosoft.com"; // Support.Operator + Support.Admin
const OLIVIA = "olivia.ops@northwind.onmicrosoft.com"; // Support.Operator

test.beforeEach(async () => {
  await emulator.reset();
});

const card = (page: Page) => page.getByRole("list", { name: "Configured credentials" });
const managedIdentity = (page: Page) =>
  card(page).getByRole("listitem", { name: "Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY)" });
const vaultCertificate = (page: Page) =>
  card(page).getByRole("listitem", { name: "Certificate in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT)" });

test("the demo's console credentials card shows the managed identity (federated) in use, and the Key Vault certificate as fallback", async ({
  page,
}) => {
  await signInAs(page, SAM, "/console");
  await expect(page.getByRole("heading", { level: 1, name: "Onboarding at a glance" })).toBeVisible();
  await expect(card(page).getByTestId("credential")).toHaveCount(2);
  const mi = managedIdentity(page);
  await expect(mi).toHaveAttribute("data-in-use", "yes");
  await expect(mi.getByText("In use", { exact: true })).toBeVisible();
  await expect(mi.getByTestId("credential-kind")).toHaveText("Managed identity (federated)");
  await expect(mi.getByTestId("credential-expires")).toHaveText("never");
  await expect(mi).toContainText(DEMO_IDS.managedIdentity.clientId);
  await expect(mi).toContainText("No secret to expire or leak");
  const certificate = vaultCertificate(page);
  await expect(certificate).toHaveAttribute("data-in-use", "no");
  await expect(certificate.getByTestId("credential-kind")).toHaveText("Certificate in Key Vault");
  await expect(certificate.getByTestId("credential-expires")).toHaveText(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC$/);
  await expect(certificate.getByTestId("credential-version")).toHaveText(/^[0-9a-f]{32}$/);
  await expect(page.getByTestId("credential-rejection")).toHaveCount(0);
});

// Kept last of the browser tests here: the portal then avoids the managed identity for an hour (files after this one
// run with the certificate).
test("the federated credential removed from the app registration: sign-in meets Microsoft's error, the Key Vault certificate takes over, one e-mail", async ({
  page,
  browser,
}) => {
  const fallbackMail = async () =>
    (
      (await (await fetch(`${e2e.mailURL}/messages`)).json()) as Array<{ to: string[]; subject: string; text: string }>
    ).filter((m) => m.subject.includes("Entra ID rejected"));
  expect(await fallbackMail()).toHaveLength(0);
  await emulator.action("removeFederatedCredential", { name: DEMO_IDS.federatedCredentialName });
  await emulator.clearRequests();
  // The sign-in's code exchange meets AADSTS700211 with the identity's token and is sent again with the certificate.
  await signInAs(page, SAM, "/console");
  await expect(page.getByRole("heading", { level: 1, name: "Onboarding at a glance" })).toBeVisible();
  const exchanges = (await emulator.requests("entra.token")).filter((r) => r.grantType === "authorization_code");
  expect(exchanges.map((r) => [r.status, r.errorCode ?? null, r.clientAuth ?? null])).toEqual([
    [401, "700211", null],
    [200, null, "private_key_jwt"],
  ]);
  await expect(vaultCertificate(page)).toHaveAttribute("data-in-use", "yes");
  await expect(managedIdentity(page)).toHaveAttribute("data-in-use", "no");
  await expect(managedIdentity(page).getByTestId("credential-rejection")).toContainText(
    "no federated credential for its issuer (AADSTS700211)",
  );
  await expect(managedIdentity(page)).toContainText("check the federated credential on the app registration");
  // Staff are told once.
  await expect.poll(async () => (await fallbackMail()).length, { timeout: 20_000 }).toBe(1);
  const [mail] = await fallbackMail();
  expect(mail!.subject).toContain(
    "Entra ID rejected Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY); now using Certificate in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT)",
  );
  expect(mail!.text).toContain("AADSTS700211");
  expect(mail!.text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
  // A second sign-in uses the certificate straight away: still one e-mail.
  const olivia = await (await browser.newContext()).newPage();
  await signInAs(olivia, OLIVIA, "/console");
  await expect(olivia.getByRole("heading", { level: 1, name: "Onboarding at a glance" })).toBeVisible();
  await olivia.waitForTimeout(1000);
  expect(await fallbackMail()).toHaveLength(1);
});

test("the build holds none of the values the portal reads at run time", async () => {
  // The build is made before the emulator starts: nothing secret may be compiled in. Look for the demo app's persisted
  // secret and key, this run's vault secrets and the host's identity header in every file of .next but its cache.
  const runtime = JSON.parse(await readFile(path.join(".emulator", `runtime-${e2e.emulatorPort}.json`), "utf8")) as {
    clientSecret: string;
    managedIdentity: { header: string };
  };
  const keyPem = await readFile(path.join(".emulator", "demo-app", "client-key.pem"), "utf8");
  const { scenario } = (await (await fetch(`${e2e.emulatorURL}/_emulator/state`)).json()) as {
    scenario: { keyVaults: Array<{ secrets: Array<{ versions: Array<{ value: string }> }> }> };
  };
  const values = [
    runtime.clientSecret,
    runtime.managedIdentity.header,
    keyPem.split("\n")[1]!,
    ...scenario.keyVaults.flatMap((v) => v.secrets.flatMap((x) => x.versions.map((y) => y.value))),
  ];
  for (const value of values) expect(value.length).toBeGreaterThanOrEqual(32);
  const files = (await readdir(".next", { recursive: true, withFileTypes: true })).filter(
    (f) => f.isFile() && !path.join(f.parentPath, f.name).startsWith(path.join(".next", "cache")),
  );
  expect(files.length).toBeGreaterThan(100);
  for (const file of files) {
    const content = await readFile(path.join(file.parentPath, file.name), "latin1");
    for (const value of values)
      expect(content.includes(value), `${path.join(file.parentPath, file.name)} holds a secret`).toBe(false);
  }
});

test.describe("Key Vault references at start-up", () => {
  // An emulator of this test's own (its vault's role assignments change here), and a portal that never gets further
  // than its start-up.
  let vaultUrl: string;
  let own: Awaited<ReturnType<typeof startEmulator>>;
  let stop: () => Promise<void>;
  let env: Record<string, string>;
  let dataDir: string;

  test.beforeAll(async () => {
    own = await startEmulator({ scenario: demoScenario() });
    stop = () => own.close();
    vaultUrl = own.vaultUrl(DEMO_IDS.keyVault.name);
    dataDir = await mkdtemp(path.join(os.tmpdir(), "kv-references-"));
    env = {
      PORTAL_MODE: "demo",
      DATABASE_URL: `pglite:${dataDir}`,
      IDENTITY_ENDPOINT: own.managedIdentity.endpoint,
      IDENTITY_HEADER: own.managedIdentity.header,
      KEY_VAULT_IDENTITY: DEMO_IDS.managedIdentity.clientId,
    };
    own.admin.setVaultSecret(DEMO_IDS.keyVault.name, "webhook-secret", "a-webhook-secret-that-must-never-be-printed");
  });
  test.afterAll(async () => {
    await stop?.();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const oneLine = (stderr: string) =>
    stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("Configuration error"));

  test("a missing, forbidden or malformed reference stops start-up with one line naming the variable and Microsoft's error", async () => {
    const missing = await runPortalUntilExit({
      ...env,
      AUTH_SECRET: `@Microsoft.KeyVault(SecretUri=${vaultUrl}/secrets/no-such-secret/)`,
    });
    expect(missing.code).toBe(1);
    expect(oneLine(missing.stderr)).toEqual([
      "Configuration error: AUTH_SECRET is a Key Vault reference that could not be read: 404 SecretNotFound: A secret with (name/id) no-such-secret was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
    ]);

    // The identity may now read the vault's metadata only ("Key Vault Reader"), not a secret's value.
    own.admin.removeVaultRoles(DEMO_IDS.keyVault.name, DEMO_IDS.managedIdentity.principalId);
    own.admin.assignVaultRole(DEMO_IDS.keyVault.name, DEMO_IDS.managedIdentity.principalId, "Key Vault Reader");
    const forbidden = await runPortalUntilExit({
      ...env,
      WEBHOOK_URL: "http://127.0.0.1:9/hooks",
      WEBHOOK_SECRET: `@Microsoft.KeyVault(SecretUri=${vaultUrl}/secrets/webhook-secret)`,
    });
    expect(forbidden.code).toBe(1);
    const [line] = oneLine(forbidden.stderr);
    expect(line).toMatch(
      /^Configuration error: WEBHOOK_SECRET is a Key Vault reference that could not be read: 403 Forbidden: Caller is not authorized to perform action on resource\. /,
    );
    expect(line).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'");
    expect(forbidden.stderr + forbidden.stdout).not.toContain("a-webhook-secret-that-must-never-be-printed");

    const malformed = await runPortalUntilExit({
      ...env,
      SMTP_URL: "smtp://alerts@127.0.0.1:2525",
      SMTP_PASSWORD: "@Microsoft.KeyVault(VaultName=northwind-portal;SecretName=smtp)",
    });
    expect(malformed.code).toBe(1);
    expect(oneLine(malformed.stderr)).toEqual([
      "Configuration error: SMTP_PASSWORD is a malformed Key Vault reference (only SecretUri=… is supported); the syntax is @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>[/<version>])",
    ]);
  });
});
