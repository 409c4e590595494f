// The origin cookie carried across the Microsoft sign-in: it must not hold the invitation token, and the
// invitation it refers to is still recognised at the first sign-in.
import { expect, test } from "@playwright/test";
import { emulator, pickAccount, signInAs, stageCustomer } from "./support/emulator";

test.beforeEach(async () => {
  await emulator.reset();
});

test("an invitation sign-in carries a sealed reference in the origin cookie, not the invitation token", async ({
  page,
  browser,
}) => {
  const customer = await stageCustomer({ name: "Invited", consented: false });
  await signInAs(page, "sam.support@northwind.onmicrosoft.com", "/console/invitations");
  await page.getByLabel(/Tenant id or domain/).fill(customer.domain);
  await page.getByLabel(/Note for the team/).fill("origin cookie");
  await page.getByRole("button", { name: "Create invitation link" }).click();
  const link = await page.getByRole("textbox", { name: "Invitation link" }).inputValue();
  const token = new URL(link).searchParams.get("invitation")!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${link}&source=appsource-listing`);
  await visitor.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await visitor.waitForURL(/127\.0\.0\.1/);
  const origin = (await visitor.context().cookies()).find((c) => c.name === "onboarding_origin");
  expect(origin).toBeDefined();
  expect(origin!.httpOnly).toBe(true);
  expect(origin!.value).not.toContain(token);
  expect(decodeURIComponent(origin!.value)).not.toContain(token);
  expect(Buffer.from(origin!.value.split(".")[0]!, "base64url").toString()).not.toContain(token);

  await pickAccount(visitor, customer.admin);
  await visitor.getByRole("button", { name: "Accept" }).click();
  await expect(visitor).toHaveURL(/\/onboarding$/);
  // Read once, then gone.
  expect((await visitor.context().cookies()).find((c) => c.name === "onboarding_origin")).toBeUndefined();
  await visitor.context().close();

  // The invitation was recognised and used by this tenant.
  await page.reload();
  const row = page.getByRole("table", { name: "Invitations" }).getByRole("row").filter({ hasText: "origin cookie" });
  await expect(row.getByTestId("invitation-status")).toHaveText("Used");
});
