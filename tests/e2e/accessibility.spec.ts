// Every page of the suite, as its audience sees it, checked by axe-core (WCAG 2.1 A and AA rules): no serious
// or critical violation. Then the same page at 390 px wide (a phone): nothing scrolls sideways. One test per
// audience keeps the suite fast (one sign-in each); each failure names the page and the rule.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { emulator, signInAs, stageCustomer } from "./support/emulator";

const LITWARE = "1a7e5c00-0000-4000-8000-00000000a001";
const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d"; // monitored: scheduled checks every hour (scripts/db-seed.ts)
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
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious, `axe on ${what}`).toEqual([]);
}

async function expectNarrow(page: Page, what: string) {
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  expect(widths.page, `${what} at ${PHONE.width} px: the page is ${widths.page} px wide`).toBeLessThanOrEqual(
    widths.viewport,
  );
}

/**
 * One date format on every page ("4 Dec 2026, 10:10 UTC", components/format.ts, in the reader's zone): no ISO
 * timestamps, no RFC "GMT" or "Fri, 11 Dec …" strings; a <time> shows that format or an age ("3 days ago").
 */
async function expectOneDateFormat(page: Page, what: string) {
  // Microsoft's own error details (staff's "Vendor-side detail") are quoted verbatim, for a Microsoft support case.
  const text = await page.evaluate(() => {
    const body = document.body.cloneNode(true) as HTMLElement;
    body.querySelectorAll('[aria-label="Vendor-side detail"]').forEach((e) => e.remove());
    document.documentElement.appendChild(body);
    const shown = body.innerText;
    body.remove();
    return shown;
  });
  expect(text, `${what}: an ISO timestamp`).not.toMatch(/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/);
  expect(text, `${what}: an RFC date`).not.toMatch(/\bGMT\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} \w{3} \d{4}/);
  for (const shown of await page.locator("time").allInnerTexts()) {
    expect(shown, `${what}: a <time>`).toMatch(
      /^\d{1,2} \w{3} \d{4}, \d\d:\d\d [A-Z]\S*$|\bago$|^just now$|^yesterday$|^in /,
    );
  }
}

async function expectAccessibleAndNarrow(page: Page, url: string, status?: number) {
  await page.setViewportSize(DESKTOP);
  const response = await page.goto(url);
  if (status !== undefined) expect(response?.status(), url).toBe(status);
  await page.waitForLoadState("load");
  expect(await page.title(), `title of ${url}`).toMatch(/ Northwind Sync$|^Connect Dataverse to Northwind Sync$/);
  await expectNoSeriousViolation(page, url);
  await expectOneDateFormat(page, url);

  await page.setViewportSize(PHONE);
  await page.reload();
  await page.waitForLoadState("load");
  await expectNarrow(page, url);
}

test("public and error pages: accessible, and no sideways scrolling on a phone", async ({ page }) => {
  for (const url of [
    "/",
    "/consent",
    "/signin",
    "/signin?returnTo=%2Fconsole",
    "/signin/refused?reason=personal-account",
    "/signin/refused?reason=home-tenant-no-role",
    "/disconnected",
  ]) {
    await expectAccessibleAndNarrow(page, url, 200);
  }
  await expectAccessibleAndNarrow(page, "/no-such-page", 404);
  // The marketplace's landing page: a purchase (issue 22), and a token Microsoft's marketplace does not know.
  const bought = (await emulator.action("marketplacePurchase", {
    planId: "professional",
    quantity: 12,
    tenant: "Tailspin Toys",
    user: "isaiah",
  })) as { landingUrl: string };
  await expectAccessibleAndNarrow(page, new URL(bought.landingUrl).pathname + new URL(bought.landingUrl).search, 200);
  await expectAccessibleAndNarrow(page, "/consent?token=not-a-known-token-at-all", 200);
});

