// Issue 10: connect without typing or leaving the portal — the environment picker (Global Discovery) and
// "Set it up for me" (the least-privilege role and the application user, created with the administrator's
// one-time delegated permission), driven in Chromium against the portal and the Microsoft emulator.
import { expect, test, type Page } from "@playwright/test";
import { DEMO_IDS, DirectoryRole, MEMBER_USER_ROLE } from "@tenant-onboarding/emulator";
import { emulator, grantAdminConsent, pickAccount, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

test.beforeEach(async () => {
  await emulator.reset();
});

const ROLE = "Northwind Sync Integration";
const CLIENT_ID = "5e7b9c1d-2f4a-4b6c-8d0e-1f2a3b4c5d6e";

type EnvState = {
  name: string;
  roles: { id: string; name: string; privileges: { name: string; depth: string }[] }[];
  systemUsers: { applicationId: string | null; roleIds: string[]; isDisabled: boolean }[];
};

async function environmentState(name: string) {
  const state = (await (await fetch(`${e2e.emulatorURL}/_emulator/state`)).json()) as {
    scenario: { environments: EnvState[] };
  };
  const env = state.scenario.environments.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  const appUser = env.systemUsers.find((u) => u.applicationId === CLIENT_ID) ?? null;
  return {
    role: env.roles.find((r) => r.name === ROLE) ?? null,
    appUser,
    appUserRoles: appUser ? appUser.roleIds.map((id) => env.roles.find((r) => r.id === id)?.name ?? id) : [],
  };
}

/** Through Microsoft's account picker and, the first time, its consent screen for the one permission asked. */
async function passMicrosoft(page: Page, upn: string, expectedPermission?: string) {
  await pickAccount(page, upn);
  await page.waitForURL((url) => url.port === String(e2e.port) || url.pathname.includes("consent"));
  if (expectedPermission) {
    await expect(page.getByText(expectedPermission)).toBeVisible();
    await page.getByRole("button", { name: "Accept" }).click();
  }
  await page.waitForURL((url) => url.port === String(e2e.port));
}

async function setItUp(page: Page, upn: string, expectedPermission?: string) {
  await page.getByRole("button", { name: /^Set it up for me/ }).click();
  await passMicrosoft(page, upn, expectedPermission);
  await expect(page.getByTestId("setup-outcome")).toBeVisible();
}

function setupStep(page: Page, label: string) {
  return page.getByRole("list", { name: "Setup steps" }).getByRole("listitem").filter({ hasText: label });
}

test("Contoso's administrator goes from the consent page to a green check without typing a URL or leaving the portal, twice", async ({
  page,
  browser,
}) => {
  test.slow();
  const megan = "megan@contoso.onmicrosoft.com";
  // Other tests connect Contoso too: start over from a disconnected organisation.
  await signInAs(page, megan);
  await page.goto("/onboarding/disconnect");
  const disconnect = page.getByRole("button", { name: "Disconnect my organisation" });
  if (await disconnect.isVisible()) {
    await page.getByLabel(/Type .* to confirm/).fill("contoso.onmicrosoft.com");
    await disconnect.click();
    await expect(page.getByRole("heading", { name: "Your organisation was disconnected" })).toBeVisible();
  } else {
    await page.getByRole("button", { name: "Sign out" }).click();
  }
  await emulator.reset();
  await page.goto("/consent?source=appsource");
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(page, megan);
  await page.getByRole("button", { name: "Accept" }).click();
  await grantAdminConsent(page, megan);
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("link", { name: "Next: register your environments" }).click();
  await emulator.clearRequests();

  // The picker: Global Discovery with Megan's own, one-time permission.
  await page.getByRole("button", { name: "List my environments" }).click();
  await passMicrosoft(page, megan, "Find the Dataverse environments you can access");
  const list = page.getByRole("list", { name: "Your environments" });
  const contoso = list.getByRole("listitem").filter({ hasText: "Contoso (Production)" });
  await expect(contoso).toContainText(emulator.environmentUrl("contoso", "crm"));
  await expect(contoso).toContainText("Production · region NAM");
  // Listed: connecting is the next step, so "Connect" is the primary button and listing again is not.
  await expect(contoso.getByRole("button", { name: "Connect Contoso (Production)" })).toHaveAttribute(
    "data-variant",
    "primary",
  );
  await expect(page.getByRole("button", { name: "List my environments again" })).toHaveAttribute(
    "data-variant",
    "secondary",
  );
  await expect(page.locator('main [data-variant="primary"]:visible')).toHaveText(["Connect"]);
  await contoso.getByRole("button", { name: "Connect Contoso (Production)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contoso (Production)" })).toBeVisible();

  // Nothing exists in the environment yet: neither the role nor the application user.
  expect(await environmentState("contoso")).toMatchObject({ role: null, appUser: null });
  await setItUp(page, megan, "Access Dynamics 365 as organization users");
  await expect(page.getByTestId("setup-outcome")).toContainText("Set up.");
  await expect(setupStep(page, "Security role:")).toContainText("Created");
  await expect(setupStep(page, "Its privileges:")).toContainText("Gave the role 8 privileges");
  await expect(setupStep(page, "Application user:")).toContainText("Created");
  await expect(setupStep(page, "Role assignment:")).toContainText("Created");
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  const created = await environmentState("contoso");
  expect(created.role?.privileges).toHaveLength(8);
  expect(created.appUserRoles).toEqual([ROLE]);

  // Working: the instructions are folded away; running it again (from there) changes nothing and asks for no consent again.
  await page.getByTestId("setup-instructions").locator("summary").click();
  await setItUp(page, megan);
  for (const label of ["Security role:", "Its privileges:", "Application user:", "Role assignment:"]) {
    await expect(setupStep(page, label)).toContainText("Already in place");
  }
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  expect(await environmentState("contoso")).toEqual(created);

  // The request log: Megan's delegated token reached Global Discovery and this environment only, and the
  // connection checks used the app's own token.
  const requests = await emulator.requests();
  const meganOid = (await (await fetch(`${e2e.emulatorURL}/_emulator/state`)).json()).scenario.tenants
    .flatMap((t: { users: { upn: string; oid: string }[] }) => t.users)
    .find((u: { upn: string }) => u.upn === megan).oid as string;
  const delegated = requests.filter((r) => r.tokenOid === meganOid);
  expect(delegated.length).toBeGreaterThan(0);
  expect(new Set(delegated.map((r) => String(r.host).split(":")[0]))).toEqual(
    new Set(["globaldisco.crm.dynamics.localhost", "contoso.crm.dynamics.localhost"]),
  );
  const appCalls = requests.filter(
    (r) => r.tokenAppId === CLIENT_ID && String(r.kind).startsWith("dataverse") && r.tokenOid !== meganOid,
  );
  expect(appCalls.length).toBeGreaterThan(0);
  expect(delegated.every((r) => r.kind !== "dataverse.batch-part")).toBe(true);

  // Support staff see every object created in the customer's environment.
  const staff = await browser.newContext({ baseURL: `http://localhost:${e2e.port}` });
  const console = await staff.newPage();
  await signInAs(console, "sam.support@northwind.onmicrosoft.com", "/console");
  await console.goto(`/console/tenants/${DEMO_IDS.tenants.contoso}`);
  // The page is titled with the organisation, for staff.
  await expect(console).toHaveTitle(/contoso/i);
  const trail = console.getByRole("table", { name: "Audit trail" });
  for (const action of [
    "setup.role-created",
    "setup.role-privileges-changed",
    "setup.application-user-created",
    "setup.role-assigned",
  ]) {
    await expect(trail.getByText(action, { exact: true })).toHaveCount(1);
  }
  // The ids of what was created in the customer's environment are in the trail.
  await expect(trail.getByRole("row").filter({ hasText: "setup.role-created" })).toContainText(
    created.role?.id ?? "missing",
  );
  await staff.close();
});

