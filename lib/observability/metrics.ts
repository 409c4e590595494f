import "server-only";

// Prometheus metrics (prom-client), one registry per process: each replica exposes its own counters at
// /api/metrics and Prometheus sums them across replicas, as it expects. Recorded only when METRICS_TOKEN is set
// (otherwise /api/metrics answers 404 and every hook below returns at once). Label values come from bounded sets
// only: steps and diagnoses of lib/checks, triggers and outcomes of the schema, services, HTTP status codes, queue
// names. Never a tenant id, a user, a URL or anything a customer typed. Names and meanings: docs/operations.md.
import client from "prom-client";
import { config } from "@/lib/config";

export type OutboundMetricService =
  "entra" | "dataverse" | "global-discovery" | "graph" | "marketplace" | "identity" | "vault";

type Instruments = ReturnType<typeof createInstruments>;

function createInstruments() {
  const registry = new client.Registry();
  const counter = (name: string, help: string, labelNames: string[]) =>
    new client.Counter({ name, help, labelNames, registers: [registry] });
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
    new client.Histogram({ name, help, labelNames, buckets, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[]) =>
    new client.Gauge({ name, help, labelNames, registers: [registry] });
  client.collectDefaultMetrics({ register: registry, prefix: "portal_" });
  return {
    registry,
    checks: counter("portal_checks_total", "Connection checks finished, by trigger and outcome.", [
      "trigger",
      "outcome",
    ]),
    checkFailures: counter(
      "portal_check_failures_total",
      "Failed connection checks, by the step that failed and its diagnosis.",
      ["step", "diagnosis"],
    ),
    checkDuration: histogram(
      "portal_check_duration_seconds",
      "Time a connection check took, start to end.",
      ["trigger", "outcome"],
      [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
    ),
    tokenRequests: counter(
      "portal_token_requests_total",
      "Token requests to Entra ID (result=cache: served from MSAL's cache, no request sent), by kind and result.",
      ["kind", "result"],
    ),
    outbound: counter(
      "portal_outbound_requests_total",
      "Calls to Microsoft, by service and HTTP status (timeout, network or redirect when there was no usable answer).",
      ["service", "status"],
    ),
    outboundDuration: histogram(
      "portal_outbound_request_duration_seconds",
      "Time Microsoft took to answer, by service.",
      ["service"],
      [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    ),
    jobs: counter("portal_queue_jobs_processed_total", "Queue jobs this process ran, by queue and result.", [
      "queue",
      "result",
    ]),
    jobDuration: histogram(
      "portal_queue_job_duration_seconds",
      "Time a queue job took, by queue.",
      ["queue"],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    ),
    queueDepth: gauge(
      "portal_queue_depth",
      "Jobs waiting in the queue (ready now or deferred) and running, by queue and state, at scrape time.",
      ["queue", "state"],
    ),
    queueOldestAge: gauge(
      "portal_queue_oldest_job_age_seconds",
      "Age of the oldest job ready to run and not yet started, by queue, at scrape time (0 when none).",
      ["queue"],
    ),
    webhookAttempts: counter(
      "portal_webhook_deliveries_total",
      "Webhook delivery attempts, by result (delivered, failed = will retry, given_up).",
      ["result"],
    ),
    webhookPending: gauge(
      "portal_webhook_pending",
      "Webhook deliveries not yet delivered nor given up, at scrape time.",
      [],
    ),
    webhookOldestPendingAge: gauge(
      "portal_webhook_oldest_pending_age_seconds",
      "Age of the oldest pending webhook delivery, at scrape time (0 when none).",
      [],
    ),
    mail: counter(
      "portal_mail_total",
      "E-mails handed to the SMTP server (sent) or refused by it or unreachable (failed).",
      ["result"],
    ),
    signIns: counter("portal_sign_ins_total", "Sign-ins, by result (allowed, refused) and the refusal's reason.", [
      "result",
      "reason",
    ]),
    apiRequests: counter(
      "portal_api_requests_total",
      "Requests to the ISV back end's API (/api/v1), by operation and HTTP status.",
      ["operation", "status"],
    ),
  };
}

const holder = globalThis as unknown as { portalMetrics?: Instruments; portalMetricsEnabled?: boolean };

/** Whether metrics are recorded in this process: METRICS_TOKEN is set (tests and the benchmark may say otherwise). */
export function metricsEnabled(): boolean {
  if (holder.portalMetricsEnabled === undefined) {
    try {
      holder.portalMetricsEnabled = config().observability.metricsToken !== null;
    } catch {
      // Not decided yet (the configuration cannot be read before start-up has resolved its Key Vault references):
      // nothing is recorded now, and the next call asks again.
      return false;
    }
  }
  return holder.portalMetricsEnabled;
}

/** Tests and the benchmark: turn recording on or off in this process. */
export function setMetricsEnabled(enabled: boolean): void {
  holder.portalMetricsEnabled = enabled;
}

function instruments(): Instruments | null {
  if (!metricsEnabled()) return null;
  holder.portalMetrics ??= createInstruments();
  return holder.portalMetrics;
}

export function recordCheck(check: {
  trigger: string;
  outcome: string;
  durationMs: number;
  failingStep: string | null;
  diagnosis: string | null;
}): void {
  const m = instruments();
  if (!m) return;
  m.checks.inc({ trigger: check.trigger, outcome: check.outcome });
  m.checkDuration.observe({ trigger: check.trigger, outcome: check.outcome }, check.durationMs / 1000);
  if (check.outcome === "FAILED")
    m.checkFailures.inc({ step: check.failingStep ?? "none", diagnosis: check.diagnosis ?? "none" });
}

export function recordTokenRequest(kind: string, result: "issued" | "cache" | "refused" | "error"): void {
  instruments()?.tokenRequests.inc({ kind, result });
}

export function recordOutbound(
  service: OutboundMetricService,
  status: number | "timeout" | "network" | "redirect",
  seconds: number,
): void {
  const m = instruments();
  if (!m) return;
  m.outbound.inc({ service, status: String(status) });
  m.outboundDuration.observe({ service }, seconds);
}

export function recordJob(queue: string, result: "completed" | "failed", seconds: number): void {
  const m = instruments();
  if (!m) return;
  m.jobs.inc({ queue, result });
  m.jobDuration.observe({ queue }, seconds);
}

export function recordWebhookAttempt(result: "delivered" | "failed" | "given_up"): void {
  instruments()?.webhookAttempts.inc({ result });
}

export function recordMail(result: "sent" | "failed"): void {
  instruments()?.mail.inc({ result });
}

export function recordSignIn(result: "allowed" | "refused", reason = "none"): void {
  instruments()?.signIns.inc({ result, reason });
}

export function recordApiRequest(operation: string, status: number): void {
  instruments()?.apiRequests.inc({ operation, status: String(status) });
}

/** Values read from the database at scrape time (queue depth, oldest job, pending webhooks). */
export type ScrapeGauges = {
  queues: Array<{ queue: string; state: string; jobs: number }>;
  oldestReadyJobAgeSeconds: Array<{ queue: string; seconds: number }>;
  webhooks: { pending: number; oldestPendingAgeSeconds: number } | null;
};

/** The text Prometheus scrapes, with the gauges read just now; null when metrics are off. */
export async function renderMetrics(
  readGauges: () => Promise<ScrapeGauges>,
): Promise<{ contentType: string; body: string } | null> {
  const m = instruments();
  if (!m) return null;
  const gauges = await readGauges();
  m.queueDepth.reset();
  for (const q of gauges.queues) m.queueDepth.set({ queue: q.queue, state: q.state }, q.jobs);
  m.queueOldestAge.reset();
  for (const q of gauges.oldestReadyJobAgeSeconds) m.queueOldestAge.set({ queue: q.queue }, q.seconds);
  if (gauges.webhooks) {
    m.webhookPending.set(gauges.webhooks.pending);
    m.webhookOldestPendingAge.set(gauges.webhooks.oldestPendingAgeSeconds);
  }
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}
