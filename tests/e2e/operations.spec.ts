// Operations: /api/metrics behind its bearer token, read by a Prometheus text parser after a customer's journey;
// readiness following the database; OpenTelemetry spans of the production build reaching an OTLP/HTTP receiver.
import { expect, test } from "@playwright/test";
import parsePrometheusTextFormat, { type ParsedMetricFamily } from "parse-prometheus-text-format";
import { emulator, signInAs, stageCustomer } from "./support/emulator";
import { e2e } from "./support/env";
import { startPortal } from "./support/portal-process";
import { createTestDatabase } from "../support/databases";
import { startOtlpReceiver } from "../../scripts/otlp-receiver";
import { blockDatabase, unblockDatabase } from "../support/postgres-control";
import { applyMigrations } from "../../scripts/db/migrations";
import { parseDatabaseUrl } from "../../lib/db/url";

function total(families: ParsedMetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  return (family?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? 0), 0);
}

test("/api/metrics refuses a scraper without its token, and after a journey carries check, token and outbound series", async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await emulator.reset();
  const refused = await request.get("/api/metrics");
  expect(refused.status()).toBe(401);
  expect(refused.headers()["www-authenticate"]).toBe('Bearer realm="metrics"');
  expect(await refused.text()).not.toContain("portal_");
  const wrong = await request.get("/api/metrics", {
    headers: { authorization: "Bearer not-the-metrics-token-at-all" },
  });
  expect(wrong.status()).toBe(401);

  // The journey: a customer's administrator signs in, registers an environment and runs a check that passes.
  const customer = await stageCustomer({ name: "Metered", environments: [{ name: "prod" }] });
  await signInAs(page, customer.admin);
  await page.goto("/onboarding/environments");
  await page.getByLabel("Environment URL").fill(customer.environmentUrl("prod"));
  await page.getByRole("button", { name: "Register environment" }).click();
  await expect(page.getByRole("status")).toContainText("was registered");
  await page.getByRole("link", { name: "Set up its application user" }).click();
  await page.getByRole("button", { name: "Run connection check" }).click();
  await expect(page.getByTestId("check-outcome")).toHaveText("Passed", { timeout: 30_000 });

  const scraped = await request.get("/api/metrics", { headers: { authorization: `Bearer ${e2e.metricsToken}` } });
  expect(scraped.status()).toBe(200);
  expect(scraped.headers()["content-type"]).toContain("text/plain; version=0.0.4");
  const text = await scraped.text();
  const families = parsePrometheusTextFormat(text);
  expect(total(families, "portal_checks_total", { trigger: "CUSTOMER", outcome: "PASSED" })).toBeGreaterThan(0);
  expect(total(families, "portal_token_requests_total", { kind: "dataverse" })).toBeGreaterThan(0);
  expect(total(families, "portal_token_requests_total", { kind: "sign-in", result: "issued" })).toBeGreaterThan(0);
  expect(total(families, "portal_outbound_requests_total", { service: "entra" })).toBeGreaterThan(0);
  expect(total(families, "portal_outbound_requests_total", { service: "dataverse", status: "200" })).toBeGreaterThan(0);
  expect(total(families, "portal_sign_ins_total", { result: "allowed" })).toBeGreaterThan(0);
  expect(families.find((f) => f.name === "portal_check_duration_seconds")?.type).toBe("HISTOGRAM");
  expect(families.find((f) => f.name === "portal_queue_depth")).toBeDefined();
  // Never a tenant id as a label value.
  expect(text).not.toContain(customer.tenantId);
});

test("a portal started without METRICS_TOKEN has no /api/metrics; ready follows the database; spans reach the OTLP receiver", async ({
  request,
}) => {
  test.setTimeout(120_000);
  const receiver = await startOtlpReceiver(e2e.otlpPort);
  const database = await createTestDatabase("postgres");
  const portal = await startPortal({
    PORTAL_MODE: "demo",
    DATABASE_URL: database.url,
    PORT: String(e2e.extraPort(17)),
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  });
  try {
    const ready = () => request.get(`${portal.baseURL}/api/health/ready`);
    expect((await request.get(`${portal.baseURL}/api/metrics`)).status()).toBe(404);
    expect(await (await request.get(`${portal.baseURL}/api/health/live`)).json()).toMatchObject({ status: "ok" });

    // Not migrated yet: not ready, and it says which migrations are missing.
    const unmigrated = await ready();
    expect(unmigrated.status()).toBe(503);
    expect(await unmigrated.json()).toMatchObject({
      status: "unavailable",
      database: { reachable: true },
      migrations: { current: false },
    });

    await applyMigrations(parseDatabaseUrl(database.url));
    await expect.poll(async () => (await ready()).status(), { timeout: 30_000 }).toBe(200);
    expect(await (await ready()).json()).toMatchObject({
      status: "ready",
      migrations: { current: true, pending: [] },
      queue: { running: true },
    });

    await blockDatabase(database.url);
    const away = await ready();
    expect(away.status()).toBe(503);
    expect(await away.json()).toMatchObject({ status: "unavailable", database: { reachable: false } });
    // Liveness does not follow the database: the process is fine.
    expect((await request.get(`${portal.baseURL}/api/health/live`)).status()).toBe(200);

    await unblockDatabase(database.url);
    await expect.poll(async () => (await ready()).status(), { timeout: 30_000 }).toBe(200);

    // instrumentation.ts started the SDK: the request's span reaches the receiver, joined to the request id that the
    // response (and every log line of the request) carries.
    const traced = await ready();
    const requestId = traced.headers()["x-request-id"];
    expect(requestId).toBeTruthy();
    await expect
      .poll(() => receiver.spans.find((s) => s.attributes["portal.request_id"] === requestId)?.name, {
        timeout: 20_000,
      })
      .toBe("GET /api/health/ready");
    const span = receiver.spans.find((s) => s.attributes["portal.request_id"] === requestId)!;
    expect(span).toMatchObject({
      serviceName: "tenant-onboarding-portal",
      kind: 2,
      attributes: { "http.response.status_code": 200, "http.request.method": "GET" },
    });
  } finally {
    await portal.stop();
    await unblockDatabase(database.url).catch(() => undefined);
    await database.drop();
    await receiver.close();
  }
});
