// A customer admin's journey, driven in Chromium against the portal and the Microsoft emulator.
import { expect, test, type Page } from "@playwright/test";
import {
  emulator,
  grantAdminConsent,
  pickAccount,
  signInAs,
  stageCustomer,
  startConsentRoundTrip,
  type StagedCustomer,
} from "./support/emulator";
import { e2e } from "./support/env";

test.beforeEach(async () => {
  await emulator.reset();
});

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
  // The organisation's name, read from (emulated) Microsoft Graph in the background after the sign-in.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Contoso Ltd" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });

  await grantAdminConsent(page, "megan@contoso.onmicrosoft.com");
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("link", { name: "Next: register your environments" }).click();

  await page
    .getByLabel("Environment URL")
    .fill(`https://CONTOSO.api.crm.dynamics.localhost:${e2e.emulatorPort}/api/data/v9.2/`);
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
  // The walkthrough's links lead to the (emulated) admin center; step 1 creates the role, as listed on the page.
  const privileges = (
    await page.getByRole("table", { name: "Privileges the role must grant" }).locator("tbody tr").allTextContents()
  ).length;
  expect(privileges).toBe(8);
  await page.goto(`${e2e.emulatorURL}/_emulator/ppac`);
  await page.locator("#role-environment").selectOption({ label: "Contoso (Production) — Contoso" });
  await page.getByLabel("Role name").fill("Northwind Sync Integration");
  await page
    .getByLabel("Privileges")
    .fill(
      [
        "prvReadAccount Organization",
        "prvWriteAccount Organization",
        "prvCreateAccount Organization",
        "prvReadContact Organization",
        "prvWriteContact Organization",
        "prvCreateContact Organization",
        "prvReadUser Business Unit",
        "prvReadRole Business Unit",
      ].join("\n"),
    );
  await page.getByRole("button", { name: "Create security role" }).click();
  await expect(page.getByRole("status")).toContainText(
    'Security role "Northwind Sync Integration" created in contoso with 8 privileges.',
  );
  await page.locator("#environment").selectOption({ label: "Contoso (Production) — Contoso" });
  await page.getByLabel("Application (client) ID").fill(appId);
  await page.getByLabel("Security role", { exact: true }).selectOption("Northwind Sync Integration");
  await page.getByRole("button", { name: "Create application user" }).click();
  await expect(page.getByRole("status")).toBeVisible();

  await page.goto(environmentPage);
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  const current = page.getByRole("region", { name: "Current check" });
  for (const step of ["token", "whoami", "application-user", "roles", "least-privilege", "privileges", "sample-read"]) {
    await expect(current.locator(`[data-step="${step}"]`)).toHaveAttribute("data-outcome", "PASSED");
  }
  const accounts = current.getByRole("list", { name: "Sample accounts" }).getByRole("listitem");
  await expect(accounts).toHaveCount(3);
  const names = await accounts.allTextContents();
  expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  // The history keeps it.
  await expect(page.getByRole("list", { name: "Check history" }).getByText("Passed").first()).toBeVisible();
});

const ROLE = "Northwind Sync Integration";

/** Signs in as the staged customer's admin and registers its `prod` environment; leaves the page on it. */
async function withRegisteredEnvironment(page: Page, customer: StagedCustomer) {
  await signInAs(page, customer.admin);
  await registerEnvironment(page, customer.environmentUrl("prod"));
  await expect(page.getByRole("status")).toContainText("was registered");
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await expect(page.getByTestId("environment-state")).toBeVisible();
}

async function runCheck(page: Page, expected: "Passed" | "Failed" | "Warning") {
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText(expected, { timeout: 30_000 });
  return page.getByRole("region", { name: "Current check" });
}

const urlError = (page: Page) => page.locator("#url-error");

