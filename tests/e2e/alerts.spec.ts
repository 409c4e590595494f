// Alerts as the people who get them see them (issue 20, items 3-5): consent removed in Microsoft is said by the next
// check a person runs, and the console agrees; the status page shows who is e-mailed and any administrator adds or
// removes themselves; the e-mails (read back from the demo's SMTP capture) name the organisation, carry the cause,
// the fix and a link to the environment's page, and say "connected" on a first success.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { emulator, grantAdminConsent, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

const SAM = "sam.support@northwind.onmicrosoft.com";
const DIEGO = "diego@fabrikam.onmicrosoft.com"; // Fabrikam's Global Administrator (demo: consent proven, one environment)
const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
const SUPPORT = "support@northwind.example";
// The one date format of the mails: "4 Dec 2026, 10:10 UTC".
const ENVIRONMENT_PAGE = /\/onboarding\/environments\/[0-9a-f-]{36}/;
const MAIL_DATE = /\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC/;

test.beforeEach(async () => {
  await emulator.reset();
});

type Captured = { to: string[]; subject: string; text: string };
const capturedMail = async () => (await (await fetch(`${e2e.mailURL}/messages`)).json()) as Captured[];

/**
 * Waits for the one captured e-mail to `to` whose subject contains `subject`, counted from `since` messages (the
 * queue may still deliver an earlier test's mail after `since`: name what you wait for precisely).
 */
async function mailTo(to: string, subject: string, since: number): Promise<Captured> {
  const matching = async () =>
    (await capturedMail()).slice(since).filter((m) => m.to.includes(to) && m.subject.includes(subject));
  await expect
    .poll(async () => (await matching()).length, { timeout: 20_000, message: `an e-mail to ${to} about "${subject}"` })
    .toBe(1);
  return (await matching())[0]!;
}

async function staffPage(browser: Browser, returnTo: string) {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, SAM, returnTo);
  return page;
}

async function runCheck(page: Page, outcome: "Passed" | "Failed") {
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText(outcome, { timeout: 30_000 });
}

test("consent removed in Microsoft: the customer's next check says consent removed, although the portal still holds a token from before", async ({
  page,
}) => {
  const customer = await stageCustomer({
    name: "Revoking",
    consented: false,
    environments: [{ name: "prod", appUser: "enabled" }],
  });
  await signInAs(page, customer.admin);
  await grantAdminConsent(page, customer.admin);
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await page.waitForURL(ENVIRONMENT_PAGE);
  await runCheck(page, "Passed");

  // The administrator deletes the app's enterprise application in Microsoft Entra ID. The portal's Dataverse token
  // from before stays valid until it expires: only the check's fresh token request shows the removal.
  await emulator.action("revokeConsent", { tenant: customer.tenantId });
  await runCheck(page, "Failed");
  const token = page.getByRole("region", { name: "Current check" }).locator('[data-step="token"]');
  await expect(token).toHaveAttribute("data-outcome", "FAILED");
  await expect(token).toContainText(
    "Consent removed. Admin consent for Northwind Sync was removed from your organisation",
  );
  await expect(token).toContainText("grants admin consent again");
  await expect(token).toContainText("AADSTS700016");
  await page.goto("/onboarding");
  await expect(page.getByTestId("connection-broken")).toContainText("Admin consent for Northwind Sync was removed");
  await expect(page.getByTestId("consent-state")).toHaveText("Revoked");
});

test("Fabrikam's consent revoked in the emulator: staff's re-run says consent removed, the console and the customer's page agree, support is mailed; granted again, it works again", async ({
  page,
  browser,
}) => {
  test.slow();
  const before = (await capturedMail()).length;
  const staff = await staffPage(browser, `/console/tenants/${FABRIKAM}`);
  const rerun = staff.getByRole("button", { name: /^Re-run check now for https:\/\/fabrikam\./ });
  const live = staff.getByRole("region", { name: /^Re-run of https:\/\/fabrikam\./ });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Passed", { timeout: 30_000 });

  await emulator.action("revokeConsent", { tenant: FABRIKAM });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Failed", { timeout: 30_000 });
  await expect(live.locator('[data-step="token"]')).toHaveAttribute("data-outcome", "FAILED");
  await expect(live.locator('[data-step="token"]')).toContainText("consent-removed");
  await expect(live.locator('[data-step="token"]')).toContainText("Consent removed.");
  await staff.reload();
  await expect(staff.getByTestId("connection-broken")).toContainText("Admin consent for Northwind Sync was removed");
  await expect(staff.locator("dt", { hasText: /^Consent$/ }).locator("xpath=following-sibling::dd[1]")).toHaveText(
    "Revoked",
  );

  // Diego, Fabrikam's administrator, reads the same on his status page.
  await signInAs(page, DIEGO);
  await expect(page.getByTestId("connection-broken")).toContainText("Admin consent for Northwind Sync was removed");
  await expect(page.getByTestId("consent-state")).toHaveText("Revoked");

  // The support copy of the alert names the organisation (not its tenant id) and carries the cause, the fix and links.
  const alert = await mailTo(SUPPORT, "consent removed for Fabrikam (Production)", before);
  expect(alert.subject).toBe("[Fabrikam, Inc.] Northwind Sync: consent removed for Fabrikam (Production)");
  expect(alert.text).toMatch(new RegExp(`of Fabrikam, Inc\\. is broken since ${MAIL_DATE.source}`));
  expect(alert.text).toContain("Why: Admin consent for Northwind Sync was removed");
  expect(alert.text).toContain("How to fix it: An administrator of your organisation grants admin consent again");
  expect(alert.text).toMatch(new RegExp(`${e2e.baseURL}/onboarding/environments/[0-9a-f-]{36}`));
  expect(alert.text).toContain(`${e2e.baseURL}/console/tenants/${FABRIKAM}`);

  // Diego grants consent again; staff's next re-run passes and support is told it works again.
  await grantAdminConsent(page, DIEGO);
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Passed", { timeout: 30_000 });
  await page.goto("/onboarding");
  await expect(page.getByTestId("connection-broken")).toHaveCount(0);
  await expect(page.getByTestId("consent-state")).toHaveText(/^Granted and verified/);
  const again = await mailTo(SUPPORT, "Fabrikam (Production) is working again", before);
  expect(again.subject).toBe("[Fabrikam, Inc.] Northwind Sync: connection to Fabrikam (Production) is working again");
});

