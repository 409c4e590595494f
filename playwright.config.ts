import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { e2e } from "./tests/e2e/support/env";

// The suite runs against the production build served by `npm run demo` (emulator + embedded database),
// on its own ports and a fresh database folder, so it never touches a demo you have running.
// Set once in the runner's process; workers and the global teardown inherit it.
process.env.E2E_DATABASE_DIR ??= path.join(os.tmpdir(), `portal-e2e-${process.pid}`);
const databaseDir = process.env.E2E_DATABASE_DIR;

export default defineConfig({
  testDir: "tests/e2e",
  globalTeardown: "./tests/e2e/support/global-teardown.ts",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: e2e.baseURL,
    trace: "retain-on-failure",
    ignoreHTTPSErrors: true,
    launchOptions: {
      // `npm run test:e2e` sets PLAYWRIGHT_CHROMIUM_PATH to the Chromium it found (scripts/with-chromium.ts);
      // run directly, Playwright takes the named one, else Debian's, else its own download.
      executablePath:
        process.env.PLAYWRIGHT_CHROMIUM_PATH ||
        process.env.CHROMIUM_PATH ||
        (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--disable-dev-shm-usage",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: "npx tsx scripts/demo.ts",
    url: `${e2e.baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...(process.env as Record<string, string>),
      PORT: String(e2e.port),
      EMULATOR_PORT: String(e2e.emulatorPort),
      DATABASE_URL: `pglite:${databaseDir}`,
      // Lifecycle events go to the receiver tests/e2e/lifecycle-webhooks.spec.ts runs (nothing listens otherwise:
      // those deliveries fail and are logged, which is what a down receiver looks like).
      WEBHOOK_URL: e2e.webhookURL,
      WEBHOOK_SECRET: e2e.webhookSecret,
      // /api/metrics answers the scraper of tests/e2e/operations.spec.ts.
      METRICS_TOKEN: e2e.metricsToken,
      // The worker runs in the portal (mail is sent), but scheduled re-verification would add checks to the
      // histories the specs count: it is tested in tests/integration/scheduled-recheck.test.ts.
      RECHECK_INTERVAL_MINUTES: "0",
      // The SaaS offer's rule for Microsoft's ChangePlan requests (tests/e2e/marketplace.spec.ts: one accepted, one rejected).
      MARKETPLACE_ACCEPTED_PLANS: "starter,professional",
      // The demo's mail capture answers here (GET /messages), so specs can read what the portal sent.
      MAIL_CAPTURE_HTTP_PORT: new URL(e2e.mailURL).port,
    },
  },
});
