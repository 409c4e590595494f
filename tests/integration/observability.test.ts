// Metrics and traces of the connection check against the emulator: an in-test OTLP/HTTP receiver gets a span for
// the check, a child span per step and one per call to Microsoft (service, status, duration, tenant id), with no
// token or secret in any attribute; the Prometheus text the scrape serves reads back with a Prometheus parser and
// counts the checks, the token requests and the calls by service — never with a tenant id as a label value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import parsePrometheusTextFormat, { type ParsedMetricFamily } from "parse-prometheus-text-format";
import { DEMO_IDS, testCredentials } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { forgetTokens } from "../support/tokens";
import { setTestEnv } from "../support/config";
import { startOtlpReceiver, type OtlpReceiver } from "@/scripts/otlp-receiver";

setTestEnv({ METRICS_TOKEN: "metrics-token-for-the-integration-test" });

const h = useCheckHarness("pglite");
let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const { startTracing } = await import("@/lib/observability/otel-node");
  await startTracing(
    { endpoint: receiver.endpoint, headers: {}, serviceName: "portal-under-test" },
    { incomingRequests: false },
  );
});

afterAll(async () => {
  const { stopTracing } = await import("@/lib/observability/otel-node");
  await stopTracing();
  await receiver?.close();
});

function sample(families: ParsedMetricFamily[], name: string, labels: Record<string, string>): number {
  const family = families.find((f) => f.name === name);
  const metric = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(metric?.value ?? 0);
}

