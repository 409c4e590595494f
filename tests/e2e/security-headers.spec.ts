// Security headers on every page and route of the production build, and no page that renders in a frame —
// not even signed in, on the portal's own origin, where the environments page shows its one-click Remove.
// The page list is read from the build, so a page added later is covered without touching this file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type Page, type Response } from "@playwright/test";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { emulator, signInAs } from "./support/emulator";
import { e2e } from "./support/env";

const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
const DIEGO = "diego@fabrikam.onmicrosoft.com"; // Fabrikam's Global Administrator (consented, one environment)
const SAM = "sam.support@northwind.onmicrosoft.com"; // Support.Operator + Support.Admin

test.beforeEach(async () => {
  await emulator.reset();
});

/** Every page of the build, as URL patterns (route groups removed). */
async function builtPages(): Promise<string[]> {
  const manifest = JSON.parse(
    await readFile(path.join(process.cwd(), ".next", "server", "app-paths-manifest.json"), "utf8"),
  ) as Record<string, string>;
  return Object.keys(manifest)
    .filter((k) => k.endsWith("/page") && !k.startsWith("/_"))
    .map((k) => k.replace(/\/\([^)]+\)/g, "").replace(/\/page$/, "") || "/")
    .sort();
}

function expectSecurityHeaders(response: Pick<Response, "headers"> | null, what: string) {
  expect(response, what).not.toBeNull();
  const h = response!.headers();
  const csp = h["content-security-policy"] ?? "";
  expect(csp, what).toMatch(/(^|; )script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'(;|$)/);
  for (const directive of [
    "default-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    `form-action 'self' ${e2e.emulatorURL}`,
  ]) {
    expect(csp, `${what}: ${directive}`).toContain(directive);
  }
  expect(csp, what).not.toContain("unsafe-inline");
  expect(h["x-frame-options"], what).toBe("DENY");
  expect(h["x-content-type-options"], what).toBe("nosniff");
  expect(h["referrer-policy"], what).toBe("strict-origin-when-cross-origin");
  expect(h["permissions-policy"], what).toContain("camera=()");
  // The suite's portal runs on http://localhost: no HSTS there (it is sent when AUTH_URL is https).
  expect(h["strict-transport-security"], what).toBeUndefined();
}

/** Console errors that say the CSP blocked something: a page that needs them is broken by the policy. */
function collectCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  return violations;
}