test("who is e-mailed: the status page lists them, administrators add and remove themselves; the mail says connected, then broken with the link and the fix", async ({
  page,
  browser,
}) => {
  test.slow();
  const customer = await stageCustomer({
    name: "Alerting",
    organizationName: "Alerting Ltd",
    users: [
      { name: "Avery Admin", upn: "admin", admin: true },
      { name: "Blake Admin", upn: "blake", admin: true },
      { name: "Uma User", upn: "user" },
    ],
    environments: [{ name: "prod" }],
  });
  const blake = `blake@${customer.domain}`;
  const before = (await capturedMail()).length;

  // Avery connects an environment: its first working check is "connected", mailed to the one who registered it.
  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await page.waitForURL(ENVIRONMENT_PAGE);
  const environmentPage = `${e2e.baseURL}${new URL(page.url()).pathname}`;
  await runCheck(page, "Passed");
  const connected = await mailTo(customer.admin, "is connected", before);
  expect(connected.subject).not.toContain("working again");
  expect(connected.text).toContain("first connection check passed");
  expect(connected.text).toContain(environmentPage);

  await page.goto("/onboarding");
  const alerts = page.getByRole("region", { name: "E-mail alerts" });
  const recipients = alerts.getByRole("list", { name: "Alert recipients" });
  await expect(recipients.getByRole("listitem")).toHaveCount(1);
  await expect(recipients.getByRole("listitem")).toContainText(`Avery Admin · ${customer.admin} (you)`);
  await expect(recipients.getByRole("listitem")).toContainText("registered an environment");

  // Blake, another administrator, adds himself.
  const other = await (await browser.newContext()).newPage();
  await signInAs(other, blake);
  const hisAlerts = other.getByRole("region", { name: "E-mail alerts" });
  await expect(hisAlerts).toContainText("You are not on the list.");
  await hisAlerts.getByRole("button", { name: "Add me" }).click();
  await expect(hisAlerts.getByRole("status")).toHaveText(`Added: alerts will be e-mailed to ${blake}.`);
  await expect(hisAlerts.getByRole("listitem").filter({ hasText: blake })).toContainText("added themselves");
  await expect(hisAlerts.getByRole("listitem")).toHaveCount(2);

  // Avery removes himself.
  await page.reload();
  await alerts.getByRole("button", { name: "Remove me" }).click();
  await expect(alerts.getByRole("status")).toHaveText(`Removed: ${customer.admin} gets no more alert e-mails.`);
  await expect(recipients.getByRole("listitem")).toHaveCount(1);
  await expect(recipients.getByRole("listitem")).toContainText(blake);
  await expect(alerts).toContainText("You are not on the list.");

  // A reader sees the list and cannot change it.
  const reader = await (await browser.newContext()).newPage();
  await signInAs(reader, customer.user);
  const readerAlerts = reader.getByRole("region", { name: "E-mail alerts" });
  await expect(readerAlerts.getByRole("listitem")).toContainText(blake);
  await expect(readerAlerts.getByRole("button")).toHaveCount(0);

  // Both choices are in the tenant's audit trail, by name.
  const staff = await staffPage(browser, `/console/tenants/${customer.tenantId}`);
  const trail = staff.getByRole("table", { name: "Audit trail" });
  await expect(trail.getByRole("row").filter({ hasText: "alerts.recipient_added" })).toContainText("Blake Admin");
  await expect(trail.getByRole("row").filter({ hasText: "alerts.recipient_removed" })).toContainText("Avery Admin");

  // The application user is disabled: the alert goes to Blake (not Avery), with the cause, the fix and the link.
  await emulator.action("setApplicationUserDisabled", {
    environment: customer.environmentName("prod"),
    disabled: true,
  });
  await page.goto(environmentPage);
  await runCheck(page, "Failed");
  const broken = await mailTo(blake, "connection broken", before);
  expect(broken.text).toMatch(new RegExp(`of Alerting Ltd is broken since ${MAIL_DATE.source}`));
  expect(broken.text).toMatch(/Why: .*disabled/);
  expect(broken.text).toMatch(/How to fix it: .+/);
  expect(broken.text).not.toMatch(/\d{4}-\d\d-\d\dT/);
  expect(
    (await capturedMail())
      .slice(before)
      .filter((m) => m.to.includes(customer.admin) && m.subject.includes("connection broken")),
  ).toHaveLength(0);
  const link = /(http:\/\/\S+\/onboarding\/environments\/[0-9a-f-]{36})/.exec(broken.text)?.[1];
  expect(link).toBe(environmentPage);

  // Blake follows the link: the environment's page, with the failing check.
  await other.goto(link!);
  await expect(other).toHaveURL(environmentPage);
  await expect(other.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(other.getByRole("main")).toContainText(/application user .*disabled/i);
});
