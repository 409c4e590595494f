// The ISV support console, driven in Chromium against the demo stack (emulator + seeded embedded database).
// Seeded tenants (scripts/db-seed.ts): Fabrikam (connected), Litware (failing at the token step), Proseware
// (failing at the application user), Coho Winery (warning, 12 days old), Alpine Ski House (environment never
// checked), Wide World Importers (consented only), Woodgrove Bank (signed in only).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { emulator, pickAccount, signInAs } from "./support/emulator";

const SAM = "sam.support@northwind.onmicrosoft.com"; // Support.Operator + Support.Admin
const OLIVIA = "olivia.ops@northwind.onmicrosoft.com"; // Support.Operator
const DAN = "dan.dev@northwind.onmicrosoft.com"; // home tenant, no role
const MEGAN = "megan@contoso.onmicrosoft.com"; // a customer's Global Administrator

const LITWARE = "1a7e5c00-0000-4000-8000-00000000a001";
const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";

test.beforeEach(async () => {
  await emulator.reset();
});

async function signedInPage(browser: Browser, upn: string, returnTo: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, upn, returnTo);
  return page;
}

// ---------------------------------------------------------------------------------------------------------
// What the console consists of, read from the production build the suite runs against, so a page, route or
// server action added later is covered (or this test fails until the lists below name it).

type ConsoleSurface = {
  pages: string[];
  routes: string[];
  actions: Array<{ id: string; name: string; worker: string }>;
};

const EXPECTED_PAGES = [
  "/console",
  "/console/activity",
  "/console/alerts",
  "/console/invitations",
  "/console/subscriptions",
  "/console/subscriptions/[subscriptionId]",
  "/console/tenants",
  "/console/tenants/[tenantId]",
  "/console/webhooks",
];
const EXPECTED_ROUTES = ["/console/api/checks/[checkId]", "/console/tenants.csv"];
const EXPECTED_ACTIONS = [
  "createInvitationAction",
  "rerunCheckAction",
  "revokeInvitationAction",
  "setCustomerReferenceAction",
];