test.describe("sign-in refusals", () => {
  test("a personal Microsoft account is refused on Microsoft's sign-in page, before any permission prompt", async ({
    page,
    context,
  }) => {
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    // The portal signs in through `organizations`: Microsoft itself refuses the personal account.
    await expect(page).toHaveURL(
      new RegExp(`^${e2e.emulatorURL.replace(/[.]/g, "\\.")}/organizations/oauth2/v2\\.0/authorize\\?`),
    );
    await pickAccount(page, "alex@outlook.com");
    await expect(page.getByRole("alert")).toHaveText(
      "You can't sign in here with a personal account. Use your work or school account instead.",
    );
    expect(new URL(page.url()).origin).toBe(e2e.emulatorURL);
    await expect(page.getByRole("heading", { name: "Permissions requested" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Accept" })).toHaveCount(0);
    await expect(page.getByText("Northwind")).toHaveCount(0);
    // No session: no next-auth cookie for the portal, and the onboarding area still sends the visitor to sign in.
    const portalCookies = await context.cookies(e2e.baseURL);
    expect(portalCookies.filter((c) => c.name.includes("session-token"))).toEqual([]);
    await page.goto("/onboarding");
    await expect(page).toHaveURL(/\/signin\?returnTo=%2Fonboarding/);
  });

  test("Cancel on Microsoft's refusal comes back to the portal's sign-in page, still signed out", async ({ page }) => {
    await page.goto("/signin");
    await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
    await pickAccount(page, "alex@outlook.com");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page).toHaveURL(new RegExp(`^${e2e.baseURL}/signin`));
    await page.goto("/onboarding");
    await expect(page).toHaveURL(/\/signin\?returnTo=%2Fonboarding/);
  });

  test("the portal's own refusal page stays as a second line of defence", async ({ page }) => {
    await page.goto("/signin/refused?reason=personal-account");
    await expect(
      page.getByRole("heading", { name: "Personal Microsoft accounts can't connect an organisation" }),
    ).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in with another account" })).toBeVisible();
  });
});

test.describe("admin consent", () => {
  test("cancelled at Microsoft's account picker", async ({ page }) => {
    const customer = await stageCustomer({ name: "Cancelling", consented: false });
    await signInAs(page, customer.admin);
    await page.goto("/onboarding/consent");
    await page.getByRole("button", { name: "Grant admin consent" }).click();
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Consent was cancelled" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Grant admin consent" })).toBeVisible();
  });

  test("declined on Microsoft's consent screen", async ({ page }) => {
    const customer = await stageCustomer({ name: "Declining", consented: false });
    await signInAs(page, customer.admin);
    await grantAdminConsent(page, customer.admin);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Consent was declined" })).toBeVisible();
    await expect(page.getByText("AADSTS65004")).toBeVisible();
  });

  test("Microsoft refuses a non-administrator account chosen on its page: the portal says who must approve", async ({
    page,
  }) => {
    const customer = await stageCustomer({ name: "NonAdmin", consented: false });
    await signInAs(page, customer.admin);
    const state = await startConsentRoundTrip(page);
    // What Entra sends back when the account used on its page may not grant tenant-wide consent.
    await page.goto(
      `/consent/callback?error=access_denied&error_description=${encodeURIComponent("AADSTS90094: The grant requires admin permission.")}&state=${encodeURIComponent(state)}`,
    );
    await expect(page.getByRole("heading", { name: "An administrator has to approve this" })).toBeVisible();
    await page.goto("/onboarding");
    await expect(page.getByTestId("consent-state")).toHaveText("Not granted yet");
  });

  test("returned for another tenant, and forged, replayed or missing state, record nothing", async ({ page }) => {
    const customer = await stageCustomer({ name: "Forged", consented: false });
    await signInAs(page, customer.admin);
    const state = await startConsentRoundTrip(page);
    const otherTenant = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d";

    const forged = await page.goto(
      `/consent/callback?admin_consent=True&tenant=${customer.tenantId}&state=forged-state-value-0123456789`,
    );
    expect(forged?.status()).toBe(400);
    await expect(page.getByRole("heading", { name: "This consent response can't be used" })).toBeVisible();
    // Without a state (the direct link's answer) nothing is taken from the query: the page checks with Microsoft.
    await page.goto(`/consent/callback?admin_consent=True&tenant=${customer.tenantId}`);
    await expect(page).toHaveURL(/\/onboarding\/consent\?result=check$/);
    await expect(page.getByRole("heading", { name: "Check your consent" })).toBeVisible();

    await page.goto(
      `/consent/callback?admin_consent=True&tenant=${otherTenant}&scope=x&state=${encodeURIComponent(state)}`,
    );
    await expect(page.getByRole("heading", { name: "Consent came back for a different organisation" })).toBeVisible();
    const replay = await page.goto(
      `/consent/callback?admin_consent=True&tenant=${customer.tenantId}&state=${encodeURIComponent(state)}`,
    );
    expect(replay?.status()).toBe(400);

    await page.goto("/onboarding");
    await expect(page.getByTestId("consent-state")).toHaveText("Not granted yet");
  });

  test("replication delay: verification waits, retries and ends green", async ({ page }) => {
    const customer = await stageCustomer({ name: "Replicating", consented: false, replicationDelayMs: 12_000 });
    await signInAs(page, customer.admin);
    await grantAdminConsent(page, customer.admin);
    await page.getByRole("button", { name: "Accept" }).click();
    await expect(page.getByText(/Attempt \d+: Microsoft is still setting up the app in your tenant/)).toBeVisible({
      timeout: 15_000,
    });
    await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 45_000 });
    await page.goto("/onboarding");
    await expect(page.getByTestId("consent-state")).toContainText("Granted and verified");
  });
});

