// Sign-out, disconnection, and single-tenant mode (a second portal on the same emulator, configured with
// TENANCY_MODE=single).
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { emulator, pickAccount, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";
import { startPortal } from "./support/portal-process";
import { createMigratedPgliteAt } from "../support/migrated-databases";

test.beforeEach(async () => {
  await emulator.reset();
});

test("sign-out ends the session on the server; disconnect removes the tenant's data", async ({ page, browser }) => {
  const customer = await stageCustomer({ name: "Leaving", environments: [{ name: "prod" }] });
  await signInAs(page, customer.admin);
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${e2e.baseURL}/`);
  // The old cookie, replayed, no longer opens the onboarding area.
  await page.context().addCookies(cookies);
  await page.goto("/onboarding");
  await expect(page).toHaveURL(/\/signin\?returnTo=/);

  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await expect(page.getByRole("status")).toContainText("was registered");
  await page.goto("/onboarding/disconnect");
  await expect(page.getByText("Delete the enterprise application")).toBeVisible();
  // Each manual step links Microsoft's own instructions.
  await expect(
    page.getByRole("link", { name: "Microsoft’s guide to deleting an enterprise application (opens in a new tab)" }),
  ).toHaveAttribute("href", "https://learn.microsoft.com/entra/identity/enterprise-apps/delete-application-portal");
  await expect(
    page.getByRole("link", { name: "Microsoft’s guide to managing application users (opens in a new tab)" }),
  ).toHaveAttribute("href", "https://learn.microsoft.com/power-platform/admin/manage-application-users");
  await page.getByLabel(/Type .* to confirm/).fill("wrong");
  await page.getByRole("button", { name: "Disconnect my organisation" }).click();
  await expect(page.getByText(`Type ${customer.domain} to confirm.`)).toBeVisible();
  // The refusal keeps what was typed, and the field says it is wrong.
  await expect(page.getByLabel(/Type .* to confirm/)).toHaveValue("wrong");
  await expect(page.getByLabel(/Type .* to confirm/)).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel(/Type .* to confirm/).fill(customer.domain);
  await page.getByRole("button", { name: "Disconnect my organisation" }).click();
  await expect(page.getByRole("heading", { name: "Your organisation was disconnected" })).toBeVisible();

  // Staff still find the organisation, as Disconnected with who and when, and its audit trail.
  const staff = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await signInAs(staff, "sam.support@northwind.onmicrosoft.com", "/console");
  await staff.getByRole("link", { name: /1 tenant disconnected|\d+ tenants disconnected/ }).click();
  await expect(staff).toHaveURL(/\/console\/tenants\?stage=disconnected$/);
  const row = staff.locator(`tr[data-tenant-id="${customer.tenantId}"]`);
  await expect(row.getByTestId("disconnected")).toContainText(/Disconnected.*\d{4}, \d\d:\d\d UTC by /);
  await row.getByRole("link").first().click();
  await expect(staff.getByTestId("tenant-stage")).toHaveText("Disconnected (its data removed)");
  await expect(staff.getByTestId("disconnected-by")).toContainText(" disconnected it on ");
  await expect(staff.getByRole("table", { name: "Audit trail" }).getByText("tenant.disconnected")).toBeVisible();
  await staff.context().close();

  // Signing in again starts from nothing: no environments.
  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await expect(page.getByText("None yet. Register the first one below.")).toBeVisible();
});

test.describe("single-tenant mode", () => {
  // The sign-in goes to the home tenant's own authority (a single-tenant registration refuses /common with
  // AADSTS50194), so Microsoft offers only that tenant's accounts; a token of any other tenant would still be
  // refused by decideSignIn with the "one organisation only" page (tests/unit/sign-in-policy.test.ts).
  test("only the home tenant signs in, with no consent step", async ({ browser }) => {
    const runtime = JSON.parse(readFileSync(path.join(".emulator", `runtime-${e2e.emulatorPort}.json`), "utf8")) as {
      authorityHost: string;
      clientId: string;
      homeTenantId: string;
      clientSecret: string;
    };
    const port = String(e2e.extraPort(18));
    const databaseUrl = `pglite:${e2e.ownPortalDatabaseDirs.single}`;
    await createMigratedPgliteAt(databaseUrl.slice("pglite:".length));
    const portal = await startPortal({
      PORT: port,
      PORTAL_MODE: "demo",
      TENANCY_MODE: "single",
      DATABASE_URL: databaseUrl,
      AUTH_URL: `http://localhost:${port}`,
      AUTH_SECRET: "single-tenant-e2e-secret-0123456789abcdef",
      ENTRA_AUTHORITY_HOST: runtime.authorityHost,
      ENTRA_CLIENT_ID: runtime.clientId,
      ENTRA_HOME_TENANT_ID: runtime.homeTenantId,
      ENTRA_CLIENT_SECRET: runtime.clientSecret,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: "crm.dynamics.localhost",
    });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, baseURL: portal.baseURL });
      const page = await context.newPage();
      await page.goto("/signin");
      await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
      await expect(page.getByRole("button", { name: /^Sign in as / }).first()).toBeVisible();
      await expect(page.getByRole("button", { name: /megan@contoso\.onmicrosoft\.com/ })).toHaveCount(0);
      const accept = page.getByRole("button", { name: "Accept" });
      await pickAccount(page, "dan.dev@northwind.onmicrosoft.com");
      await page.waitForURL(new RegExp(`consent|localhost:${port}`));
      if (await accept.isVisible()) await accept.click();
      await page.goto("/onboarding");
      await expect(page.getByRole("heading", { level: 1, name: "northwind.onmicrosoft.com" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Admin consent" })).toHaveCount(0);
      await page.goto("/onboarding/consent");
      await expect(page).toHaveURL(/\/onboarding\/environments$/);
    } finally {
      await portal.stop();
    }
  });
});

