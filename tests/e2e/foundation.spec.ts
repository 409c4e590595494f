import { expect, test } from "@playwright/test";

test.describe("public pages", () => {
  test("the landing page tells a customer admin what the product does and what they need", async ({ page }) => {
    await page.goto("/");
    await expect(
      page.getByRole("heading", { level: 1, name: "Connect your Dataverse environments to Northwind Sync" }),
    ).toBeVisible();
    await expect(page.getByRole("heading", { name: "How onboarding works" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "What you will need" })).toBeVisible();
    await expect(page.getByText("A Dataverse System Administrator", { exact: true })).toBeVisible();
    // The journey as it is: the environment picker and one-click setup, not pasting URLs and creating users by hand.
    const steps = page.getByRole("list").filter({ has: page.getByRole("heading", { name: "Pick your environments" }) });
    await expect(steps.getByRole("heading", { level: 3 })).toHaveText([
      "Sign in with your work account",
      "Grant admin consent",
      "Pick your environments",
      "Set it up for me",
      "Check the connection",
    ]);
    await expect(steps).toContainText("List my environments");
    await expect(steps).toContainText("never System Administrator");
    await expect(page.locator("main")).not.toContainText("Paste the URLs");
    await page.getByRole("link", { name: "Start onboarding" }).click();
    await expect(page).toHaveURL(/\/consent$/);
    await expect(
      page.getByRole("heading", { level: 1, name: "Connect your organisation to Northwind Sync" }),
    ).toBeVisible();
    // What the role allows, in plain words rather than Dataverse's privilege names.
    await expect(page.getByRole("list", { name: "What the role allows" }).getByRole("listitem")).toHaveText([
      "Read, write and create accounts (whole organisation)",
      "Read, write and create contacts (whole organisation)",
      "Read users (own business unit)",
      "Read security roles (own business unit)",
    ]);
    await expect(page.locator("main")).not.toContainText("prvRead");
  });

  test("the consent page offers a legacy admin-consent link for the hinted tenant", async ({ page }) => {
    await page.goto("/consent?tenant=contoso.onmicrosoft.com&source=appsource");
    const link = page.getByRole("textbox", { name: "Admin consent link" });
    await expect(link).toHaveValue(
      /\/contoso\.onmicrosoft\.com\/oauth2\/authorize\?client_id=[0-9a-f-]{36}&response_type=code&redirect_uri=.+&prompt=admin_consent$/,
    );
  });

  test("malformed consent-page parameters are explained, not fatal", async ({ page }) => {
    const response = await page.goto("/consent?tenant=not%20a%20tenant&invitation=short");
    expect(response?.status()).toBe(200);
    await expect(
      page.getByText("The organisation in this link is not a tenant ID or domain name, so it was ignored."),
    ).toBeVisible();
    await expect(page.getByText("This invitation link is not valid")).toBeVisible();
    await expect(page.getByRole("textbox", { name: "Admin consent link" })).toHaveValue(
      /\/organizations\/oauth2\/authorize\?/,
    );
  });

  test("an unknown page gets a 404 page", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });
});

test("GET /api/health reports the embedded database as reachable", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toBe("no-store");
  expect(await response.json()).toMatchObject({
    status: "ok",
    mode: "demo",
    database: { kind: "pglite", reachable: true },
  });
});