test.describe("environment registration", () => {
  test("refuses another tenant's environment, an off-list host and bad input, and explains a duplicate", async ({
    page,
  }) => {
    const customer = await stageCustomer({ name: "Registering", environments: [{ name: "prod" }] });
    await signInAs(page, customer.admin);
    const cases: Array<[string, RegExp]> = [
      [emulator.environmentUrl("fabrikam", "crm4"), /belongs to a different Microsoft Entra ID tenant/],
      ["https://contoso.example.com", /is not a Dataverse environment address/],
      ["https://127.0.0.1/", /not an IP address/],
      ["https://admin:secret@contoso.crm.dynamics.localhost", /Remove the user name or password/],
      ["", /Enter the URL of your Dataverse environment/],
      [`https://nowhere.crm4.dynamics.localhost:${e2e.emulatorPort}`, /could not be reached|did not answer/],
      // A real Microsoft address in the demo: not "not a Dataverse address", but why it cannot be reached here and what to use.
      [
        "https://contoso.crm4.dynamics.com/main.aspx",
        new RegExp(
          `^This demo connects only to the environments of its built-in Microsoft emulator, not to Microsoft's own servers, so contoso\\.crm4\\.dynamics\\.com cannot be reached from here\\. Choose “List my environments” above, or use the emulated address https://contoso\\.crm4\\.dynamics\\.localhost:${e2e.emulatorPort}\\.$`,
        ),
      ],
    ];
    for (const [url, message] of cases) {
      await registerEnvironment(page, url);
      await expect(urlError(page)).toHaveText(message);
    }
    await registerEnvironment(page, customer.environmentUrl("prod"));
    await expect(page.getByRole("status")).toContainText("was registered");
    // Pasted without a name: it is named after its address, not shown as a bare URL.
    await expect(page.getByRole("region", { name: "Registered environments" }).getByRole("link").first()).toHaveText(
      `${customer.environmentName("prod")}${customer.environmentUrl("prod")}`,
    );
    await registerEnvironment(
      page,
      `${customer.environmentUrl("prod").replace("https://", "https://")}/main.aspx?appid=1`,
    );
    await expect(urlError(page)).toHaveText(/is already registered for your organisation/);
  });
});