test.describe("certificate credential", () => {
  test("sign-in and the connection check both authenticate with the certificate, never a secret", async ({
    browser,
  }) => {
    const runtime = JSON.parse(readFileSync(path.join(".emulator", `runtime-${e2e.emulatorPort}.json`), "utf8")) as {
      authorityHost: string;
      clientId: string;
      homeTenantId: string;
      clientCertificate: { certPath: string; keyPath: string };
    };
    const port = String(e2e.extraPort(16));
    const databaseUrl = `pglite:${e2e.ownPortalDatabaseDirs.certificate}`;
    await createMigratedPgliteAt(databaseUrl.slice("pglite:".length));
    const portal = await startPortal({
      PORT: port,
      PORTAL_MODE: "demo",
      DATABASE_URL: databaseUrl,
      AUTH_URL: `http://localhost:${port}`,
      AUTH_SECRET: "certificate-e2e-secret-0123456789abcdef",
      ENTRA_AUTHORITY_HOST: runtime.authorityHost,
      ENTRA_CLIENT_ID: runtime.clientId,
      ENTRA_HOME_TENANT_ID: runtime.homeTenantId,
      ENTRA_CLIENT_CERTIFICATE_PATH: runtime.clientCertificate.certPath,
      ENTRA_CLIENT_PRIVATE_KEY_PATH: runtime.clientCertificate.keyPath,
      DATAVERSE_ALLOWED_HOST_SUFFIXES: "crm.dynamics.localhost",
    });
    try {
      const customer = await stageCustomer({ name: "Certified", environments: [{ name: "prod" }] });
      await emulator.clearRequests();
      const page = await (await browser.newContext({ ignoreHTTPSErrors: true, baseURL: portal.baseURL })).newPage();
      await page.goto("/signin");
      await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
      await pickAccount(page, customer.admin);
      await page.waitForURL(new RegExp(`consent|localhost:${port}`));
      const accept = page.getByRole("button", { name: "Accept" });
      if (await accept.isVisible()) await accept.click();
      await page.waitForURL(new RegExp(`localhost:${port}/onboarding`));
      await page.goto("/onboarding/environments");
      await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
      await page.getByRole("button", { name: "Register environment" }).click();
      await page.getByRole("link", { name: "Set up its application user" }).click();
      await page.getByRole("button", { name: "Run connection check" }).click();
      await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });

      const tokenRequests = (await emulator.requests("entra.token")) as Array<{
        grantType?: string;
        clientAuth?: string;
        status?: number;
      }>;
      expect(tokenRequests.map((r) => [r.grantType, r.clientAuth, r.status])).toEqual([
        ["authorization_code", "private_key_jwt", 200],
        ["client_credentials", "private_key_jwt", 200],
      ]);
    } finally {
      await portal.stop();
    }
  });
});