async function fabrikamEnvironmentId(page: Page): Promise<string> {
  await page.goto("/onboarding/environments");
  const href = await page.locator("a[href^='/onboarding/environments/']").first().getAttribute("href");
  const id = href?.split("/").pop() ?? "";
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

test("every page, signed out, as a customer and as staff, carries the headers, and the policy blocks nothing it serves", async ({
  browser,
}) => {
  test.setTimeout(150_000); // three sign-ins and every page twice over
  const pages = await builtPages();
  const customerPages = pages.filter((p) => p.startsWith("/onboarding"));
  const staffPages = pages.filter((p) => p.startsWith("/console"));
  const publicPages = pages.filter((p) => !customerPages.includes(p) && !staffPages.includes(p));
  expect(publicPages).toEqual(["/", "/consent", "/disconnected", "/signin", "/signin/refused"]);

  const visit = async (page: Page, urls: string[]) => {
    for (const url of urls) {
      const response = await page.goto(url);
      expect(response?.status(), url).toBeLessThan(400);
      expectSecurityHeaders(response, url);
      // The page hydrated: Next's nonce-stamped scripts ran.
      await expect.poll(() => page.evaluate(() => "next" in window), { message: url }).toBe(true);
    }
  };

  const visitor = await (await browser.newContext()).newPage();
  const visitorViolations = collectCspViolations(visitor);
  await visit(visitor, [...publicPages, "/signin/refused?reason=personal-account", "/consent?invitation=short"]);
  const notFound = await visitor.goto("/no-such-page");
  expect(notFound?.status()).toBe(404);
  expectSecurityHeaders(notFound, "404 page");

  const customer = await (await browser.newContext()).newPage();
  const customerViolations = collectCspViolations(customer);
  await signInAs(customer, DIEGO);
  const environmentId = await fabrikamEnvironmentId(customer);
  await visit(
    customer,
    customerPages.map((p) => p.replace("[environmentId]", environmentId)),
  );

  const staff = await (await browser.newContext()).newPage();
  const staffViolations = collectCspViolations(staff);
  await signInAs(staff, SAM, "/console");
  // Fabrikam's marketplace subscription is seeded (scripts/db-seed.ts, DEMO_IDS.subscriptions.fabrikam).
  await visit(
    staff,
    staffPages.map((p) =>
      p.replace("[tenantId]", FABRIKAM).replace("[subscriptionId]", DEMO_IDS.subscriptions.fabrikam),
    ),
  );

  expect([...visitorViolations, ...customerViolations, ...staffViolations]).toEqual([]);
  for (const p of [visitor, customer, staff]) await p.context().close();
});

test("route handlers, redirects, errors and static files carry the headers too", async ({ page, request }) => {
  expectSecurityHeaders(await request.get("/api/health"), "/api/health");
  expectSecurityHeaders(await request.get("/api/auth/session"), "/api/auth/session");
  expectSecurityHeaders(
    await request.get("/api/checks/00000000-0000-4000-8000-000000000000"),
    "/api/checks (signed out)",
  );
  expectSecurityHeaders(
    await request.get("/consent/callback?state=x", { maxRedirects: 0 }),
    "/consent/callback redirect",
  );
  expectSecurityHeaders(await request.get("/onboarding", { maxRedirects: 0 }), "/onboarding redirect");
  expectSecurityHeaders(await request.get("/console/tenants.csv", { maxRedirects: 0 }), "/console/tenants.csv");

  // The consent callback's own plain page (a rejected state) keeps its style under the policy.
  const violations = collectCspViolations(page);
  await signInAs(page, DIEGO);
  const rejected = await page.goto("/consent/callback?state=forged&admin_consent=True");
  expect(rejected?.status()).toBe(400);
  expectSecurityHeaders(rejected, "/consent/callback 400 page");
  await expect(page.getByRole("link", { name: "Back to admin consent" })).toHaveCSS(
    "background-color",
    "rgb(29, 78, 216)",
  );

  await page.goto("/");
  const script = await page.locator("script[src^='/_next/static/']").first().getAttribute("src");
  expectSecurityHeaders(await request.get(script!), "static chunk");
  expect(violations).toEqual([]);
});

test("no page renders inside a frame, even signed in on the portal's own origin", async ({ page }) => {
  await signInAs(page, DIEGO);
  const environmentId = await fabrikamEnvironmentId(page);
  const targets = [
    ...new Set([`/onboarding/environments/${environmentId}`, ...(await builtPages()).filter((p) => !p.includes("["))]),
  ];
  expect(targets).toContain("/onboarding/environments");
  // A page that frames them: served by Playwright on the portal's own origin (so the signed-in cookies go
  // along and no parent policy interferes), with a same-document frame as a control that framing works.
  const framingPage = `${e2e.baseURL}/__framing-test`;
  await page.route(framingPage, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>framing test</title>
        <iframe name="control" srcdoc="<p>control frame rendered</p>"></iframe>
        ${targets.map((t, i) => `<iframe name="target-${i}" src="${t}"></iframe>`).join("\n")}`,
    }),
  );
  // The last document response of each frame (after any redirect, e.g. /signin → /onboarding when signed in).
  const framed = new Map<string, Response>();
  page.on("response", (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() === page.mainFrame()) return;
    let first = request;
    while (first.redirectedFrom()) first = first.redirectedFrom()!;
    framed.set(new URL(first.url()).pathname, response);
  });
  await page.goto(framingPage);
  await expect(page.frameLocator("iframe[name=control]").getByText("control frame rendered")).toBeVisible();

  // Every framed page was served (and would have rendered signed in) …
  await expect.poll(() => framed.size, { timeout: 30_000 }).toBe(targets.length);
  expect([...framed.keys()].sort()).toEqual([...targets].sort());
  for (const [target, response] of framed) {
    expect(response.status(), `${target}: ${response.url()}`).toBeLessThan(500); // the console answers a customer 403
    expectSecurityHeaders(response, `framed ${response.url()}`);
  }
  // … and the browser shows none of it.
  for (let i = 0; i < targets.length; i++) {
    const frame = await (await page.locator(`iframe[name=target-${i}]`).elementHandle())!.contentFrame();
    expect(frame, targets[i]).not.toBeNull();
    // Once the frame's navigation is over it holds either the portal's page or Chromium's error page.
    await expect.poll(() => frame!.url(), { message: targets[i], timeout: 15_000 }).not.toMatch(/^(about:blank)?$/);
    expect(frame!.url(), targets[i]).toBe("chrome-error://chromewebdata/");
    const text = await frame!.evaluate(() => document.body?.innerText ?? "").catch(() => "");
    expect(text, targets[i]).not.toMatch(/Fabrikam|Remove|Sign out|Northwind/);
  }
  const environments = targets.indexOf("/onboarding/environments");
  await expect(
    page.frameLocator(`iframe[name=target-${environments}]`).getByRole("button", { name: /Remove/ }),
  ).toHaveCount(0);
});