test.describe("registered environments list", () => {
  test("a refused address stays in its field with the error beside it; a registered one is listed at once; Remove asks first", async ({
    page,
  }) => {
    const customer = await stageCustomer({ name: "Listing", environments: [{ name: "prod" }] });
    await signInAs(page, customer.admin);
    await page.goto("/onboarding/environments");
    const registered = page.getByRole("region", { name: "Registered environments" });
    await expect(registered).toContainText("None yet. Register the first one below.");

    // Refused: what was typed stays, the error is next to the field and tied to it.
    const url = page.getByLabel("Environment URL");
    const name = page.getByLabel("Name (optional)", { exact: true });
    await url.fill("https://contoso.example.com/main.aspx");
    await name.fill("Sales (Production)");
    await page.getByRole("button", { name: "Register environment" }).click();
    await expect(urlError(page)).toHaveText(/is not a Dataverse environment address/);
    await expect(url).toHaveValue("https://contoso.example.com/main.aspx");
    await expect(name).toHaveValue("Sales (Production)");
    await expect(url).toHaveAttribute("aria-invalid", "true");
    await expect(url).toHaveAttribute("aria-describedby", /(^| )url-error( |$)/);
    await expect(page.locator("#url + #url-error")).toHaveCount(1); // right under the field, not at the form's end

    // Registered: listed beside the success message, by its name with its URL, without reloading the page.
    await url.fill(customer.environmentUrl("prod"));
    await page.getByRole("button", { name: "Register environment" }).click();
    await expect(page.getByRole("status")).toContainText(`${customer.environmentUrl("prod")} was registered.`);
    const row = registered.getByRole("row").filter({ hasText: "Sales (Production)" });
    await expect(row).toHaveCount(1);
    await expect(row.getByRole("link")).toContainText(customer.environmentUrl("prod"));
    await expect(registered).not.toContainText("None yet");
    await expect(url).toHaveValue("");
    await expect(url).not.toHaveAttribute("aria-invalid", "true");

    // Remove asks first; Cancel leaves the environment in place.
    const remove = row.getByRole("button", { name: "Remove Sales (Production)", exact: true });
    const confirm = row.getByRole("button", { name: "Yes, remove Sales (Production)", exact: true });
    await remove.click();
    await expect(row.getByRole("group")).toContainText(
      "Remove Sales (Production) and its check history from this portal?",
    );
    await expect(confirm).toBeFocused();
    await row.getByRole("button", { name: "Cancel", exact: true }).click();
    await expect(confirm).toHaveCount(0);
    await expect(remove).toBeFocused();
    await page.reload();
    await expect(row).toHaveCount(1);

    // Confirmed: gone.
    await remove.click();
    await confirm.click();
    await expect(registered).toContainText("None yet. Register the first one below.");
    await expect(row).toHaveCount(0);
    await page.reload();
    await expect(registered.getByRole("row")).toHaveCount(0);
  });
});

