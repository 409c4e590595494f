// Ports and URLs of the stacks the e2e suite runs against (shared by playwright.config.ts and the tests).
//
// The suite runs E2E_WORKERS Playwright workers (default 2) side by side, each against a stack of its own: a demo
// portal with its emulator, embedded database and mail capture (playwright.config.ts starts one per worker). Tests
// stage customers in the emulator and reset it, so two workers never share one; a test file runs whole in one
// worker, as it did with one. Stack i listens on the base ports plus STACK_STRIDE × i; a worker finds its own from
// TEST_PARALLEL_INDEX, which Playwright sets in each worker before it loads the config and the tests.

/** How many workers (and so stacks) the suite runs. */
export const E2E_WORKERS = Math.max(1, Math.floor(Number(process.env.E2E_WORKERS ?? 2)) || 1);

/** Ports between one stack's and the next: every port below is its stack's base plus less than this. */
const STACK_STRIDE = 50;

const basePort = Number(process.env.E2E_PORT ?? 3100);
const baseEmulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 44310);

export function stackOf(index: number) {
  const port = basePort + STACK_STRIDE * index;
  const emulatorPort = baseEmulatorPort + STACK_STRIDE * index;
  // The test webhook receiver (tests/support/webhook-receiver.ts) the portal sends lifecycle events to.
  const webhookPort = emulatorPort + 7;
  const databaseDir = `${process.env.E2E_DATABASE_DIR ?? "/tmp/portal-e2e"}-${index}`;
  return {
    /** Which stack this is (0 for the first worker). */
    index,
    port,
    emulatorPort,
    baseURL: `http://localhost:${port}`,
    emulatorURL: `https://127.0.0.1:${emulatorPort}`,
    webhookPort,
    /** Extra `next start` replicas (tests/e2e/replicas.spec.ts): the two ports after the portal's own. */
    replicaPorts: [port + 1, port + 2] as const,
    webhookURL: `http://127.0.0.1:${webhookPort}/hooks/portal`,
    webhookSecret: "e2e-webhook-secret-0123456789abcdef",
    /**
     * A port for a second portal a spec starts itself (single-tenant, certificate, start-up failures), offset
     * from the stack's own so that two suites on one machine (E2E_PORT) never collide: 16, 17, 18 and 19 are used.
     */
    extraPort: (offset: 16 | 17 | 18 | 19) => port + offset,
    /** The scraper's bearer token for /api/metrics (METRICS_TOKEN of the suite's portal). */
    metricsToken: "e2e-metrics-token-0123456789abcdef",
    /** An OTLP/HTTP receiver a spec starts itself for a portal it starts itself (tests/e2e/operations.spec.ts). */
    otlpPort: emulatorPort + 5,
    /** The demo's SMTP capture, read over HTTP (GET /messages). */
    mailURL: `http://127.0.0.1:${emulatorPort + 2}`,
    /**
     * The stack's embedded database folder (under E2E_DATABASE_DIR, set once by playwright.config.ts in the runner;
     * workers and the global teardown inherit it).
     */
    databaseDir,
    /** The folders of the portals tests/e2e/session.spec.ts starts itself (removed by the global teardown too). */
    ownPortalDatabaseDirs: { single: `${databaseDir}-single`, certificate: `${databaseDir}-certificate` },
  };
}

/** This worker's stack (the first one in the runner, where no test runs). */
export const e2e = stackOf(Number(process.env.TEST_PARALLEL_INDEX ?? 0));
