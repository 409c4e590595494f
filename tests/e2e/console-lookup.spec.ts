// Issue 20, items 7 and 9, as support staff meet them in the console: finding a customer by the vendor's own
// reference, the reference and health in the list and the CSV, an invitation for an organisation the portal
// already knows, the alert log in words, and a monitored tenant whose scheduled checks no longer bury what people
// did (audit trail views, check history). Seeded (scripts/db-seed.ts): Litware SUB-1042 (broken: consent
// removed), Fabrikam SUB-1001 (its administrator's setup check three days ago, scheduled checks every hour since).
import { readFile } from "node:fs/promises";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { emulator, pickAccount, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

const SAM = "sam.support@northwind.onmicrosoft.com"; // Support.Operator + Support.Admin
const DIEGO = "diego@fabrikam.onmicrosoft.com"; // Fabrikam's Global Administrator
const LITWARE = "1a7e5c00-0000-4000-8000-00000000a001";
const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";

test.beforeEach(async () => {
  await emulator.reset();
});

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("staff find a customer by their own reference, whole or in part; the list and the CSV carry it, with the health", async ({
  page,
}) => {
  await signInAs(page, SAM, "/console/tenants");
  const table = page.getByRole("table", { name: "Tenants" });
  await expect(table.getByRole("columnheader", { name: "Reference" })).toBeVisible();
  await expect(table.locator(`tr[data-tenant-id="${LITWARE}"] [data-testid="customer-reference"]`)).toHaveText(
    "SUB-1042",
  );

  for (const typed of ["SUB-1042", "sub-1042", "ub-1042"]) {
    await page.getByRole("searchbox", { name: "Search" }).fill(typed);
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`/console/tenants\\?q=${typed}$`));
    await expect(page.getByTestId("result-count"), typed).toHaveText("1 tenant matches these filters");
    await expect(table.locator("tbody tr"), typed).toHaveCount(1);
    await expect(table.getByRole("link", { name: "Litware", exact: true }), typed).toBeVisible();
  }

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const lines = (await readFile((await download.path())!, "utf8"))
    .replace(/^\uFEFF/, "")
    .split("\r\n")
    .filter(Boolean);
  const header = lines[0]!.split(",");
  expect(header).toEqual(expect.arrayContaining(["customer_reference", "health", "broken_since"]));
  expect(lines).toHaveLength(2);
  const litware = lines[1]!.split(",");
  expect(litware[header.indexOf("tenant_id")]).toBe(LITWARE);
  expect(litware[header.indexOf("customer_reference")]).toBe("SUB-1042");
  expect(litware[header.indexOf("health")]).toBe("BROKEN");
  expect(litware[header.indexOf("broken_since")]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test("an invitation for an organisation already known: staff are warned at creation; used, it is used up and applies its reference", async ({
  page,
  browser,
}) => {
  test.slow();
  // The organisation signs in on its own first: the portal knows it, without consent yet.
  const customer = await stageCustomer({ name: "Known Co", consented: false, environments: [] });
  const first = await newPage(browser);
  await signInAs(first, customer.admin);
  await first.context().close();

  const reference = `SUB-${customer.tenantId.slice(0, 6)}`;
  await signInAs(page, SAM, "/console/invitations");
  await page.getByLabel(/Tenant id or domain/).fill(customer.domain);
  await page.getByLabel(/Customer reference/).fill(reference);
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  const warning = page.getByTestId("known-tenant-warning");
  await expect(warning).toContainText("This organisation is already known:");
  await expect(warning).toContainText("Signed in, no consent yet, no customer reference.");
  await expect(warning).toContainText(`the link is used up and it is given the customer reference ${reference}.`);
  await expect(warning.getByRole("link")).toHaveAttribute("href", `/console/tenants/${customer.tenantId}`);
  const row = page
    .getByRole("table", { name: "Invitations" })
    .getByRole("row")
    .filter({ hasText: `customer reference ${reference}` });
  await expect(row.getByTestId("invitation-status")).toHaveText("Open");

  // Someone of the organisation signs in with the link.
  const admin = await newPage(browser);
  await admin.goto(link);
  await admin.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(admin, customer.admin);
  await admin
    .waitForURL((url) => url.port === String(e2e.port) || url.pathname.includes("consent"), { timeout: 15_000 })
    .catch(() => undefined);
  const accept = admin.getByRole("button", { name: "Accept" });
  if (await accept.isVisible().catch(() => false)) await accept.click();
  await expect(admin).toHaveURL(/\/onboarding$/);
  await admin.goto(link);
  await expect(admin.getByText("This invitation link has already been used by an organisation.")).toBeVisible();
  await admin.context().close();

  // Used, by that organisation; the tenant carries the reference, and the trail says who set it and through what.
  await page.reload();
  await expect(row.getByTestId("invitation-status")).toHaveText("Used");
  await row.getByRole("link", { name: /.+/ }).click();
  await expect(page).toHaveURL(new RegExp(`/console/tenants/${customer.tenantId}$`));
  await expect(page.getByRole("textbox", { name: "Customer reference" })).toHaveValue(reference);
  const trail = page.getByRole("table", { name: "Audit trail" });
  await expect(trail.getByRole("row").filter({ hasText: "tenant.customer_reference_set" })).toContainText(reference);
  await expect(trail.getByRole("row").filter({ hasText: "invitation.used" })).toHaveCount(1);
  // Found by it, too.
  await page.goto(`/console/tenants?q=${reference.toLowerCase()}`);
  await expect(page.locator(`tr[data-tenant-id="${customer.tenantId}"]`)).toHaveCount(1);
});

test("the alert log names the organisation and says what each e-mail was about in words", async ({ page }) => {
  await signInAs(page, SAM, "/console/alerts");
  const log = page.getByRole("table", { name: "Alert log" });
  const recovered = log
    .getByRole("row")
    .filter({ hasText: "Connection working again" })
    .filter({ has: page.getByRole("link", { name: "Fabrikam, Inc." }) });
  const before = await recovered.count();

  // Fabrikam's connection breaks and is mended, from the console's re-run.
  await emulator.action("removeRole", { environment: "fabrikam", role: "Northwind Sync Integration" });
  await page.goto(`/console/tenants/${FABRIKAM}`);
  const rerun = page.getByRole("button", { name: /^Re-run check now for https:\/\/fabrikam\./ });
  const live = page.getByRole("region", { name: /^Re-run of https:\/\/fabrikam\./ });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Failed", { timeout: 30_000 });
  await emulator.action("assignRole", { environment: "fabrikam", role: "Northwind Sync Integration" });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Passed", { timeout: 30_000 });

  await page.goto("/console/alerts");
  await expect.poll(() => recovered.count()).toBeGreaterThan(before);
  await expect(
    log
      .getByRole("row")
      .filter({ hasText: "Connection broken" })
      .filter({ has: page.getByRole("link", { name: "Fabrikam, Inc." }) })
      .first(),
  ).toBeVisible();
  await expect(recovered.first().getByRole("link", { name: "Fabrikam, Inc." })).toHaveAttribute(
    "href",
    `/console/tenants/${FABRIKAM}`,
  );
  // Neither the tenant's GUID nor the portal's internal codes.
  await expect(log).not.toContainText(FABRIKAM);
  await expect(log).not.toContainText("alert.");
});

test("a monitored tenant: the audit trail shows people's actions first, scheduled checks on demand; the history keeps the customer's own check", async ({
  page,
  browser,
}) => {
  await signInAs(page, SAM, `/console/tenants/${FABRIKAM}`);
  const trail = page.getByRole("table", { name: "Audit trail" });
  const views = page.getByRole("navigation", { name: "Audit trail views" });
  const people = views.getByRole("link", { name: /^People’s actions \(\d+\)$/ });
  const scheduled = views.getByRole("link", { name: /^Scheduled checks \(\d+\)$/ });
  await expect(people).toHaveAttribute("aria-current", "page");
  // The seed alone has 24 hourly scheduled checks, two events each.
  expect(Number((await scheduled.textContent())!.match(/\((\d+)\)/)![1])).toBeGreaterThanOrEqual(48);

  // By default: what people did — the administrator's onboarding is there, no scheduled check in between.
  const whoCells = trail.locator('td[data-label="Who"]');
  await expect(trail).toContainText("environment.registered");
  await expect(trail.getByRole("row").filter({ hasText: "environment.registered" })).toContainText("Diego Siciliani");
  await expect(trail).not.toContainText("scheduled re-verification");
  for (const who of await whoCells.allTextContents()) expect(who).toMatch(/\((customer|staff)\)$/);

  // Scheduled checks, when asked.
  await scheduled.click();
  await expect(page).toHaveURL(new RegExp(`/console/tenants/${FABRIKAM}\\?events=automatic#audit$`));
  await expect(scheduled).toHaveAttribute("aria-current", "page");
  await expect(trail).toContainText("check.started");
  for (const who of await whoCells.allTextContents()) expect(who).toMatch(/^scheduled re-verification \(system\)$/);
  // And everything.
  await views.getByRole("link", { name: /^All events \(\d+\)$/ }).click();
  await expect(page).toHaveURL(/\?events=all#audit$/);
  await expect(trail).toContainText("scheduled re-verification");

  // The check history keeps the administrator's setup check beside the newest scheduled ones, and no seeded check
  // is older than the environment's registration.
  const history = page.getByRole("list", { name: "Check history" });
  await expect(history.locator(":scope > li").filter({ hasText: "customer by Diego Siciliani" })).toHaveCount(1);
  await expect(
    history.locator(":scope > li").filter({ hasText: "scheduled by scheduled re-verification" }).first(),
  ).toBeVisible();
  const environment = page.getByRole("list", { name: "Environments" }).locator(":scope > li").first();
  const registered = Date.parse((await environment.locator("time").first().getAttribute("datetime"))!);
  const checkTimes = (
    await history.locator(":scope > li summary time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")))
  ).map((d) => Date.parse(d!));
  expect(Math.min(...checkTimes)).toBeGreaterThanOrEqual(registered);

  // The customer's own page too: the check Diego ran is still in his history.
  const environmentId = await environment.getAttribute("data-environment-id");
  const diego = await newPage(browser);
  await signInAs(diego, DIEGO, `/onboarding/environments/${environmentId}`);
  await expect(diego).toHaveURL(new RegExp(`/onboarding/environments/${environmentId}$`));
  await expect(diego.getByRole("list", { name: "Check history" })).toContainText("by Diego Siciliani");
  await diego.context().close();
});
