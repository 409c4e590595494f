// Only a tenant's administrators change its connection, and admin consent is proven by what only an
// administrator's consent grants. Driven in Chromium against the demo stack.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { emulator, grantAdminConsent, signInAs, stageCustomer } from "./support/emulator";

const PRADEEP = "pradeep@fabrikam.onmicrosoft.com"; // Fabrikam, no directory role (demo)
const FABRIKAM_ENV = () => emulator.environmentUrl("fabrikam", "crm4");

test.beforeEach(async () => {
  await emulator.reset();
});

/** The customer area's server actions, read from the production build the suite runs against. */
async function onboardingActions(): Promise<Array<{ id: string; name: string; worker: string }>> {
  const manifest = JSON.parse(
    await readFile(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"),
  ) as {
    node: Record<string, { filename?: string; exportedName?: string; workers: Record<string, unknown> }>;
  };
  return Object.entries(manifest.node)
    .filter(([, a]) => a.filename === "app/(onboarding)/onboarding/actions.ts")
    .map(([id, a]) => ({ id, name: a.exportedName ?? "?", worker: Object.keys(a.workers)[0]! }));
}

/** Calls a server action the way Next's client does, with arguments a real page would send. */
function callAction(request: APIRequestContext, url: string, actionId: string, args: unknown[]) {
  return request.post(url, {
    headers: { "Next-Action": actionId, "Content-Type": "text/plain;charset=UTF-8", Accept: "text/x-component" },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
}

test("a non-administrator sees the connected tenant's status, without controls; the same actions replayed are refused", async ({
  page,
}) => {
  await signInAs(page, PRADEEP);
  await expect(page.getByTestId("read-only-notice")).toContainText(
    "Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator",
  );
  await expect(page.getByTestId("consent-state")).toContainText("Granted and verified");
  await expect(page.getByText("with read-only access")).toBeVisible();
  await expect(page.getByRole("link", { name: /^Next:/ })).toHaveCount(0);

  await page.goto("/onboarding/consent");
  await expect(page.getByRole("button", { name: /Grant admin consent/ })).toHaveCount(0);
  await page.goto("/onboarding/environments");
  await expect(page.getByRole("link", { name: FABRIKAM_ENV() })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Remove / })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Register environment" })).toHaveCount(0);
  await page.getByRole("link", { name: FABRIKAM_ENV() }).click();
  await expect(
    page.getByTestId("environment-state").getByRole("heading", { name: "Connected and working" }),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Run connection check" })).toHaveCount(0);
  await expect(page.getByTestId("read-only-notice")).toBeVisible();
  const environmentId = page.url().split("/").pop()!;
  await page.goto("/onboarding/disconnect");
  await expect(page.getByRole("button", { name: /Disconnect/ })).toHaveCount(0);
  expect((await page.goto("/onboarding/consent/verify"))?.status()).toBe(403);

  // The same actions, replayed with this user's session: every one refused, nothing changed.
  const actions = await onboardingActions();
  expect(actions.map((a) => a.name).sort()).toEqual([
    "disconnectAction",
    "registerEnvironmentAction",
    "removeEnvironmentAction",
    "setEmailAlertsAction",
    "setOwnAlertSubscriptionAction",
    "startAdminConsent",
    "startCheckAction",
    "startDiscoveryAction",
    "startSetupAction",
    "verifyConsentAttempt",
  ]);
  const form = (fields: Record<string, string>) => Object.entries(fields);
  const argsFor: Record<string, unknown[]> = {
    startCheckAction: [environmentId],
    verifyConsentAttempt: [1],
    startAdminConsent: [],
    startDiscoveryAction: [],
    startSetupAction: [form({ environmentId })],
    registerEnvironmentAction: [{}, form({ url: "https://another.crm4.dynamics.com" })],
    removeEnvironmentAction: [form({ environmentId })],
    disconnectAction: [{}, form({ confirm: "fabrikam.onmicrosoft.com" })],
    setEmailAlertsAction: [{}, form({ alerts: "off" })],
    setOwnAlertSubscriptionAction: [{}, form({ me: "add" })],
  };
  for (const action of actions) {
    const url = action.worker
      .replace(/^app\/\(onboarding\)/, "")
      .replace(/\/page$/, "")
      .replace("[environmentId]", environmentId);
    const response = await callAction(page.request, url, action.id, argsFor[action.name] ?? []);
    expect(response.status(), action.name).toBe(403);
  }
  await page.goto("/onboarding/environments");
  await expect(page.getByRole("link", { name: FABRIKAM_ENV() })).toBeVisible();
  await page.goto("/onboarding");
  await expect(page.getByTestId("consent-state")).toContainText("Granted and verified");
});

test("a non-administrator's own consent at sign-in leaves the tenant not consented, and an administrator is told why it does not count", async ({
  browser,
}) => {
  const customer = await stageCustomer({ name: "UserConsent", consented: false });
  const userPage = await (await browser.newContext()).newPage();
  // Signing in, the user accepts Microsoft's permission prompt for themselves: that creates the enterprise
  // application in the tenant, and nothing more.
  await signInAs(userPage, customer.user);
  await expect(userPage.getByTestId("consent-state")).toHaveText("Not granted yet");
  await expect(userPage.getByTestId("read-only-notice")).toBeVisible();

  const adminPage = await (await browser.newContext()).newPage();
  await signInAs(adminPage, customer.admin);
  await adminPage.goto("/onboarding/consent/verify");
  await expect(adminPage.getByText(/no administrator has consented to it/)).toBeVisible({ timeout: 30_000 });
  await expect(adminPage.getByText(/"Tenant\.Connect" permission, which only admin consent grants/)).toBeVisible();
  await adminPage.goto("/onboarding");
  await expect(adminPage.getByTestId("consent-state")).toHaveText("Not granted yet");
});

test("an administrator's consent ends verified and names them; revoking it in Microsoft makes the next verification fail", async ({
  page,
}) => {
  const customer = await stageCustomer({ name: "AdminConsent", consented: false });
  await signInAs(page, customer.admin);
  await grantAdminConsent(page, customer.admin);
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await page.goto("/onboarding");
  await expect(page.getByTestId("consent-state")).toHaveText(/Granted and verified \(by .+\)/);

  await emulator.action("revokeConsent", { tenant: customer.tenantId });
  await page.goto("/onboarding/consent");
  await page.getByRole("link", { name: "Check the consent again with Microsoft" }).click();
  await expect(page.getByText(/is not \(yet\) approved in your organisation/)).toBeVisible({ timeout: 30_000 });
  await page.goto("/onboarding");
  await expect(page.getByTestId("consent-state")).toHaveText("Revoked");
});
