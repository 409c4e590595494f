import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { DEBIAN_CHROMIUM, DEBIAN_HEADLESS_SHELL } from "./scripts/chromium/find";
import { E2E_WORKERS, e2e, stackOf } from "./tests/e2e/support/env";

// The suite runs against the production build served by `npm run demo` (emulator + embedded database),
// on its own ports and fresh database folders, so it never touches a demo you have running: one such stack per
// worker (tests/e2e/support/env.ts), so that two test files run side by side without sharing an emulator.
// Set once in the runner's process; workers and the global teardown inherit it.
process.env.E2E_DATABASE_DIR ??= path.join(os.tmpdir(), `portal-e2e-${process.pid}`);

export default defineConfig({
  testDir: "tests/e2e",
  globalTeardown: "./tests/e2e/support/global-teardown.ts",
  // A file's tests run in order, in one worker (they share its stack's state); files are spread over the workers.
  fullyParallel: false,
  workers: E2E_WORKERS,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: e2e.baseURL,
    // No trace by default: recording one costs every test (about a tenth of the suite's time here), and a failure
    // already prints its error and writes the page's snapshot (error-context.md). Rerun a failing test with
    // `npm run test:e2e -- <file> --trace on` to record one.
    trace: "off",
    ignoreHTTPSErrors: true,
    launchOptions: {
      // `npm run test:e2e` sets PLAYWRIGHT_CHROMIUM_PATH to the Chromium it found (scripts/with-chromium.ts);
      // run directly, Playwright takes the named one, else Debian's (its headless shell first), else its own download.
      executablePath:
        process.env.PLAYWRIGHT_CHROMIUM_PATH ||
        process.env.CHROMIUM_PATH ||
        [DEBIAN_HEADLESS_SHELL, DEBIAN_CHROMIUM].find((path) => existsSync(path)),
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
  // One stack per worker, started one after the other (the first builds if the build is stale; the next finds it
  // up to date).
  webServer: Array.from({ length: E2E_WORKERS }, (_, index) => stackOf(index)).map((stack) => ({
    command: "npx tsx scripts/demo.ts",
    url: `${stack.baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...(process.env as Record<string, string>),
      PORT: String(stack.port),
      EMULATOR_PORT: String(stack.emulatorPort),
      DATABASE_URL: `pglite:${stack.databaseDir}`,
      // Lifecycle events go to the receiver tests/e2e/lifecycle-webhooks.spec.ts runs (nothing listens otherwise:
      // those deliveries fail and are logged, which is what a down receiver looks like).
      WEBHOOK_URL: stack.webhookURL,
      WEBHOOK_SECRET: stack.webhookSecret,
      // /api/metrics answers the scraper of tests/e2e/operations.spec.ts.
      METRICS_TOKEN: stack.metricsToken,
      // The worker runs in the portal (mail is sent), but scheduled re-verification would add checks to the
      // histories the specs count: it is tested in tests/integration/scheduled-recheck.test.ts.
      RECHECK_INTERVAL_MINUTES: "0",
      // The SaaS offer's rule for Microsoft's ChangePlan requests (tests/e2e/marketplace.spec.ts: one accepted, one rejected).
      MARKETPLACE_ACCEPTED_PLANS: "starter,professional",
      // The demo's mail capture answers here (GET /messages), so specs can read what the portal sent.
      MAIL_CAPTURE_HTTP_PORT: new URL(stack.mailURL).port,
    },
  })),
});
