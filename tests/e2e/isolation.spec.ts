// Tenant isolation through the browser: a customer of tenant B cannot read or change tenant A's
// environments or checks through any page, form or route; and no secret, assertion or token reaches a browser.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { emulator, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";

test.beforeEach(async () => {
  await emulator.reset();
});

test("a customer of another tenant gets 404 for tenant A's environment and check, and cannot remove it", async ({
  browser,
}) => {
  const a = await stageCustomer({ name: "Alpha", environments: [{ name: "prod" }] });
  const b = await stageCustomer({ name: "Beta", environments: [{ name: "prod" }] });

  const pageA = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await signInAs(pageA, a.admin);
  await pageA.goto("/onboarding/environments");
  await pageA.getByLabel("Environment URL").fill(a.environmentUrl("prod"));
  await pageA.getByRole("button", { name: "Register environment" }).click();
  await pageA.getByRole("link", { name: "Set up its application user" }).click();
  await pageA.waitForURL(/\/onboarding\/environments\/[0-9a-f-]{36}$/);
  const environmentPath = new URL(pageA.url()).pathname;
  const environmentId = environmentPath.split("/").pop()!;
  // Waited for together with the click, so a failed wait is never a rejection nobody handles (issue 19 item 16).
  const [checkResponse] = await Promise.all([
    pageA.waitForResponse((r) => r.url().includes("/api/checks/")),
    pageA.getByRole("button", { name: "Run connection check" }).click(),
  ]);
  const checkId = new URL(checkResponse.url()).pathname.split("/").pop()!;
  await expect(pageA.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });

  const pageB = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await signInAs(pageB, b.admin);
  // Pages and routes: exactly like something that does not exist.
  expect((await pageB.goto(environmentPath))?.status()).toBe(404);
  await expect(pageB.getByRole("heading", { name: "Page not found" })).toBeVisible();
  const check = await pageB.request.get(`/api/checks/${checkId}`);
  expect(check.status()).toBe(404);
  expect(await check.text()).not.toContain(a.environmentUrl("prod"));
  // Tenant B's own lists show nothing of A.
  await pageB.goto("/onboarding/environments");
  await expect(pageB.getByText(a.environmentUrl("prod"))).toHaveCount(0);
  // A tampered form: B's remove button re-pointed at A's environment.
  await pageB.getByLabel("Environment URL").fill(b.environmentUrl("prod"));
  await pageB.getByRole("button", { name: "Register environment" }).click();
  await expect(pageB.getByRole("status")).toContainText("was registered");
  await pageB.goto("/onboarding/environments");
  await pageB
    .locator('input[name="environmentId"]')
    .first()
    .evaluate((input, id) => ((input as HTMLInputElement).value = id), environmentId);
  // Registered from its URL, the environment is named after its address's first label.
  const bName = b.environmentName("prod");
  await pageB.getByRole("button", { name: `Remove ${bName}`, exact: true }).click();
  await pageB.getByRole("button", { name: `Yes, remove ${bName}`, exact: true }).click();
  await expect(pageB).toHaveURL(/\/onboarding\/environments$/);

  // A's environment and check are untouched.
  expect((await pageA.goto(environmentPath))?.status()).toBe(200);
  await expect(pageA.getByRole("list", { name: "Check history" }).getByText("Passed").first()).toBeVisible();
  // Signed out: 401 from the route, sign-in page for the pages.
  const anonymous = await browser.newContext();
  expect((await anonymous.request.get(`${e2e.baseURL}/api/checks/${checkId}`)).status()).toBe(401);
  const anonymousPage = await anonymous.newPage();
  await anonymousPage.goto(`${e2e.baseURL}${environmentPath}`);
  await expect(anonymousPage).toHaveURL(/\/signin\?returnTo=/);
});

test("malformed ids get a clear 4xx, never a 500", async ({ page }) => {
  const customer = await stageCustomer({ name: "Malformed", environments: [{ name: "prod" }] });
  await signInAs(page, customer.admin);
  expect((await page.goto("/onboarding/environments/not-a-uuid"))?.status()).toBe(404);
  expect((await page.goto("/onboarding/environments/%27%3B%20drop%20table"))?.status()).toBe(404);
  for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000", "x".repeat(5000)]) {
    const response = await page.request.get(`/api/checks/${id}`);
    expect(response.status()).toBe(404);
    expect(await response.json()).toEqual({ error: "No such check." });
  }
  expect((await page.goto("/consent/callback?state=%00%01&admin_consent=maybe"))?.status()).toBe(400);
});

test("no secret, assertion or token appears in any response the browser receives", async ({ page }) => {
  const runtime = JSON.parse(readFileSync(path.join(".emulator", `runtime-${e2e.emulatorPort}.json`), "utf8")) as {
    clientSecret: string;
    clientSecret2: string;
  };
  // What the portal holds without any secret configured: the session secret and the certificate's private key, both
  // read from Key Vault at start (and the emulator's client secrets, which the demo does not even configure).
  const { scenario } = (await (await fetch(`${e2e.emulatorURL}/_emulator/state`)).json()) as {
    scenario: {
      keyVaults: Array<{
        secrets: Array<{ versions: Array<{ value: string }> }>;
        certificates: Array<{ versions: Array<{ keyPem: string }> }>;
      }>;
    };
  };
  const vault = scenario.keyVaults[0]!;
  const held = [
    runtime.clientSecret,
    runtime.clientSecret2,
    ...vault.secrets.flatMap((s) => s.versions.map((v) => v.value)),
    ...vault.certificates.flatMap((c) => c.versions.map((v) => v.keyPem.split("\n").slice(1, 3).join("\n"))),
  ];
  for (const value of held) expect(value.length).toBeGreaterThan(20);
  const bodies: string[] = [];
  page.on("response", async (response) => {
    if (!response.url().startsWith(e2e.baseURL)) return;
    bodies.push(`${JSON.stringify(await response.allHeaders())}\n${await response.text().catch(() => "")}`);
  });
  const customer = await stageCustomer({ name: "Secretive", environments: [{ name: "prod" }] });
  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await page.getByRole("link", { name: "Set up its application user" }).click();
  // An Entra error answer on the way (the app is disabled: every token request meets AADSTS7000112).
  await emulator.action("setAppDisabled", { disabled: true });
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Failed", { timeout: 30_000 });
  await page.goto("/onboarding");
  await page.goto("/consent");
  expect(bodies.length).toBeGreaterThan(10);
  for (const body of bodies) {
    for (const value of held) expect(body).not.toContain(value);
    // No signed token either (the managed identity's assertion, an access token): a JWS with a JSON payload.
    expect(body).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/);
  }
});
