// Ports and URLs of the stack the e2e suite runs against (shared by playwright.config.ts and the tests).
const port = Number(process.env.E2E_PORT ?? 3100);
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 44310);

// The test webhook receiver (tests/support/webhook-receiver.ts) the portal sends lifecycle events to.
const webhookPort = Number(process.env.E2E_WEBHOOK_PORT ?? emulatorPort + 7);

// Extra `next start` replicas (tests/e2e/replicas.spec.ts) listen on the two ports after the portal's own.
const replicaPorts = (process.env.E2E_REPLICA_PORTS ?? `${port + 1},${port + 2}`).split(",").map(Number);

export const e2e = {
  port,
  emulatorPort,
  baseURL: `http://localhost:${port}`,
  emulatorURL: `https://127.0.0.1:${emulatorPort}`,
  webhookPort,
  replicaPorts: [replicaPorts[0]!, replicaPorts[1]!] as const,
  webhookURL: `http://127.0.0.1:${webhookPort}/hooks/portal`,
  webhookSecret: "e2e-webhook-secret-0123456789abcdef",
  /**
   * A port for a second portal a spec starts itself (single-tenant, certificate, start-up failures), offset
   * from the suite's own so that two suites on one machine (E2E_PORT) never collide: 16, 17, 18 and 19 are used.
   */
  extraPort: (offset: 16 | 17 | 18 | 19) => port + offset,
  /** The scraper's bearer token for /api/metrics (METRICS_TOKEN of the suite's portal). */
  metricsToken: "e2e-metrics-token-0123456789abcdef",
  /** An OTLP/HTTP receiver a spec starts itself for a portal it starts itself (tests/e2e/operations.spec.ts). */
  otlpPort: emulatorPort + 5,
  /** The demo's SMTP capture, read over HTTP (GET /messages). */
  mailURL: `http://127.0.0.1:${emulatorPort + 2}`,
};
