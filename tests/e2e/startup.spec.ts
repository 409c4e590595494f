// Start-up behaviour of the production build, outside the browser: configuration errors, PORT, and a
// database that goes away while the portal runs.
import { expect, test } from "@playwright/test";
import { e2e } from "./support/env";
import { createTestDatabase } from "../support/databases";
import { blockDatabase, unblockDatabase } from "../support/postgres-control";
import { startPortal, runPortalUntilExit } from "./support/portal-process";

const production = {
  PORTAL_MODE: "production",
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/postgres",
  ENTRA_CLIENT_ID: "11111111-2222-3333-4444-555555555555",
  ENTRA_HOME_TENANT_ID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
  ENTRA_CLIENT_SECRET: "not-a-real-secret-value",
  AUTH_SECRET: "x".repeat(40),
  AUTH_URL: "https://onboarding.example.com",
};

test.describe("start-up configuration", () => {
  test("a missing required variable outside demo mode stops start-up with one line naming it", async () => {
    const { code, stderr } = await runPortalUntilExit({ ...production, ENTRA_CLIENT_ID: "" });
    expect(code).toBe(1);
    expect(stderr).toContain("Configuration error: ENTRA_CLIENT_ID is required outside demo mode");
  });

  test("a malformed DATABASE_URL stops start-up with a message naming it", async () => {
    const { code, stderr } = await runPortalUntilExit({ ...production, DATABASE_URL: "mysql://db.example.com/portal" });
    expect(code).toBe(1);
    expect(stderr).toContain("Configuration error: DATABASE_URL has the unsupported scheme 'mysql'");
  });

  test("a malformed client id is named", async () => {
    const { code, stderr } = await runPortalUntilExit({ ...production, ENTRA_CLIENT_ID: "my-app" });
    expect(code).toBe(1);
    expect(stderr).toContain("Configuration error: ENTRA_CLIENT_ID must be a GUID");
  });
});

test("PORT is honoured and health follows the PostgreSQL server going away and coming back", async ({ page }) => {
  const database = await createTestDatabase("postgres");
  const portal = await startPortal({
    PORTAL_MODE: "demo",
    DATABASE_URL: database.url,
    PORT: String(e2e.extraPort(17)),
  });
  try {
    expect(portal.baseURL).toBe(`http://localhost:${e2e.extraPort(17)}`);
    const healthy = await page.request.get(`${portal.baseURL}/api/health`);
    expect(healthy.status()).toBe(200);
    expect(await healthy.json()).toMatchObject({ database: { kind: "postgres", reachable: true } });

    await blockDatabase(database.url);
    const down = await page.request.get(`${portal.baseURL}/api/health`);
    expect(down.status()).toBe(503);
    expect(await down.json()).toMatchObject({ status: "unavailable", database: { reachable: false } });

    // A page that needs the database shows the friendly error page, and the server keeps running.
    await page.goto(`${portal.baseURL}/consent?invitation=${"a".repeat(43)}`);
    await expect(page.getByRole("heading", { name: "Something went wrong on our side" })).toBeVisible();
    await expect(page.getByText("Nothing you entered has been lost")).toBeVisible();

    await unblockDatabase(database.url);
    await expect
      .poll(async () => (await page.request.get(`${portal.baseURL}/api/health`)).status(), { timeout: 15_000 })
      .toBe(200);
  } finally {
    await portal.stop();
    await database.drop();
  }
});