/** A histogram's observation count for one series (the parser keeps only unlabelled histograms' counts). */
function histogramCount(text: string, name: string, labels: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}_count{${labels}}`));
  return Number(line?.split(" ")[1] ?? 0);
}

describe("observability of the connection check", () => {
  it("exports a span per check, per step and per call to Microsoft, without tokens or secrets", async () => {
    const passed = await runHarnessCheck(h, DEMO_IDS.tenants.fabrikam, "fabrikam");
    const failed = await runHarnessCheck(h, DEMO_IDS.tenants.adventureWorks, "adventureworks");
    expect(passed.outcome).toBe("PASSED");
    expect(failed.outcome).toBe("FAILED");
    const { flushTraces } = await import("@/lib/observability/otel-node");
    await flushTraces();

    const checks = receiver.spans.filter((s) => s.name === "connection check");
    const checkSpan = checks.find((s) => s.attributes["portal.check.id"] === passed.check.steps[0]!.checkId)!;
    expect(checkSpan, "the passed check's span").toBeDefined();
    expect(checkSpan.serviceName).toBe("portal-under-test");
    expect(checkSpan.attributes).toMatchObject({
      "tenant.id": DEMO_IDS.tenants.fabrikam,
      "portal.check.trigger": "CUSTOMER",
      "portal.check.outcome": "PASSED",
    });

    const children = receiver.spans.filter((s) => s.parentSpanId === checkSpan.spanId);
    const steps = children.filter((s) => s.name.startsWith("check step "));
    expect(steps.map((s) => s.attributes["portal.check.step"])).toEqual([
      "token",
      "whoami",
      "application-user",
      "roles",
      "least-privilege",
      "privileges",
      "sample-read",
    ]);
    expect(
      steps.every((s) => s.attributes["portal.step.outcome"] === "PASSED" && s.traceId === checkSpan.traceId),
    ).toBe(true);

    const calls = children.filter((s) => s.attributes["portal.service"] !== undefined);
    expect(calls.map((s) => s.name)).toEqual(["POST entra", "GET dataverse", "POST dataverse"]);
    for (const call of calls) {
      expect(call.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(call.attributes).toMatchObject({
        "tenant.id": DEMO_IDS.tenants.fabrikam,
        "http.response.status_code": 200,
      });
      expect(call.attributes["portal.duration_ms"]).toEqual(expect.any(Number));
    }

    const failedSpan = checks.find((s) => s.attributes["portal.check.id"] === failed.check.steps[0]!.checkId)!;
    const failedStep = receiver.spans.find(
      (s) => s.parentSpanId === failedSpan.spanId && s.attributes["portal.step.outcome"] === "FAILED",
    )!;
    expect(failedStep.attributes).toMatchObject({
      "portal.check.step": failed.check.failingStep,
      "portal.step.diagnosis": failed.step(failed.check.failingStep!).diagnosis,
    });

    // No attribute of any span carries a token, the client secret, an authorization header or a code.
    const secret = testCredentials().secret.value;
    for (const span of receiver.spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        const text = String(value);
        expect(text, `${span.name} ${key}`).not.toContain(secret);
        expect(text, `${span.name} ${key}`).not.toMatch(
          /eyJ[A-Za-z0-9_-]{10,}\.|Bearer |client_secret|client_assertion=/,
        );
        expect(key).not.toMatch(/authorization|cookie|token$/i);
      }
    }
  });

  it("serves Prometheus text with checks, token requests and calls by service, and no tenant id as a label", async () => {
    // Its own checks: a cold or warm pass (with a token from Entra or from the cache) and a failure.
    await forgetTokens(DEMO_IDS.tenants.fabrikam);
    await runHarnessCheck(h, DEMO_IDS.tenants.fabrikam, "fabrikam");
    await runHarnessCheck(h, DEMO_IDS.tenants.fabrikam, "fabrikam");
    await runHarnessCheck(h, DEMO_IDS.tenants.adventureWorks, "adventureworks");
    const { metricsResponse } = await import("@/lib/api/metrics");
    const response = await metricsResponse();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const families = parsePrometheusTextFormat(text);

    expect(sample(families, "portal_checks_total", { trigger: "CUSTOMER", outcome: "PASSED" })).toBeGreaterThanOrEqual(
      2,
    );
    expect(sample(families, "portal_checks_total", { trigger: "CUSTOMER", outcome: "FAILED" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(families.find((f) => f.name === "portal_check_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(
      histogramCount(text, "portal_check_duration_seconds", 'trigger="CUSTOMER",outcome="PASSED"'),
    ).toBeGreaterThanOrEqual(2);
    expect(
      families
        .find((f) => f.name === "portal_check_failures_total")
        ?.metrics.some((m) => m.labels?.step && m.labels.diagnosis && Number(m.value) > 0),
    ).toBe(true);
    expect(
      sample(families, "portal_token_requests_total", { kind: "dataverse", result: "issued" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(families, "portal_token_requests_total", { kind: "dataverse", result: "cache" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(families, "portal_outbound_requests_total", { service: "entra", status: "200" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(families, "portal_outbound_requests_total", { service: "dataverse", status: "200" }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      histogramCount(text, "portal_outbound_request_duration_seconds", 'service="dataverse"'),
    ).toBeGreaterThanOrEqual(3);
    expect(families.find((f) => f.name === "portal_webhook_pending")).toBeDefined();

    const tenantIds = Object.values(DEMO_IDS.tenants);
    for (const family of families)
      for (const metric of family.metrics)
        for (const value of Object.values(metric.labels ?? {})) expect(tenantIds).not.toContain(value);
  });
});

describe("logs joined to traces", () => {
  it("a log line written inside a span carries its trace id beside the request id, and the span carries the request id", async () => {
    const { Writable } = await import("node:stream");
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const { createLogger, logger, requestLogger, setLogger, withRequestId } = await import("@/lib/log");
    const { inSpan } = await import("@/lib/observability/tracing");
    const previous = logger();
    setLogger(createLogger(sink, "info"));
    let traceId = "";
    try {
      await withRequestId("req-0123456789", () =>
        inSpan("a request", {}, async (span) => {
          traceId = span.spanContext().traceId;
          (await requestLogger({ service: "test" })).info("inside");
        }),
      );
    } finally {
      setLogger(previous);
    }
    expect(lines.find((l) => l.msg === "inside")).toMatchObject({
      requestId: "req-0123456789",
      traceId,
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    const { flushTraces } = await import("@/lib/observability/otel-node");
    await flushTraces();
    expect(receiver.spans.find((s) => s.traceId === traceId)?.attributes["portal.request_id"]).toBe("req-0123456789");
  });
});
