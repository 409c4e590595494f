// Issue 14 in the browser: staff set a customer reference in the console, an invitation carries one, the customer
// onboards through it, and the vendor's back end (a test receiver) gets connection.ready, signed, with the reference.
import { ConfidentialClientApplication } from "@azure/msal-node";
import { expect, test } from "@playwright/test";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver";
import { emulator, grantAdminConsent, pickAccount, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

const SAM = "sam.support@northwind.onmicrosoft.com"; // Support.Operator + Support.Admin
const FABRIKAM = "fab1c2d3-4e5f-4a6b-9c7d-8e9f0a1b2c3d"; // seeded, connected

let receiver: WebhookReceiver;

test.beforeAll(async () => {
  receiver = await startWebhookReceiver(e2e.webhookSecret, e2e.webhookPort);
});
test.afterAll(async () => {
  await receiver?.close();
});
test.beforeEach(async () => {
  await emulator.reset();
});

test("a customer reference set in the console and carried by an invitation arrives with connection.ready, signed", async ({
  page,
  browser,
}) => {
  test.slow();
  // Staff set the reference on a tenant; a bad one is refused on the field.
  await signInAs(page, SAM, `/console/tenants/${FABRIKAM}`);
  const reference = page.getByRole("textbox", { name: "Customer reference" });
  await reference.fill("bad\treference!");
  await page.getByRole("button", { name: "Save reference" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Use up to 100 letters, digits" })).toBeVisible();
  await reference.fill("NW-FAB-001");
  await page.getByRole("button", { name: "Save reference" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Reference saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("textbox", { name: "Customer reference" })).toHaveValue("NW-FAB-001");
  await expect(page.getByRole("table", { name: "Audit trail" })).toContainText("tenant.customer_reference_set");

  // An invitation for a new customer, carrying their reference.
  const customer = await stageCustomer({
    name: "Webhook Co",
    consented: false,
    environments: [{ name: "prod", appUser: "enabled" }],
  });
  await page.goto("/console/invitations");
  await page.getByLabel(/Tenant id or domain/).fill(customer.domain);
  await page.getByLabel(/Customer reference/).fill("SUB-4242");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  await expect(page.getByRole("table", { name: "Invitations" })).toContainText("customer reference SUB-4242");

  // The customer onboards through it: sign-in, admin consent, environment, a passing check.
  const context = await browser.newContext();
  const admin = await context.newPage();
  await admin.goto(link);
  await admin.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(admin, customer.admin);
  await admin.getByRole("button", { name: "Accept" }).click();
  await expect(admin).toHaveURL(/\/onboarding$/);
  await grantAdminConsent(admin, customer.admin);
  await admin.getByRole("button", { name: "Accept" }).click();
  await expect(admin.getByRole("heading", { name: "Consent verified" })).toBeVisible({ timeout: 30_000 });
  await admin.goto("/onboarding/environments");
  await admin.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await admin.getByRole("button", { name: "Register environment" }).click();
  await expect(admin.getByRole("status")).toContainText(`${customer.environmentUrl("prod")} was registered.`);
  await admin.getByRole("link", { name: "Set up its application user" }).click();
  await admin.getByRole("button", { name: "Run connection check" }).click();
  await expect(admin.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });
  await context.close();

  // The back end hears of it: one connection.ready for this tenant, signed, with the invitation's reference.
  await expect
    .poll(() => receiver.received.filter((r) => r.json.tenantId === customer.tenantId).length, { timeout: 15_000 })
    .toBe(1);
  const event = receiver.received.find((r) => r.json.tenantId === customer.tenantId)!;
  expect(event.signatureValid).toBe(true);
  expect(event.json).toMatchObject({
    type: "connection.ready",
    tenantId: customer.tenantId,
    customerReference: "SUB-4242",
    environment: { url: customer.environmentUrl("prod") },
  });

  // Staff see the delivery in the console's log, and the tenant arrived matched.
  await page.goto("/console/webhooks");
  const row = page
    .getByRole("table", { name: "Webhook deliveries" })
    .getByRole("row")
    .filter({ hasText: customer.tenantId });
  await expect(row).toContainText("connection.ready");
  await expect(row.getByTestId("delivery-status")).toHaveText("Delivered");
  await page.goto(`/console/tenants/${customer.tenantId}`);
  await expect(page.getByRole("textbox", { name: "Customer reference" })).toHaveValue("SUB-4242");

  // And the back end reads the same from the API of the running portal, with msal-node's token.
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: DEMO_IDS.clientApps.backEnd,
      clientSecret: await emulator.clientAppSecret(DEMO_IDS.clientApps.backEnd),
      authority: `${e2e.emulatorURL}/${DEMO_IDS.tenants.northwind}`,
      knownAuthorities: [new URL(e2e.emulatorURL).host],
    },
  });
  const token = (await msal.acquireTokenByClientCredential({ scopes: [`api://${DEMO_IDS.clientId}/.default`] }))!
    .accessToken;
  const api = await page.request.get(`/api/v1/connections/${customer.tenantId}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(api.status()).toBe(200);
  expect(await api.json()).toMatchObject({
    tenantId: customer.tenantId,
    customerReference: "SUB-4242",
    state: "healthy",
    environments: [{ url: customer.environmentUrl("prod"), state: "healthy" }],
  });
  const anonymous = await page.request.get(`/api/v1/connections/${customer.tenantId}`);
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()["content-type"]).toBe("application/problem+json");
});