test("an administrator who is not System Administrator of the environment gets the explanation and the manual path; nothing is created", async ({
  page,
}) => {
  const customer = await stageCustomer({
    name: "Basic Admin",
    users: [
      { name: "Global Admin", upn: "admin", admin: true },
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
  await signInAs(page, appAdmin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await setItUp(page, appAdmin, "Access Dynamics 365 as organization users");
  await expect(page.getByTestId("setup-outcome")).toHaveText("The setup stopped.");
  const alert = page.getByRole("alert").filter({ hasText: "not a System Administrator" });
  await expect(alert).toContainText("Dataverse refused to let your account create the security role");
  await expect(alert).toContainText("Who can fix it: A System Administrator of this environment");
  await expect(alert).toContainText("0x80040220");
  await alert.getByRole("link", { name: "The manual steps" }).click();
  await expect(page.getByRole("heading", { name: "1. Create the security role" })).toBeInViewport();
  await expect(page.getByRole("link", { name: "Microsoft: create or edit a security role" })).toHaveAttribute(
    "href",
    /learn\.microsoft\.com/,
  );
  await expect(
    page.getByRole("link", { name: /Power Platform admin center \(emulated in this demo\)/ }),
  ).toHaveAttribute("href", `${e2e.emulatorURL}/_emulator/ppac`);
  expect(await environmentState(customer.environmentName("prod"))).toMatchObject({ role: null, appUser: null });
});

test("an existing role with the same name but extra privileges is shown as a difference and changed only when approved", async ({
  page,
}) => {
  const customer = await stageCustomer({
    name: "Extra Role",
    environments: [
      {
        name: "prod",
        appUser: "none",
        integrationRole: { extraPrivileges: [{ name: "prvDeleteAccount", depth: "Global" }] },
      },
    ],
  });
  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await setItUp(page, customer.admin, "Access Dynamics 365 as organization users");
  await expect(page.getByTestId("setup-outcome")).toHaveText(
    "The setup is waiting for your decision. Nothing was changed.",
  );
  await expect(page.getByRole("list", { name: "Privileges beyond what is needed" })).toHaveText(
    /prvDeleteAccount — Organization level/,
  );
  const before = await environmentState(customer.environmentName("prod"));
  expect(before.role?.privileges.map((p) => p.name)).toContain("prvDeleteAccount");
  expect(before.appUser).toBeNull();

  await page.getByRole("button", { name: "Change the role to match" }).click();
  await passMicrosoft(page, customer.admin);
  await expect(setupStep(page, "Its privileges:")).toContainText("1 removed");
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  const after = await environmentState(customer.environmentName("prod"));
  expect(after.role?.privileges.map((p) => p.name)).not.toContain("prvDeleteAccount");
  expect(after.appUserRoles).toEqual([ROLE]);
});

test("a forged, replayed or other-tenant environment choice is refused with a 4xx and nothing is created", async ({
  page,
  browser,
}) => {
  const a = await stageCustomer({
    name: "Picker A",
    environments: [
      { name: "prod", appUser: "none" },
      { name: "test", appUser: "none" },
    ],
  });
  const b = await stageCustomer({ name: "Picker B", environments: [{ name: "prod", appUser: "none" }] });
  await signInAs(page, a.admin);
  await page.goto("/onboarding/environments");
  await page.getByRole("button", { name: "List my environments" }).click();
  await passMicrosoft(page, a.admin, "Find the Dataverse environments you can access");
  const form = page
    .getByRole("listitem")
    .filter({ hasText: a.environmentUrl("test") })
    .locator("form");
  const discoveryId = await form.locator('input[name="discoveryId"]').inputValue();
  const instanceId = await form.locator('input[name="instanceId"]').inputValue();
  const post = (p: Page, fields: Record<string, string>) =>
    p.request.post("/onboarding/environments/pick", {
      form: fields,
      headers: { origin: `http://localhost:${e2e.port}` },
      maxRedirects: 0,
    });

  // Forged: an instance that was not listed.
  const forged = await post(page, { discoveryId, instanceId: "00000000-0000-4000-8000-000000000000" });
  expect(forged.status()).toBe(400);
  expect(await forged.text()).toContain("That environment was not offered to you");
  // Another tenant's administrator replaying A's listing.
  const other = await browser.newContext({ baseURL: `http://localhost:${e2e.port}` });
  const otherPage = await other.newPage();
  await signInAs(otherPage, b.admin);
  const crossTenant = await post(otherPage, { discoveryId, instanceId });
  expect(crossTenant.status()).toBe(400);
  await otherPage.goto("/onboarding/environments");
  await expect(otherPage.getByText("None yet.")).toBeVisible();
  await other.close();

  // The real choice, then the same choice again.
  const first = await post(page, { discoveryId, instanceId });
  expect(first.status()).toBe(303);
  const replayed = await post(page, { discoveryId, instanceId });
  expect(replayed.status()).toBe(409);
  await page.goto("/onboarding/environments");
  const registered = page.getByRole("region", { name: "Registered environments" }).getByRole("row");
  await expect(registered).toHaveCount(2); // header + the one environment
});

test("a tenant without Dataverse is told so plainly when it lists its environments", async ({ page }) => {
  const isaiah = "isaiah@tailspintoys.onmicrosoft.com";
  await signInAs(page, isaiah);
  await page.goto("/onboarding/environments");
  await page.getByRole("button", { name: "List my environments" }).click();
  await passMicrosoft(page, isaiah);
  const alert = page.getByRole("region", { name: "Pick from your environments" }).getByRole("alert");
  await expect(alert).toContainText(
    "Your organisation has no Dynamics 365 or Power Platform service, so it has no Dataverse environments to connect.",
  );
  await expect(alert).toContainText("AADSTS500011");
  await expect(page.getByRole("list", { name: "Your environments" })).toHaveCount(0);
});
