// Registering an environment probes it (an outbound request to Dataverse): a tenant gets a limited number
// of probes per window, and a refused registration sends nothing.
import { expect, test } from "@playwright/test";
import { emulator, signInAs, stageCustomer } from "./support/emulator";

test.beforeEach(async () => {
  await emulator.reset();
});

const PROBES = 10; // ENVIRONMENT_PROBE_RATE.max (lib/onboarding/limits.ts)

test("environment probes are limited per tenant: the 11th registration attempt sends no request", async ({ page }) => {
  test.setTimeout(120_000);
  const customer = await stageCustomer({ name: "Prober", environments: [{ name: "prod" }] });
  const host = new URL(customer.environmentUrl("prod")).hostname;
  await signInAs(page, customer.admin);
  await emulator.clearRequests();
  const probes = async () =>
    (await emulator.requests("dataverse")).filter((r) => r.host === host || String(r.host).startsWith(`${host}:`))
      .length;

  await page.goto("/onboarding/environments");
  for (let i = 0; i < PROBES; i++) {
    await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
    await page.getByRole("button", { name: "Register environment" }).click();
    await expect(i === 0 ? page.getByRole("status") : page.locator("#url-error")).toContainText(
      i === 0 ? "was registered" : "is already registered",
    );
    await page.goto("/onboarding/environments");
  }
  expect(await probes()).toBe(PROBES);

  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await expect(page.locator("#url-error")).toHaveText(
    /has checked 10 environment addresses in the last 10 minutes\. Please wait a few minutes/,
  );
  expect(await probes()).toBe(PROBES);
});
