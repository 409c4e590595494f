// Every page of the suite, as its audience sees it, checked by axe-core (WCAG 2.1 A and AA rules): no serious
// or critical violation. Then the same page at 390 px wide (a phone): nothing scrolls sideways. One test per
// audience keeps the suite fast (one sign-in each); each failure names the page and the rule.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { emulator, signInAs } from "./support/emulator";

const LITWARE = "1a7e5c00-0000-4000-8000-00000000a001";
// Seeded (scripts/db-seed.ts): Coho Winery's marketplace subscription, suspended then cancelled.
const COHO = "1a7e5c00-0000-4000-8000-00000000a003";
const COHO_SUBSCRIPTION = "c0a0e0a0-0000-4000-8000-00000000a003";
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

// Each test walks several pages twice (two widths) and runs axe on each: a slow-test budget, not a retry.
test.describe.configure({ timeout: 150_000 });

test.beforeEach(async () => {
  await emulator.reset();
});

async function expectNoSeriousViolation(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious, `axe on ${what}`).toEqual([]);
}

async function expectNarrow(page: Page, what: string) {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, viewport: window.innerWidth }));
  expect(widths.page, `${what} at ${PHONE.width} px: the page is ${widths.page} px wide`).toBeLessThanOrEqual(widths.viewport);
}

async function expectAccessibleAndNarrow(page: Page, url: string, status?: number) {
  await page.setViewportSize(DESKTOP);
  const response = await page.goto(url);
  if (status !== undefined) expect(response?.status(), url).toBe(status);
  await page.waitForLoadState("load");
  expect(await page.title(), `title of ${url}`).toMatch(/ Northwind Sync$|^Connect Dataverse to Northwind Sync$/);
  await expectNoSeriousViolation(page, url);

  await page.setViewportSize(PHONE);
  await page.reload();
  await page.waitForLoadState("load");
  await expectNarrow(page, url);
}

test("public and error pages: accessible, and no sideways scrolling on a phone", async ({ page }) => {
  for (const url of ["/", "/consent", "/signin", "/signin?returnTo=%2Fconsole", "/signin/refused?reason=personal-account", "/signin/refused?reason=home-tenant-no-role", "/disconnected"]) {
    await expectAccessibleAndNarrow(page, url, 200);
  }
  await expectAccessibleAndNarrow(page, "/no-such-page", 404);
  // The marketplace's landing page: a purchase (issue 22), and a token Microsoft's marketplace does not know.
  const bought = (await emulator.action("marketplacePurchase", { planId: "professional", quantity: 12, tenant: "Tailspin Toys", user: "isaiah" })) as { landingUrl: string };
  await expectAccessibleAndNarrow(page, new URL(bought.landingUrl).pathname + new URL(bought.landingUrl).search, 200);
  await expectAccessibleAndNarrow(page, "/consent?token=not-a-known-token-at-all", 200);
});

test("the customer's pages: accessible, and no sideways scrolling on a phone", async ({ page }) => {
  // Fabrikam: connected, with a registered environment and its check history.
  await signInAs(page, "diego@fabrikam.onmicrosoft.com", "/onboarding");
  const environment = await page.getByRole("list").locator('a[href^="/onboarding/environments/"]').first().getAttribute("href");
  expect(environment).toBeTruthy();
  for (const url of ["/onboarding", "/onboarding/consent", "/onboarding/environments", environment!, "/onboarding/disconnect"]) {
    await expectAccessibleAndNarrow(page, url, 200);
  }
  // The confirmation "Remove" asks for, on a phone.
  await page.setViewportSize(PHONE);
  await page.goto("/onboarding/environments");
  await page.getByRole("button", { name: /^Remove / }).first().click();
  await expect(page.getByRole("button", { name: /^Yes, remove / })).toBeFocused();
  await expectNoSeriousViolation(page, "the confirmation of Remove");
  await expectNarrow(page, "the confirmation of Remove");
  // A customer's account on the console: the 403 page.
  await expectAccessibleAndNarrow(page, "/console", 403);
});

test("the support console: accessible, and no sideways scrolling on a phone", async ({ page }) => {
  await signInAs(page, "sam.support@northwind.onmicrosoft.com", "/console");
  for (const url of [
    "/console",
    "/console/tenants",
    "/console/tenants?stage=failing",
    `/console/tenants/${LITWARE}`,
    "/console/invitations",
    "/console/activity",
    "/console/alerts",
    "/console/webhooks",
    "/console/subscriptions",
    "/console/subscriptions?status=PENDING",
    `/console/subscriptions/${COHO_SUBSCRIPTION}`,
    `/console/tenants/${COHO}`,
  ]) {
    await expectAccessibleAndNarrow(page, url, 200);
  }
  // The two logs are tables (the seed's first day of Fabrikam is in them), stacked into rows on a phone.
  for (const [url, label] of [["/console/alerts", "Alert log"], ["/console/webhooks", "Webhook deliveries"]] as const) {
    await page.goto(url);
    const table = page.getByRole("table", { name: label });
    await expect(table.getByRole("row").filter({ hasText: "connection.ready" }).first()).toBeVisible();
    expect(await table.locator("thead").evaluate((e) => getComputedStyle(e).position), `${label} header on a phone`).toBe("absolute");
    expect(await table.locator("tbody tr").first().evaluate((e) => getComputedStyle(e).display), `${label} rows on a phone`).toBe("block");
  }
  // The navigation marks where one is, sub-pages included.
  await page.goto(`/console/tenants/${LITWARE}`);
  const nav = page.getByRole("navigation", { name: "Support console" });
  await expect(nav.getByRole("link", { name: "Tenants" })).toHaveAttribute("aria-current", "page");
  await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);

  // The console's own 404s: a malformed filter, an unknown tenant.
  await expectAccessibleAndNarrow(page, "/console/tenants?stage=nonsense", 404);
  await expectAccessibleAndNarrow(page, "/console/tenants/99999999-0000-4000-8000-000000000000", 404);
});
