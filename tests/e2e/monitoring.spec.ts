// A connection that breaks after onboarding, as the customer and support staff see it: "connection broken since …
// because …" on the customer's status page, the alert e-mailed (read back from the demo's SMTP capture), e-mail
// alerts turned off by the customer, and the console's "broken" filter and alert log. Also an invitation e-mailed
// from the console. (Scheduled re-verification itself is tested in tests/integration/scheduled-recheck.test.ts.)
import { expect, test, type Browser } from "@playwright/test";
import { emulator, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

const SAM = "sam.support@northwind.onmicrosoft.com";

// Other specs stage faults (an expired secret, a throttle) in the shared emulator: start from its scenario.
test.beforeEach(async () => {
  await emulator.reset();
});

type Captured = { to: string[]; subject: string; text: string };
const capturedMail = async () => (await (await fetch(`${e2e.mailURL}/messages`)).json()) as Captured[];

async function staffPage(browser: Browser, returnTo: string) {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, SAM, returnTo);
  return page;
}

test("a broken connection: the customer sees since when and why and is e-mailed once; staff find it with the broken filter", async ({
  page,
  browser,
}) => {
  const customer = await stageCustomer({ name: "Breaking", environments: [{ name: "prod" }] });
  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  const checkPage = page.url();
  await page.goto("/onboarding");
  await expect(page.getByTestId("connection-broken")).toHaveCount(0);

  // An administrator disables the application user in the Power Platform admin center; the next check sees it.
  await emulator.action("setApplicationUserDisabled", {
    environment: customer.environmentName("prod"),
    disabled: true,
  });
  await page.goto(checkPage);
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Failed", { timeout: 30_000 });
  await page.goto("/onboarding");
  const banner = page.getByTestId("connection-broken");
  // Times are the viewer's own, with the zone (components/ui/local-time.tsx): "29 Nov 2026, 22:45 UTC".
  await expect(banner).toContainText(/Connection to .+ broken since \d{1,2} \w{3} \d{4}, \d\d:\d\d \S+/);
  await expect(banner).toContainText("disabled");
  // The cause is its own sentence, not "… because The application user …".
  await expect(banner).toContainText(
    /broken since \d{1,2} \w{3} \d{4}, \d\d:\d\d \S+\. The application user for Northwind Sync exists but is disabled\./,
  );
  await expect(banner).not.toContainText("because");
  await expect(banner).toContainText(/Last verified \d{1,2} \w{3} \d{4}/);

  // The administrator who connected the tenant was e-mailed once that it broke (after "connected" on its first pass).
  const toAdmin = async (about: string) =>
    (await capturedMail()).filter((m) => m.to.includes(customer.admin) && m.subject.includes(about));
  await expect.poll(async () => (await toAdmin("connection broken")).length, { timeout: 20_000 }).toBe(1);
  expect(await toAdmin("is connected")).toHaveLength(1);
  const [alert] = await toAdmin("connection broken");
  expect(alert!.text).toContain("broken since");

  // The customer turns e-mail alerts off.
  await page.getByRole("button", { name: "Turn e-mail alerts off" }).click();
  await expect(page.getByTestId("email-alerts-state")).toHaveText(
    /^E-mail alerts are off: nobody of your organisation is e-mailed/,
  );
  await page.reload();
  await expect(page.getByRole("button", { name: "Turn e-mail alerts on" })).toBeVisible();

  // Staff: the broken filter lists the tenant with its badge, and the alert log shows what was sent.
  const staff = await staffPage(browser, "/console/tenants");
  await staff.getByLabel("Connection").selectOption("broken");
  await staff.getByRole("button", { name: "Apply filters" }).click();
  await expect(staff).toHaveURL(/health=broken/);
  const rows = staff.getByRole("table", { name: "Tenants" }).locator("tbody tr");
  await expect(staff.locator(`tr[data-tenant-id="${customer.tenantId}"]`)).toHaveCount(1);
  await expect(staff.locator(`tr[data-tenant-id="${customer.tenantId}"] [data-testid="broken-badge"]`)).toContainText(
    /Broken since \d{1,2} \w{3} \d{4}/,
  );
  const count = await rows.count();
  await expect(rows.locator('[data-testid="broken-badge"]')).toHaveCount(count);
  await staff.goto(`/console/tenants/${customer.tenantId}`);
  await expect(staff.getByTestId("connection-broken")).toContainText("disabled");
  await staff.goto("/console/alerts");
  const log = staff.getByRole("table", { name: "Alert log" });
  await expect(
    log.getByRole("row").filter({ hasText: customer.admin }).filter({ hasText: "Connection broken" }),
  ).toContainText("Sent");
});

test("staff send an invitation by e-mail: the customer administrator receives the link", async ({ browser }) => {
  const staff = await staffPage(browser, "/console/invitations");
  const to = `it-${Date.now()}@contoso.example`;
  await staff.getByLabel(/Send by e-mail to/).fill(to);
  await staff.getByRole("button", { name: "Create invitation link" }).click();
  await expect(staff.getByRole("status").filter({ hasText: "Invitation created" })).toContainText(
    `Sent by e-mail to ${to}`,
  );
  await expect
    .poll(async () => (await capturedMail()).filter((m) => m.to.includes(to)).length, { timeout: 20_000 })
    .toBe(1);
  const [mail] = (await capturedMail()).filter((m) => m.to.includes(to));
  expect(mail!.text).toMatch(new RegExp(`${e2e.baseURL.replace(/[.:/]/g, "\\$&")}/consent\\?invitation=`));
});
