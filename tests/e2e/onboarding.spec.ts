// A customer admin's journey, driven in Chromium against the portal and the Microsoft emulator.
import { expect, test, type Page } from "@playwright/test";
import { emulator, pickAccount, signInAs } from "./support/emulator";
import { e2e } from "./support/env";

test.beforeEach(async () => {
  await emulator.reset();
});

async function grantAdminConsent(page: Page, upn: string) {
  await page.goto("/onboarding/consent");
  await page.getByRole("button", { name: /Grant admin consent/ }).click();
  const picker = page.getByRole("button", { name: new RegExp(`\\(${upn.replace(/\./g, "\\.")}\\)`) });
  const accept = page.getByRole("button", { name: "Accept" });
  await expect(picker.or(accept)).toBeVisible();
  if (await picker.isVisible()) await pickAccount(page, upn);
}

async function registerEnvironment(page: Page, url: string) {
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(url);
  await page.getByRole("button", { name: "Register environment" }).click();
}

test("happy path: from the consent page to a green check with the top 3 accounts", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/consent?source=appsource");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(page, "megan@contoso.onmicrosoft.com");
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page).toHaveURL(/\/onboarding$/);
  await expect(page.getByRole("heading", { level: 1, name: "contoso.onmicrosoft.com" })).toBeVisible();

  await grantAdminConsent(page, "megan@contoso.onmicrosoft.com");
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("link", { name: "Next: register your environments" }).click();

  await page.getByLabel("Environment URL").fill(`https://CONTOSO.api.crm.dynamics.localhost:${e2e.emulatorPort}/api/data/v9.2/`);
  await page.getByRole("button", { name: "Register environment" }).click();
  await expect(page.getByRole("status")).toContainText(`${emulator.environmentUrl("contoso", "crm")} was registered.`);
  await page.getByRole("link", { name: "Set up its application user" }).click();

  // The walkthrough: copy the App ID, create the application user in the (emulated) admin center.
  const appId = await page.getByRole("textbox", { name: "Application (client) ID" }).inputValue();
  expect(appId).toMatch(/^[0-9a-f-]{36}$/);
  await page.getByRole("button", { name: "Copy Application (client) ID" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(appId);
  await expect(page.getByRole("textbox", { name: "pac command" })).toHaveValue(
    `pac admin assign-user --environment ${emulator.environmentUrl("contoso", "crm")} --user ${appId} --role "Northwind Sync Integration" --application-user`,
  );
  const environmentPage = page.url();
  await page.goto(`${e2e.emulatorURL}/_emulator/ppac`);
  await page.getByLabel("Environment").selectOption({ label: "Contoso (Production) — Contoso" });
  await page.getByLabel("Application (client) ID").fill(appId);
  await page.getByLabel("Security role").selectOption("Northwind Sync Integration");
  await page.getByRole("button", { name: "Create application user" }).click();
  await expect(page.getByRole("status")).toBeVisible();

  await page.goto(environmentPage);
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  const current = page.getByRole("region", { name: "Current check" });
  for (const step of ["token", "whoami", "application-user", "roles", "privileges", "sample-read"]) {
    await expect(current.locator(`[data-step="${step}"]`)).toHaveAttribute("data-outcome", "PASSED");
  }
  const accounts = current.getByRole("list", { name: "Sample accounts" }).getByRole("listitem");
  await expect(accounts).toHaveCount(3);
  const names = await accounts.allTextContents();
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  // The history keeps it.
  await expect(page.getByRole("list", { name: "Check history" }).getByText("Passed").first()).toBeVisible();
});
