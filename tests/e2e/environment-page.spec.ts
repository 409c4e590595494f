// Issue 20: an environment's page answers first. A returning customer, an alert reader and an administrator find
// the state at the top — healthy and since when, or the failing step's cause, fix, who can fix it and the actions
// that fix it — and the setup instructions step aside once the connection works. Driven in Chromium against the
// portal and the Microsoft emulator, fixes made in the emulated Power Platform admin center as a customer would.
import { expect, test, type Page } from "@playwright/test";
import { DirectoryRole, MEMBER_USER_ROLE } from "@tenant-onboarding/emulator";
import { emulator, pickAccount, signInAs, stageCustomer, type StagedCustomer } from "./support/emulator";
import { e2e } from "./support/env";

test.beforeEach(async () => {
  await emulator.reset();
});

const ROLE = "Northwind Sync Integration";
const PRIVILEGES = [
  ["prvReadAccount", "Global"],
  ["prvWriteAccount", "Global"],
  ["prvCreateAccount", "Global"],
  ["prvReadContact", "Global"],
  ["prvWriteContact", "Global"],
  ["prvCreateContact", "Global"],
  ["prvReadUser", "Local"],
  ["prvReadRole", "Local"],
].map(([name, depth]) => ({ name, depth }));
/** "4 Dec 2026, 10:10 UTC": the one date format (components/format.ts), in the browser's zone (UTC here). */
const DATE = String.raw`\d{1,2} \w{3} \d{4}, \d\d:\d\d [A-Z]\S*`;

async function registerAndOpen(page: Page, customer: StagedCustomer, upn = customer.admin) {
  await signInAs(page, upn);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await expect(page.getByRole("status")).toContainText("was registered");
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await expect(page.getByTestId("environment-state")).toBeVisible();
  return page.url();
}

const state = (page: Page) => page.getByTestId("environment-state");
/** The buttons (and button-styled links) a person sees in the page's main area, by style. */
const visibleButtons = (page: Page, variant: "primary" | "secondary") =>
  page.locator(`main [data-variant="${variant}"]:visible`);

async function expectOnePrimary(page: Page, name: string | RegExp) {
  await expect(visibleButtons(page, "primary")).toHaveCount(1);
  await expect(visibleButtons(page, "primary")).toHaveText(name);
}

async function runCheck(page: Page, expected: "Passed" | "Failed") {
  await state(page).getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText(expected, { timeout: 30_000 });
  // The page re-reads its state once the check ends.
  await expect(page.getByTestId("latest-check-outcome")).toHaveText(expected);
}

/** The customer's application user in the emulated admin center's list (environments are listed by friendly name: "Tab12cd34 Prod"). */
const ppacRow = (page: Page, customer: StagedCustomer) =>
  page
    .getByRole("row")
    .filter({ hasText: new RegExp(customer.environmentName("prod").replace("-", " "), "i") })
    .filter({ hasText: "Northwind Sync" });

/** A text shown (visibly) exactly once on the page. */
async function expectShownOnce(page: Page, text: string) {
  await expect(page.getByText(text, { exact: false }).locator("visible=true")).toHaveCount(1);
}

