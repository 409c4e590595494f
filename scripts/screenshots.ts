// `npm run screenshots`: screenshots of the customer journey and the support console for the README, taken
// with Playwright from a running demo (`npm run demo` in another terminal, or SCREENSHOTS_URL for another
// address) and written to docs/screenshots/. Uses the demo's accounts (README "The demo"), so it changes what
// a demo shows only as a visitor would (sign-ins).
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { DEBIAN_CHROMIUM } from "./chromium/find";

const baseURL = process.env.SCREENSHOTS_URL || `http://localhost:${process.env.PORT || "3000"}`;
const out = path.resolve(import.meta.dirname, "..", "docs", "screenshots");

async function signIn(page: Page, upn: string, returnTo: string) {
  await page.goto(`${baseURL}/signin?returnTo=${encodeURIComponent(returnTo)}`);
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: new RegExp(`\\(${upn.replace(/[.]/g, "\\.")}\\)`) }).click();
  const accept = page.getByRole("button", { name: "Accept" });
  await page.waitForURL((url) => url.origin === new URL(baseURL).origin || url.pathname.includes("consent"), {
    timeout: 15_000,
  });
  if (await accept.isVisible().catch(() => false)) await accept.click();
  await page.waitForURL((url) => url.origin === new URL(baseURL).origin, { timeout: 15_000 });
}

async function shot(page: Page, name: string, url?: string) {
  if (url) await page.goto(`${baseURL}${url}`);
  await page.waitForLoadState("load");
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png  ${page.url()}`);
}

async function main() {
  const health = await fetch(`${baseURL}/api/health`).catch(() => null);
  if (!health)
    throw new Error(`No portal answers at ${baseURL}. Start the demo first (npm run demo), or set SCREENSHOTS_URL.`);
  mkdirSync(out, { recursive: true });
  const executablePath =
    process.env.PLAYWRIGHT_CHROMIUM_PATH || (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const desktop = { viewport: { width: 1280, height: 800 }, ignoreHTTPSErrors: true, timezoneId: "Europe/London" };

  // The customer's journey: the landing page, the consent page, a connected organisation and its check.
  const customer = await (await browser.newContext(desktop)).newPage();
  await shot(customer, "01-landing", "/");
  await shot(customer, "02-consent", "/consent");
  await signIn(customer, "diego@fabrikam.onmicrosoft.com", "/onboarding");
  await shot(customer, "03-overview", "/onboarding");
  const environment = await customer
    .locator('main a[href^="/onboarding/environments/"]')
    .first()
    .getAttribute("href", { timeout: 10_000 })
    .catch(() => null);
  if (environment) {
    await customer.goto(`${baseURL}${environment}`);
    const run = customer.getByRole("button", { name: "Run connection check" });
    if (await run.isVisible().catch(() => false)) {
      await run.click();
      await customer
        .getByText(/Checking…/)
        .waitFor({ state: "detached", timeout: 60_000 })
        .catch(() => undefined);
    }
    await shot(customer, "04-check");
  }

  // The support console.
  const staff = await (await browser.newContext(desktop)).newPage();
  await signIn(staff, "sam.support@northwind.onmicrosoft.com", "/console");
  await shot(staff, "05-console", "/console");
  await shot(staff, "06-console-tenants", "/console/tenants");
  await staff.getByRole("table", { name: "Tenants" }).getByRole("link", { name: "Litware" }).click();
  await staff.waitForURL(/\/console\/tenants\/[0-9a-f-]{36}$/);
  await shot(staff, "07-console-tenant");

  // A phone: the tenant list as stacked rows.
  const phone = await (
    await browser.newContext({ ...desktop, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
  ).newPage();
  await signIn(phone, "sam.support@northwind.onmicrosoft.com", "/console/tenants");
  await phone.goto(`${baseURL}/console/tenants`);
  await phone.waitForLoadState("load");
  await phone.getByRole("table", { name: "Tenants" }).evaluate((table) => table.scrollIntoView({ block: "start" }));
  await phone.screenshot({ path: path.join(out, "08-phone-tenants.png") });
  console.log("docs/screenshots/08-phone-tenants.png");

  await browser.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