test("the customer's pages: accessible, and no sideways scrolling on a phone", async ({ page }) => {
  // Fabrikam: connected, with a registered environment and its check history.
  await signInAs(page, "diego@fabrikam.onmicrosoft.com", "/onboarding");
  const environment = await page
    .getByRole("list")
    .locator('a[href^="/onboarding/environments/"]')
    .first()
    .getAttribute("href");
  expect(environment).toBeTruthy();
  for (const url of [
    "/onboarding",
    "/onboarding/consent",
    "/onboarding/environments",
    environment!,
    "/onboarding/disconnect",
  ]) {
    await expectAccessibleAndNarrow(page, url, 200);
  }
  // The confirmation "Remove" asks for, on a phone.
  await page.setViewportSize(PHONE);
  await page.goto("/onboarding/environments");
  await page
    .getByRole("button", { name: /^Remove / })
    .first()
    .click();
  await expect(page.getByRole("button", { name: /^Yes, remove / })).toBeFocused();
  await expectNoSeriousViolation(page, "the confirmation of Remove");
  await expectNarrow(page, "the confirmation of Remove");
  // A customer's account on the console: the 403 page.
  await expectAccessibleAndNarrow(page, "/console", 403);
});

test("an environment's page in each state (new, failing, after a stopped setup): accessible, and no sideways scrolling on a phone", async ({
  page,
}) => {
  const customer = await stageCustomer({
    name: "Accessible States",
    environments: [
      { name: "prod", appUser: "no-role" },
      { name: "dev", appUser: "none" },
    ],
  });
  await signInAs(page, customer.admin);
  const pages: string[] = [];
  for (const name of ["prod", "dev"]) {
    await page.goto("/onboarding/environments");
    await page.getByLabel("Environment URL").fill(customer.environmentUrl(name));
    await page.getByRole("button", { name: "Register environment" }).click();
    await page.getByRole("link", { name: "Set up its application user" }).click();
    await expect(page.getByTestId("environment-state")).toBeVisible();
    pages.push(page.url());
  }
  // prod failing (its cause, fix and who can fix it at the top), dev never checked.
  await page.goto(pages[0]!);
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Failed", { timeout: 30_000 });
  for (const url of pages) await expectAccessibleAndNarrow(page, url, 200);
  // The live check's result beside the state, on a phone.
  await page.setViewportSize(PHONE);
  await page.goto(pages[0]!);
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Failed", { timeout: 30_000 });
  // A finished check refreshes the page (components/checks/use-check-progress.ts): axe reads the page it lands on.
  // Mid-refresh, Next.js streams the metadata again and the document can be without its <title> for a moment (axe
  // once caught that: "document-title").
  await page.waitForLoadState("networkidle");
  await expect(page).toHaveTitle(/ Northwind Sync$/);
  await expectNoSeriousViolation(page, "a failing environment with its live check");
  await expectNarrow(page, "a failing environment with its live check");
});

test("the support console: accessible, and no sideways scrolling on a phone", async ({ page }) => {
  await signInAs(page, "sam.support@northwind.onmicrosoft.com", "/console");
  for (const url of [
    "/console",
    "/console/tenants",
    "/console/tenants?stage=failing",
    "/console/tenants?q=SUB-1042",
    `/console/tenants/${LITWARE}`,
    `/console/tenants/${FABRIKAM}?events=automatic`,
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
  // (The alert log says what an e-mail was about in words; the webhook log names the event type as sent.)
  for (const [url, label, ready] of [
    ["/console/alerts", "Alert log", "Connection ready"],
    ["/console/webhooks", "Webhook deliveries", "connection.ready"],
  ] as const) {
    await page.goto(url);
    const table = page.getByRole("table", { name: label });
    await expect(table.getByRole("row").filter({ hasText: ready }).first()).toBeVisible();
    expect(
      await table.locator("thead").evaluate((e) => getComputedStyle(e).position),
      `${label} header on a phone`,
    ).toBe("absolute");
    expect(
      await table
        .locator("tbody tr")
        .first()
        .evaluate((e) => getComputedStyle(e).display),
      `${label} rows on a phone`,
    ).toBe("block");
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

test("signing in again before a destructive step: accessible, and no sideways scrolling on a phone", async ({
  page,
}) => {
  await signInAs(page, "megan@contoso.onmicrosoft.com");
  // A sign-in that authenticated two hours ago (single sign-on at the emulator keeps auth_time).
  await emulator.action("ageSignIns", { seconds: 2 * 3600 });
  await page.context().clearCookies({ domain: "localhost" });
  await signInAs(page, "megan@contoso.onmicrosoft.com");
  await expectAccessibleAndNarrow(page, "/signin?reauth=1&returnTo=%2Fonboarding%2Fdisconnect", 200);
  await expect(page.getByRole("heading", { name: "Sign in again to continue" })).toBeVisible();
});