test("a failing environment leads with its cause, fix, who can fix it and the actions; fixed in the admin center it turns green and the instructions step aside", async ({
  page,
}) => {
  test.slow();
  // Like Adventure Works: the application user exists without any role, and the role does exist.
  const customer = await stageCustomer({ name: "Leading", environments: [{ name: "prod", appUser: "no-role" }] });
  await registerAndOpen(page, customer);

  // Never checked: the page says so and offers the one step that sets it up.
  await expect(state(page)).toHaveAttribute("data-state", "new");
  await expect(state(page).getByRole("heading", { level: 2 })).toHaveText("Not set up yet");
  await expectOnePrimary(page, "Set it up for me");
  await expect(state(page).getByRole("button", { name: "Run connection check" })).toHaveAttribute(
    "data-variant",
    "secondary",
  );

  await runCheck(page, "Failed");
  await page.reload();
  // The state is the first thing on the page, in the first screen, above the instructions.
  await expect(state(page)).toHaveAttribute("data-state", "failing");
  await expect(state(page)).toBeInViewport();
  await expect(state(page).getByRole("heading", { level: 2 })).toHaveText("Not working");
  await expect(page.getByTestId("environment-state-facts")).toContainText(`Failed at: Security role “${ROLE}”.`);
  await expect(page.getByTestId("environment-state-facts")).toHaveText(
    new RegExp(`Broken since ${DATE}\\. It has not worked yet\\.`),
  );
  await expect(state(page)).toContainText(
    `Cause: The application user does not have the "${ROLE}" security role (it has no security roles).`,
  );
  await expect(state(page)).toContainText(
    `Application users → Northwind Sync → Edit security roles → select "${ROLE}" → Save.`,
  );
  await expect(state(page)).toContainText("Who can fix it: A System Administrator of this environment");
  // The product's own answers, not a solution that does not exist.
  await expect(state(page)).toContainText("choose “Set it up for me” on this environment's page");
  await expect(state(page)).toContainText("step 1 of the manual steps");
  await expect(page.locator("main")).not.toContainText("solution");
  // The actions that fix it are right there; one of them is the page's primary action.
  await expectOnePrimary(page, "Set it up for me");
  await expect(state(page).getByRole("button", { name: "Run connection check" })).toBeVisible();
  const stateBox = (await state(page).boundingBox())!;
  const manualBox = (await page.getByRole("heading", { name: "Or set it up by hand" }).boundingBox())!;
  expect(stateBox.y + stateBox.height).toBeLessThanOrEqual(manualBox.y);
  // The cause is told once (the history keeps it, folded).
  await expectShownOnce(page, 'does not have the "Northwind Sync Integration" security role');
  // The history line names the step without nesting quotes.
  const history = page.getByRole("list", { name: "Check history" });
  await expect(history.getByRole("listitem").first()).toContainText(`failed at: Security role “${ROLE}”`);
  await expect(history).not.toContainText("“Security role “");

  // The fix, in the (emulated) Power Platform admin center: Edit security roles → select the role → Save.
  const environmentPage = page.url();
  await page.goto(`${e2e.emulatorURL}/_emulator/ppac`);
  const row = ppacRow(page, customer);
  await row.getByText("Edit security roles").click();
  await row.getByRole("checkbox", { name: ROLE }).check();
  await row.getByRole("button", { name: /^Save the security roles of / }).click();
  await expect(page.getByRole("status")).toContainText(`saved: ${ROLE}.`);

  await page.goto(environmentPage);
  await runCheck(page, "Passed");
  await page.reload();
  await expect(state(page)).toHaveAttribute("data-state", "healthy");
  await expect(state(page).getByRole("heading", { level: 2 })).toHaveText("Connected and working");
  await expect(page.getByTestId("environment-state-facts")).toHaveText(new RegExp(`^Last verified ${DATE}\\.$`));
  // Nothing left to do: no primary button, the check can be run again.
  await expect(visibleButtons(page, "primary")).toHaveCount(0);
  await expect(state(page).getByRole("button", { name: "Run connection check" })).toBeVisible();
  // The instructions are one click away, not in the way.
  const instructions = page.getByTestId("setup-instructions");
  await expect(instructions).not.toHaveAttribute("open");
  await expect(page.getByRole("heading", { name: "1. Create the security role" })).toBeHidden();
  await instructions.locator("summary").click();
  await expect(page.getByRole("heading", { name: "1. Create the security role" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Set it up for me again" })).toHaveAttribute(
    "data-variant",
    "secondary",
  );
});

test("a setup that stopped is history once a later check passes: no red setup failure above a green check, no sentence twice", async ({
  page,
}) => {
  test.slow();
  const customer = await stageCustomer({
    name: "Stale Setup",
    users: [
      { name: "Global Admin", upn: "admin", admin: true },
      // Administers apps in Entra ID, but is only a Basic User in the environment: the setup stops.
      {
        name: "App Admin",
        upn: "appadmin",
        wids: [DirectoryRole.ApplicationAdministrator, MEMBER_USER_ROLE],
        environmentRole: "Basic User",
      },
    ],
    environments: [{ name: "prod", appUser: "none", integrationRole: "absent" }],
  });
  const appAdmin = `appadmin@${customer.domain}`;
  await registerAndOpen(page, customer, appAdmin);
  await state(page).getByRole("button", { name: "Set it up for me" }).click();
  await pickAccount(page, appAdmin);
  await page.waitForURL((url) => url.port === String(e2e.port) || url.pathname.includes("consent"));
  const accept = page.getByRole("button", { name: "Accept" });
  if (await accept.isVisible().catch(() => false)) await accept.click();
  await page.waitForURL((url) => url.port === String(e2e.port));
  // Now: the setup's stop is the news, at the top, told once.
  await expect(page.getByTestId("setup-outcome")).toHaveText("The setup stopped.");
  await expect(state(page).getByRole("region", { name: "Latest setup" })).toBeVisible();
  await expectShownOnce(page, "Dataverse refused to let your account create the security role");
  await expect(page.getByRole("list", { name: "Setup steps" })).toContainText(
    "Stopped here; why and what to do are below.",
  );

  // A System Administrator sets it up by hand (Microsoft's own tools), and the next check passes.
  await emulator.action("createRole", {
    environment: customer.environmentName("prod"),
    name: ROLE,
    privileges: PRIVILEGES,
  });
  await emulator.action("createApplicationUser", { environment: customer.environmentName("prod"), roles: [ROLE] });
  await runCheck(page, "Passed");
  await page.reload();
  await expect(state(page)).toHaveAttribute("data-state", "healthy");
  // The failure is history: nothing red about the setup is visible, and it is told as the past once opened.
  await expect(page.getByTestId("setup-outcome")).toHaveCount(0);
  await expect(page.getByText("The setup stopped.")).toHaveCount(0);
  await expect(
    page.getByText("Dataverse refused to let your account create the security role").locator("visible=true"),
  ).toHaveCount(0);
  await expect(page.locator("main [role=alert]:visible")).toHaveCount(0);
  await page.getByTestId("setup-instructions").locator("summary").click();
  const earlier = page.getByRole("region", { name: "Earlier setup" });
  await expect(earlier.getByTestId("earlier-setup-outcome")).toHaveText("It stopped; the connection has worked since.");
  await expect(earlier.getByText("Failed", { exact: true })).toHaveCount(0);
});

test("a reader of a healthy environment sees that it works and since when; the instructions are folded away and there are no buttons", async ({
  page,
  browser,
}) => {
  const customer = await stageCustomer({ name: "Reading", environments: [{ name: "prod" }] });
  const environmentPage = await registerAndOpen(page, customer);
  await runCheck(page, "Passed");

  const reader = await (await browser.newContext()).newPage();
  await signInAs(reader, customer.user);
  await reader.goto(environmentPage);
  await expect(state(reader)).toHaveAttribute("data-state", "healthy");
  await expect(reader.getByTestId("environment-state-facts")).toHaveText(new RegExp(`^Last verified ${DATE}\\.$`));
  await expect(reader.getByTestId("read-only-notice")).toBeVisible();
  await expect(reader.locator("main button:visible").filter({ hasNotText: "Sign out" })).toHaveCount(0);
  await expect(reader.getByTestId("setup-instructions")).not.toHaveAttribute("open");
  await expect(reader.getByRole("heading", { name: "1. Create the security role" })).toBeHidden();
  // The overview does not ask a reader to "finish the steps".
  await reader.goto("/onboarding");
  await expect(reader.getByTestId("overview-headline")).toHaveText(
    "Connected: Northwind Sync can reach every registered environment.",
  );
  await reader.context().close();
});

test("a disabled application user: the fix names Activate, and Activate in the emulated admin center (with its confirmation) turns the check green", async ({
  page,
  browser,
}) => {
  const customer = await stageCustomer({ name: "Deactivated", environments: [{ name: "prod", appUser: "disabled" }] });
  const environmentPage = await registerAndOpen(page, customer);
  await runCheck(page, "Failed");
  await page.reload();
  await expect(state(page)).toContainText("Cause: The application user for Northwind Sync exists but is disabled.");
  await expect(state(page)).toContainText("Application users → Northwind Sync → Activate.");
  await expectOnePrimary(page, "Set it up for me");

  // Broken but connected: the overview names what needs attention, to the administrator and to a reader.
  await page.goto("/onboarding");
  await expect(page.getByTestId("overview-headline")).toHaveText(
    `${customer.environmentName("prod")} needs attention: open it below to see the cause and the fix.`,
  );
  await expect(page.locator("main")).not.toContainText("Finish the steps below");
  const reader = await (await browser.newContext()).newPage();
  await signInAs(reader, customer.user);
  await expect(reader.getByTestId("overview-headline")).toHaveText(
    `${customer.environmentName("prod")} needs attention: an administrator of your organisation fixes it; the cause is shown below.`,
  );
  await reader.context().close();

  await page.goto(`${e2e.emulatorURL}/_emulator/ppac`);
  const row = ppacRow(page, customer);
  await expect(row).toContainText("Disabled");
  await row.locator("summary", { hasText: "Activate" }).click();
  await expect(row).toContainText("Activate the application user");
  await row.getByRole("button", { name: /^Activate / }).click();
  await expect(page.getByRole("status")).toContainText("activated");
  await page.goto(environmentPage);
  await runCheck(page, "Passed");
});

test("support staff who sign in at /signin land on their console, and customer pages send them there", async ({
  browser,
}) => {
  for (const upn of ["sam.support@northwind.onmicrosoft.com", "olivia.ops@northwind.onmicrosoft.com"]) {
    const page = await (await browser.newContext()).newPage();
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await pickAccount(page, upn);
    const accept = page.getByRole("button", { name: "Accept" });
    await page.waitForURL((url) => url.port === String(e2e.port) || url.pathname.includes("consent"));
    if (await accept.isVisible().catch(() => false)) await accept.click();
    await expect(page).toHaveURL(new RegExp(`localhost:${e2e.port}/console$`));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.locator("body")).not.toContainText("holds Support.Operator only");
    await page.goto("/onboarding/environments");
    await expect(page).toHaveURL(/\/console$/);
    await page.context().close();
  }
});