test.describe("connection check failures, each explained", () => {
  test("application user missing", async ({ page }) => {
    await withRegisteredEnvironment(
      page,
      await stageCustomer({ name: "NoAppUser", environments: [{ name: "prod", appUser: "none" }] }),
    );
    const current = await runCheck(page, "Failed");
    const step = current.locator('[data-step="application-user"]');
    await expect(step).toHaveAttribute("data-outcome", "FAILED");
    await expect(step).toContainText("There is no application user for Northwind Sync in this environment");
    await expect(step).toContainText("Application users → New app user");
  });

  test("application user disabled", async ({ page }) => {
    await withRegisteredEnvironment(
      page,
      await stageCustomer({ name: "Disabled", environments: [{ name: "prod", appUser: "disabled" }] }),
    );
    const current = await runCheck(page, "Failed");
    await expect(current.locator('[data-step="application-user"]')).toContainText("exists but is disabled");
  });

  test("required role missing", async ({ page }) => {
    await withRegisteredEnvironment(
      page,
      await stageCustomer({ name: "NoRole", environments: [{ name: "prod", appUser: { roles: ["Basic User"] } }] }),
    );
    const current = await runCheck(page, "Failed");
    await expect(current.locator('[data-step="roles"]')).toContainText(
      `does not have the "${ROLE}" security role (it has: Basic User)`,
    );
  });

  test("privilege missing from the role", async ({ page }) => {
    const customer = await stageCustomer({ name: "NoPrivilege", environments: [{ name: "prod" }] });
    const state = (await (await fetch(`${e2e.emulatorURL}/_emulator/state`)).json()) as {
      scenario: {
        environments: Array<{ name: string; roles: Array<{ name: string; privileges: Array<{ name: string }> }> }>;
      };
    };
    const role = state.scenario.environments
      .find((e) => e.name === customer.environmentName("prod"))!
      .roles.find((r) => r.name === ROLE)!;
    role.privileges = role.privileges.filter((p) => p.name !== "prvReadContact");
    const put = await fetch(`${e2e.emulatorURL}/_emulator/scenario`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(state.scenario),
    });
    expect(put.status).toBe(204);
    await withRegisteredEnvironment(page, customer);
    const current = await runCheck(page, "Failed");
    await expect(current.locator('[data-step="roles"]')).toHaveAttribute("data-outcome", "PASSED");
    await expect(current.locator('[data-step="privileges"]')).toContainText("prvReadContact (Organization level)");
    await expect(current.locator('[data-step="privileges"]')).toContainText("Contact: Read at Organization level");
    // One cause, one red step: the sample read waits for the fix.
    await expect(current.locator('[data-outcome="FAILED"]')).toHaveCount(1);
    await expect(current.locator('[data-step="sample-read"]')).toHaveAttribute("data-outcome", "SKIPPED");
    await expect(current.locator('[data-step="sample-read"]')).toContainText(
      "Not checked until the privileges are fixed.",
    );
  });

  test("System Administrator held as well: a warning", async ({ page }) => {
    await withRegisteredEnvironment(
      page,
      await stageCustomer({
        name: "SysAdmin",
        environments: [{ name: "prod", appUser: { roles: [ROLE, "System Administrator"] } }],
      }),
    );
    const current = await runCheck(page, "Warning");
    await expect(current.locator('[data-step="roles"]')).toHaveAttribute("data-outcome", "PASSED");
    await expect(current.locator('[data-step="least-privilege"]')).toHaveAttribute("data-outcome", "WARNING");
    await expect(current.locator('[data-step="least-privilege"]')).toContainText('clear "System Administrator"');
  });

  test("System Administrator alone: the missing role and the over-privilege in the same run", async ({ page }) => {
    await withRegisteredEnvironment(
      page,
      await stageCustomer({
        name: "OnlySysAdmin",
        environments: [{ name: "prod", appUser: { roles: ["System Administrator"] } }],
      }),
    );
    const current = await runCheck(page, "Failed");
    await expect(current.locator('[data-step="roles"]')).toContainText(
      `does not have the "${ROLE}" security role (it has: System Administrator)`,
    );
    await expect(current.locator('[data-step="least-privilege"]')).toHaveAttribute("data-outcome", "WARNING");
    await expect(current.locator('[data-step="privileges"]')).toContainText(
      "Not checked until the security role is fixed.",
    );
  });

  test("the vendor's app registration refuses: the customer is told it is the vendor's side, without the vendor's codes", async ({
    page,
  }) => {
    await withRegisteredEnvironment(page, await stageCustomer({ name: "Expired", environments: [{ name: "prod" }] }));
    // The vendor's app is disabled (AADSTS7000112): whatever credential the portal presents, Entra refuses. (Refusing
    // the demo's credentials themselves would make the portal avoid them for an hour, in every later spec:
    // tests/e2e/secretless.spec.ts does that last.)
    await emulator.action("setAppDisabled", { disabled: true });
    const current = await runCheck(page, "Failed");
    const token = current.locator('[data-step="token"]');
    await expect(token).toContainText("a problem with Northwind Traders' own app registration");
    await expect(token).toContainText("Nothing to change in your organisation");
    await expect(token).not.toContainText("AADSTS");
  });

  test("Adventure Works (demo): an application user without the role is one red step with the right fix, in plain words", async ({
    page,
  }) => {
    await signInAs(page, "adele@adventureworks.onmicrosoft.com");
    await registerEnvironment(page, emulator.environmentUrl("adventureworks", "crm11"));
    await expect(page.getByRole("status")).toContainText("was registered");
    await page.getByRole("link", { name: "Set up its application user" }).click();
    const current = await runCheck(page, "Failed");
    await expect(current.locator('[data-outcome="FAILED"]')).toHaveCount(1);
    const roles = current.locator('[data-step="roles"]');
    await expect(roles).toHaveAttribute("data-outcome", "FAILED");
    await expect(roles).toContainText(`does not have the "${ROLE}" security role (it has no security roles)`);
    await expect(roles).toContainText(
      `Application users → Northwind Sync → Edit security roles → select "${ROLE}" → Save`,
    );
    // If the role is missing too, the product's own answers — not "import Northwind Traders' solution", which does not exist.
    await expect(roles).toContainText(
      "If the role is not in the list, it does not exist yet: choose “Set it up for me” on this environment's page",
    );
    await expect(roles).toContainText("or create it by hand first (step 1 of the manual steps)");
    await expect(roles).toContainText("Who can fix it: A System Administrator of this environment");
    await expect(page.locator("main")).not.toContainText("solution");
    for (const step of ["privileges", "sample-read"]) {
      await expect(current.locator(`[data-step="${step}"]`)).toHaveAttribute("data-outcome", "SKIPPED");
      await expect(current.locator(`[data-step="${step}"]`)).toContainText(
        "Not checked until the security role is fixed.",
      );
    }
    // The portal's own diagnosis codes are for staff; the customer sees words (and Microsoft's codes, where any).
    await expect(current).not.toContainText("role-missing");
    await expect(current).not.toContainText("portal.");
    // The walkthrough names what the role must grant, with the level.
    await expect(
      page
        .getByRole("table", { name: "Privileges the role must grant" })
        .getByRole("row")
        .filter({ hasText: "prvReadUser" }),
    ).toHaveText(/User\s*Read\s*Business Unit/);

    // Fixed in the (emulated) admin center: the next check is green, and the history keeps both.
    await emulator.action("assignRole", { environment: "adventureworks", role: ROLE });
    await page.getByRole("button", { name: "Run connection check" }).click();
    await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
    const history = page.getByRole("list", { name: "Check history" });
    await expect(history.getByRole("listitem")).toHaveCount(2);
    // One pair of quotes: the role's name, not the step's label around it.
    await expect(history).not.toContainText("“Security role “");
    await history.getByText(`failed at: Security role “${ROLE}”`).click();
    await expect(history.locator('[data-step="roles"][data-outcome="FAILED"]')).toBeVisible();
    // A check's steps are read when it is opened: one that cannot be read says so, and the next opening reads it.
    const passed = history.getByRole("listitem").first();
    await page.route("**/api/checks/*", (route) => route.fulfill({ status: 503, body: "" }));
    await passed.locator("summary").click();
    await expect(passed.getByRole("alert")).toHaveText(
      "Its steps could not be loaded (HTTP 503). Close it and open it again to retry.",
    );
    await page.unroute("**/api/checks/*");
    await passed.locator("summary").click();
    await passed.locator("summary").click();
    await expect(passed.locator('[data-step="roles"][data-outcome="PASSED"]')).toBeVisible();
    await expect(passed.getByRole("alert")).toHaveCount(0);
  });

  test("reloading mid-check keeps the live progress: the current step, the elapsed time and the wait", async ({
    page,
  }) => {
    const customer = await stageCustomer({ name: "Reloaded", environments: [{ name: "prod" }] });
    await withRegisteredEnvironment(page, customer);
    await emulator.action("throttle", {
      environment: customer.environmentName("prod"),
      count: 1,
      retryAfterSeconds: 6,
    });
    await page.getByRole("button", { name: "Run connection check" }).click();
    await expect(page.getByTestId("check-waiting")).toContainText("retrying in", { timeout: 15_000 });
    await page.reload();
    const current = page.getByRole("region", { name: "Current check" });
    await expect(current.getByTestId("check-outcome")).toHaveText("Running");
    await expect(current.getByTestId("check-current-step")).toHaveText("Dataverse accepts the app's token");
    await expect(current.getByTestId("check-waiting")).toContainText("Dataverse asked to wait");
    await expect(current.getByTestId("check-elapsed")).toContainText("s elapsed");
    await expect(page.getByRole("button", { name: "Checking…" })).toBeDisabled();
    await expect(current.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
    await expect(current.locator('[data-step="whoami"]')).toContainText("waited 6 s and retried");
  });

  test("throttling: the check honours Retry-After and then passes", async ({ page }) => {
    const customer = await stageCustomer({ name: "Throttled", environments: [{ name: "prod" }] });
    await withRegisteredEnvironment(page, customer);
    await emulator.action("throttle", {
      environment: customer.environmentName("prod"),
      count: 1,
      retryAfterSeconds: 2,
    });
    const started = Date.now();
    const current = await runCheck(page, "Passed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    await expect(
      current.getByText("Dataverse asked to wait (service protection): waited 2 s and retried."),
    ).toBeVisible();
  });
});