async function consoleSurface(): Promise<ConsoleSurface> {
  const server = path.join(process.cwd(), ".next", "server");
  const appPaths = JSON.parse(await readFile(path.join(server, "app-paths-manifest.json"), "utf8")) as Record<
    string,
    string
  >;
  const toUrl = (key: string) => key.replace(/^\/\(support\)/, "").replace(/\/(page|route)$/, "") || "/";
  const keys = Object.keys(appPaths).filter((k) => k.startsWith("/(support)/"));
  const references = JSON.parse(await readFile(path.join(server, "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string; workers: Record<string, unknown> }>;
  };
  const actions = Object.entries(references.node)
    .filter(([, a]) => a.filename?.startsWith("app/(support)/"))
    .map(([id, a]) => ({ id, name: a.exportedName ?? "?", worker: Object.keys(a.workers)[0]! }));
  return {
    pages: keys
      .filter((k) => k.endsWith("/page"))
      .map(toUrl)
      .sort(),
    routes: keys
      .filter((k) => k.endsWith("/route"))
      .map(toUrl)
      .sort(),
    actions: actions.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

const concrete = (url: string, ids: { tenantId: string; checkId: string }) =>
  url
    .replace("[tenantId]", ids.tenantId)
    .replace("[checkId]", ids.checkId)
    .replace("[subscriptionId]", "4aea5574-281c-7b2f-de26-e0f8369bc2d2");
const workerUrl = (worker: string, ids: { tenantId: string; checkId: string }) =>
  concrete(worker.replace(/^app\/\(support\)/, "").replace(/\/page$/, ""), ids);

/** Calls a server action the way Next's client does (POST to a page with the Next-Action header). */
function callAction(request: APIRequestContext, url: string, actionId: string) {
  return request.post(url, {
    headers: { "Next-Action": actionId, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
    data: "[]",
    maxRedirects: 0,
  });
}

/** A real check id to put into /console/api/checks/<id>: the newest check of Litware, read as Sam. */
async function knownIds(browser: Browser) {
  const page = await signedInPage(browser, SAM, `/console/tenants/${LITWARE}`);
  const checkId = await page.locator("[data-check-id]").first().getAttribute("data-check-id");
  await page.context().close();
  expect(checkId).toMatch(/^[0-9a-f-]{36}$/);
  return { tenantId: LITWARE, checkId: checkId! };
}

test("the console's pages, routes and actions are the ones this suite covers", async () => {
  const surface = await consoleSurface();
  expect(surface.pages).toEqual(EXPECTED_PAGES);
  expect(surface.routes).toEqual(EXPECTED_ROUTES);
  expect(surface.actions.map((a) => a.name)).toEqual(EXPECTED_ACTIONS);
});

test("a customer admin gets 403 at every console page, route and action", async ({ browser }) => {
  // Dozens of page loads: more than the default minute on a busy 2-core machine.
  test.slow();
  const surface = await consoleSurface();
  const ids = await knownIds(browser);
  const page = await signedInPage(browser, MEGAN, "/onboarding");
  // No way in from the header either; signed in, the header offers the customer's own area instead of
  // "Connect your organisation".
  await expect(page.getByRole("link", { name: "Support console" })).toHaveCount(0);
  await expect(page.getByRole("banner").getByRole("link", { name: "Your onboarding" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Connect your organisation" })).toHaveCount(0);
  // The 403 page says what would open it and offers another account.
  await page.goto("/console");
  await expect(
    page.getByText(/This page is for Northwind Traders' support staff \(app role Support\.Operator\)/),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Use another account" })).toBeVisible();

  for (const url of [...surface.pages, ...EXPECTED_PAGES.map((p) => `${p}?stage=failing`)].map((u) =>
    concrete(u, ids),
  )) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(403);
    await expect(page.getByRole("heading", { name: "You don’t have access to this page" }), url).toBeVisible();
    await expect(page.locator("body"), url).not.toContainText("Litware");
  }
  for (const url of surface.routes.map((u) => concrete(u, ids))) {
    const response = await page.request.get(url, { maxRedirects: 0 });
    expect(response.status(), url).toBe(403);
    expect(await response.text(), url).not.toContain("Litware");
  }
  for (const action of surface.actions) {
    const response = await callAction(page.request, workerUrl(action.worker, ids), action.id);
    expect(response.status(), action.name).toBe(403);
  }
  await page.context().close();
});

test("a home-tenant user without a support role is refused at sign-in, told which role is missing, and gets nothing", async ({
  browser,
}) => {
  const ids = await knownIds(browser);
  const page = await signedInPage(browser, DAN, "/console");
  await expect(page.getByRole("heading", { name: "This account has no role in the support console" })).toBeVisible();
  await expect(page.getByText(/needs the app role Support\.Operator .* or Support\.Admin/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with another account" })).toBeVisible();
  // Not signed in: neither the console nor the customer area opens (the vendor's tenant is never a customer).
  for (const url of ["/console", concrete("/console/tenants/[tenantId]", ids), "/onboarding"]) {
    const response = await page.request.get(url, { maxRedirects: 0 });
    expect(response.status(), url).toBe(307);
    expect(response.headers().location, url).toMatch(/^\/signin\?returnTo=/);
  }
  await page.context().close();
});

test("a signed-out visitor is sent to sign in from every console page and route, and actions do nothing", async ({
  browser,
  request,
}) => {
  const surface = await consoleSurface();
  const ids = await knownIds(browser);
  for (const url of surface.pages.map((u) => concrete(u, ids))) {
    const response = await request.get(url, { maxRedirects: 0 });
    expect(response.status(), url).toBe(307);
    expect(response.headers().location, url).toBe(`/signin?returnTo=${encodeURIComponent(url)}`);
  }
  // The CSV is a link a person follows: sign in first. The progress route is polled by script: 401.
  const csv = await request.get("/console/tenants.csv?stage=failing", { maxRedirects: 0 });
  expect(csv.status()).toBe(303);
  expect(csv.headers().location).toMatch(/\/signin\?returnTo=%2Fconsole%2Ftenants\.csv%3Fstage%3Dfailing$/);
  const progress = await request.get(concrete("/console/api/checks/[checkId]", ids), { maxRedirects: 0 });
  expect(progress.status()).toBe(401);
  for (const action of surface.actions) {
    const response = await callAction(request, workerUrl(action.worker, ids), action.id);
    // A server action answers a redirect to its caller in a header (the client then navigates).
    expect(response.headers()["x-action-redirect"] ?? response.headers().location, action.name).toMatch(
      /^\/signin\?returnTo=/,
    );
  }
  // And following a page leads to the console's own sign-in page, which speaks to staff.
  const page = await browser.newPage();
  await page.goto("/console/tenants");
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fconsole%2Ftenants$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to the support console" })).toBeVisible();
  await expect(
    page.getByText("For Northwind Traders' support staff: use your Northwind Traders work account.", { exact: false }),
  ).toBeVisible();
  await expect(page.getByText(/connect it to/)).toHaveCount(0);
  await page.close();
});

test("the operator role may view and re-run but not revoke; revoking needs the admin role", async ({ browser }) => {
  const surface = await consoleSurface();
  const page = await signedInPage(browser, OLIVIA, "/console/invitations");
  await expect(page.getByRole("heading", { level: 1, name: "Invitations" })).toBeVisible();
  await expect(page.getByText("Revoking an invitation needs the support admin role.")).toBeVisible();
  const revoke = surface.actions.find((a) => a.name === "revokeInvitationAction")!;
  const response = await callAction(page.request, "/console/invitations", revoke.id);
  expect(response.status()).toBe(403);
  await page.context().close();
});

// ---------------------------------------------------------------------------------------------------------

test("staff see tenants in every state, filter to the failing ones, open one and re-run its check", async ({
  page,
}) => {
  await signInAs(page, SAM, "/console");
  await expect(page.getByRole("heading", { level: 1, name: "Onboarding at a glance" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Support console" })).toBeVisible();

  // The picture first: funnel and failures by step as labelled charts, with the figures as tables.
  const funnel = page.getByRole("img", { name: /^Onboarding funnel: Signed in \d+ tenants; Consented \d+ tenants;/ });
  await expect(funnel).toBeVisible();
  const funnelTable = page.getByRole("table", { name: "Onboarding funnel figures" });
  await expect(funnelTable.getByRole("row", { name: /^Failing \d+/ })).toBeVisible();
  const failingCount = Number(await funnel.locator('[data-bar="Failing"]').getAttribute("data-value"));
  expect(failingCount).toBeGreaterThanOrEqual(2);
  const failures = page.getByRole("img", { name: /^Failed checks by step, last 7 days: Token \d+ failed checks;/ });
  await expect(failures).toBeVisible();
  expect(Number(await failures.locator('[data-bar="Token"]').getAttribute("data-value"))).toBeGreaterThanOrEqual(1);
  expect(
    Number(await failures.locator('[data-bar="Application user"]').getAttribute("data-value")),
  ).toBeGreaterThanOrEqual(1);
  // Our own credentials (the demo configures no secret: a managed identity, and its certificate in Key Vault as the
  // fallback): kind, expiry, days left, which one is in use (tests/e2e/secretless.spec.ts says more).
  const credentials = page.getByRole("list", { name: "Configured credentials" });
  await expect(credentials.getByTestId("credential")).toHaveCount(2);
  const identity = credentials.getByRole("listitem", { name: "Managed identity (ENTRA_CLIENT_MANAGED_IDENTITY)" });
  const certificate = credentials.getByRole("listitem", {
    name: "Certificate in Key Vault (ENTRA_CLIENT_CERTIFICATE_KEY_VAULT)",
  });
  await expect(identity.getByTestId("credential-kind")).toHaveText("Managed identity (federated)");
  await expect(certificate.getByTestId("credential-kind")).toHaveText("Certificate in Key Vault");
  // In the viewer's zone, named (the browser here runs in UTC), with the exact instant in the markup.
  await expect(certificate.getByTestId("credential-expires")).toHaveText(/^\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC$/);
  const expires = await certificate.getByTestId("credential-expires").locator("time").getAttribute("datetime");
  expect(expires).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const daysLeft = Math.floor((Date.parse(expires!) - Date.now()) / 86_400_000);
  expect([daysLeft, daysLeft + 1]).toContain(
    Number(await certificate.getByTestId("credential-days-left").textContent()),
  );
  expect(daysLeft).toBeGreaterThan(30);
  // The managed identity never expires: it is the one in use.
  await expect(identity).toHaveAttribute("data-in-use", "yes");
  await expect(identity.getByText("In use", { exact: true })).toBeVisible();
  await expect(certificate).toHaveAttribute("data-in-use", "no");
  await expect(certificate.getByText("In use", { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("credential-rejection")).toHaveCount(0);

  // The list: tenants in different states.
  await page.getByRole("navigation", { name: "Support console" }).getByRole("link", { name: "Tenants" }).click();
  const table = page.getByRole("table", { name: "Tenants" });
  const row = (name: string) => table.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
  // Seeded as Microsoft Graph names the organisation; its domain beside it.
  await expect(row("Fabrikam, Inc.")).toContainText("Passed");
  await expect(row("Fabrikam, Inc.")).toContainText("fabrikam.onmicrosoft.com");
  await expect(row("Litware")).toContainText("Failed");
  await expect(row("Litware")).toContainText("Token");
  await expect(row("Litware")).toContainText("Invitation");
  await expect(row("Proseware")).toContainText("Application user");
  await expect(row("Coho Winery")).toContainText("Warning");
  await expect(row("Alpine Ski House")).toContainText("Not checked");
  await expect(row("Woodgrove Bank")).toContainText("Not granted");
  await expect(row("Wide World Importers")).toContainText("Granted");

  // Filter to the failing ones.
  await page.getByLabel("Stage").selectOption("failing");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/console\/tenants\?stage=failing$/);
  await expect(page.getByTestId("result-count")).toHaveText(`${failingCount} tenants match these filters`);
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(failingCount);
  for (const r of await rows.all()) await expect(r).toContainText("Failed");
  await expect(row("Fabrikam, Inc.")).toHaveCount(0);

  // Open one: its environments, check history with the vendor-side detail, audit trail.
  await row("Litware").getByRole("link", { name: "Litware" }).click();
  await expect(page).toHaveURL(new RegExp(`/console/tenants/${LITWARE}$`));
  await expect(page.getByRole("heading", { level: 1, name: "Litware" })).toBeVisible();
  const history = page.getByRole("list", { name: "Check history" });
  await expect(history.locator(":scope > li")).toHaveCount(2);
  const seeded = history.locator(":scope > li").first();
  await expect(seeded.locator('[data-step="token"]')).toHaveAttribute("data-outcome", "FAILED");
  await expect(seeded.locator('[data-detail="aadstsCode"]')).toHaveText("AADSTS700016");
  await expect(seeded.locator('[data-detail="traceId"]')).toHaveText("0d5e3f6a-11c2-4e8b-9a7d-3c2b1a0f9e8d");
  await expect(page.getByRole("table", { name: "Audit trail" })).toContainText("tenant.created");

  // Re-run now: the portal asks Microsoft (the emulator) again; the new result appears live and in the history.
  await page.getByRole("button", { name: /^Re-run check now for https:\/\/litware\./ }).click();
  const live = page.getByRole("region", { name: /^Re-run of https:\/\/litware\./ });
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Failed", { timeout: 30_000 });
  await expect(live.locator('[data-step="token"]')).toHaveAttribute("data-outcome", "FAILED");
  await expect(history.locator(":scope > li")).toHaveCount(3);
  const newest = history.locator(":scope > li").first();
  await expect(newest).toContainText("staff by Sam Taylor");
  await expect(newest.locator('[data-step="token"] dl[aria-label="Vendor-side detail"]')).toBeVisible();
  await expect(page.getByRole("table", { name: "Audit trail" }).getByRole("row").nth(1)).toContainText(
    "check.finished",
  );
  await expect(page.getByRole("table", { name: "Audit trail" })).toContainText("check.started");
});

test("a re-run shows a fix in the customer's environment: failing, then passing", async ({ page }) => {
  await emulator.action("removeRole", { environment: "fabrikam", role: "Northwind Sync Integration" });
  await signInAs(page, SAM, `/console/tenants/${FABRIKAM}`);
  const rerun = page.getByRole("button", { name: /^Re-run check now for https:\/\/fabrikam\./ });
  const live = page.getByRole("region", { name: /^Re-run of https:\/\/fabrikam\./ });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Failed", { timeout: 30_000 });
  await expect(live.locator('[data-step="roles"]')).toHaveAttribute("data-outcome", "FAILED");
  // Staff see the portal's diagnosis beside what the customer was told.
  await expect(live.locator('[data-step="roles"]')).toContainText("role-missing");
  await expect(live.locator('[data-step="roles"]')).toContainText("Customer sees:");
  await expect(page.getByTestId("tenant-stage")).toHaveText("Failing (latest check failed)");

  await emulator.action("assignRole", { environment: "fabrikam", role: "Northwind Sync Integration" });
  await rerun.click();
  await expect(live.getByTestId("rerun-outcome")).toHaveText("Passed", { timeout: 30_000 });
  await expect(page.getByTestId("tenant-stage")).toHaveText("Connected (latest check passed)");
});

test("staff create an invitation and a customer uses it; it is tracked until used", async ({ page, browser }) => {
  await signInAs(page, SAM, "/console/invitations");
  // Bad input is refused with a message on the field.
  await page.getByLabel(/Tenant id or domain/).fill("not a domain");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  await expect(page.getByText("Enter the customer's tenant id (a GUID) or a verified domain")).toBeVisible();

  await page.getByLabel(/Tenant id or domain/).fill("tailspintoys.onmicrosoft.com");
  await page.getByLabel("Valid for").selectOption("14");
  await page.getByLabel(/Note for the team/).fill("ticket 1234");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  expect(link).toMatch(/\/consent\?invitation=[A-Za-z0-9_-]{43}$/);
  const invitations = page.getByRole("table", { name: "Invitations" });
  const invitationRow = invitations.getByRole("row").filter({ hasText: "ticket 1234" });
  await expect(invitationRow.getByTestId("invitation-status")).toHaveText("Open");

  // The customer opens the link: the consent flow, hinted to their organisation.
  const customer = await (await browser.newContext()).newPage();
  await customer.goto(link);
  await expect(
    customer.getByText("You were invited by Northwind Traders to connect tailspintoys.onmicrosoft.com"),
  ).toBeVisible();
  await customer.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(customer, "isaiah@tailspintoys.onmicrosoft.com");
  await customer.getByRole("button", { name: "Accept" }).click();
  await expect(customer).toHaveURL(/\/onboarding$/);
  // The link is used up.
  await customer.goto(link);
  await expect(customer.getByText("This invitation link has already been used by an organisation.")).toBeVisible();
  await customer.context().close();

  // The tenant is named as Microsoft Graph names the organisation (read in the background after its sign-in).
  await expect(async () => {
    await page.reload();
    await expect(invitationRow.getByRole("link", { name: "Tailspin Toys Ltd" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(invitationRow.getByTestId("invitation-status")).toHaveText("Used");
  await invitationRow.getByRole("link", { name: "Tailspin Toys Ltd" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tailspin Toys Ltd" })).toBeVisible();
  await expect(page.getByText("tailspintoys.onmicrosoft.com").first()).toBeVisible();
  await expect(page.getByText("Invitation", { exact: true }).first()).toBeVisible();
  await expect(page.getByRole("table", { name: "Audit trail" })).toContainText("invitation.used");

  // A second link, revoked by an admin before anyone used it.
  await page.goto("/console/invitations");
  await page.getByLabel(/Note for the team/).fill("to revoke");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const revokedLink = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  const toRevoke = invitations.getByRole("row").filter({ hasText: "to revoke" });
  await toRevoke.getByRole("button", { name: /^Revoke/ }).click();
  await expect(toRevoke.getByTestId("invitation-status")).toHaveText("Revoked");
  await page.goto(revokedLink);
  await expect(page.getByText("This invitation link was withdrawn.")).toBeVisible();

  await page.goto("/console/activity");
  const activity = page.getByRole("table", { name: "Staff activity" });
  await expect(activity).toContainText("invitation.created");
  await expect(activity).toContainText("invitation.revoked");
});

test("staff export the filtered list as CSV: the file holds exactly the filtered rows", async ({ page }) => {
  await signInAs(page, SAM, "/console/tenants?stage=failing");
  const shownIds = await page
    .getByRole("table", { name: "Tenants" })
    .locator("tbody tr")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-tenant-id")));
  expect(shownIds.length).toBeGreaterThanOrEqual(2);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^tenants-\d{8}-\d{4}\.csv$/);
  const text = (await readFile((await download.path())!, "utf8")).replace(/^\uFEFF/, "");
  const lines = text.split("\r\n").filter(Boolean);
  const header = lines[0]!.split(",");
  expect(header.slice(0, 3)).toEqual(["tenant_id", "name", "primary_domain"]);
  const rows = lines.slice(1).map((l) => l.split(","));
  const col = (name: string) => header.indexOf(name);
  expect(rows.map((r) => r[col("tenant_id")]).sort()).toEqual([...shownIds].sort());
  for (const r of rows) expect(r[col("latest_check_outcome")]).toBe("FAILED");
  // Litware's latest check found its consent removed (the app is gone from its directory): revoked, broken.
  expect(rows.find((r) => r[col("tenant_id")] === LITWARE)).toEqual(
    expect.arrayContaining([
      "Litware",
      "litware.onmicrosoft.com",
      "SUB-1042",
      "INVITATION",
      "REVOKED",
      "token",
      "BROKEN",
    ]),
  );

  // The export is a staff action on the record.
  await page.goto("/console/activity");
  await expect(page.getByRole("table", { name: "Staff activity" }).getByRole("row").nth(1)).toContainText(
    "support.tenants_exported",
  );
  // Details in words, not JSON.
  const exported = page.getByRole("table", { name: "Staff activity" }).getByRole("row").nth(1);
  await expect(exported.locator('[data-detail="filters · stage"]')).toHaveText("failing");
  await expect(exported).not.toContainText("{");
});

test("bad input gets a clear 4xx: unknown tenant, malformed filters, huge page numbers", async ({ page }) => {
  await signInAs(page, SAM, "/console/tenants");
  for (const url of [
    "/console/tenants/99999999-0000-4000-8000-000000000000",
    "/console/tenants/not-a-tenant",
    "/console/tenants/%27%3B%20drop",
  ]) {
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(404);
    await expect(page.getByRole("heading", { name: "No such tenant" }), url).toBeVisible();
  }
  for (const query of [
    "stage=stuck",
    "step=everything",
    "stale=0",
    "sort=id",
    "dir=sideways",
    "size=7",
    "page=0",
    "page=abc",
    "page=999999999",
    "page=10001",
    "page=400",
    "stage=failing&stage=verified",
  ]) {
    const response = await page.goto(`/console/tenants?${query}`);
    expect(response?.status(), query).toBe(404);
    await expect(page.getByRole("heading", { name: "This tenant list does not exist" }), query).toBeVisible();
    await expect(page.getByText("A filter, sort or page number in the address is not valid"), query).toBeVisible();
  }
  for (const [query, message] of [
    ["stage=stuck", "stage must be one of"],
    ["page=999999999", "page must be a whole number from 1 to 10000"],
    ["stale=-3", "stale must be a number of days"],
  ]) {
    const response = await page.request.get(`/console/tenants.csv?${query}`);
    expect(response.status(), query).toBe(400);
    const body = (await response.json()) as { error: string; details: string[] };
    expect(body.details.join(" "), query).toContain(message);
  }
  const badCheck = await page.request.get("/console/api/checks/not-a-uuid");
  expect(badCheck.status()).toBe(400);
  const noCheck = await page.request.get("/console/api/checks/99999999-0000-4000-8000-000000000000");
  expect(noCheck.status()).toBe(404);
});
