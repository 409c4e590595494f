import "server-only";

// OpenTelemetry spans around the portal's own work: each connection check and its steps, each call to Microsoft,
// each queue job. Only @opentelemetry/api here: without a registered SDK (OTEL_EXPORTER_OTLP_ENDPOINT unset) every
// span is a no-op and nothing below computes its attributes. The SDK is started by instrumentation.ts
// (lib/observability/otel-node.ts). Attributes name what happened (service, status, duration, tenant id, step,
// diagnosis), never a token, a secret, a code or a cookie; URLs pass through redactUrl() first.
import { context, createContextKey, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from "@opentelemetry/api";

export const TRACER_NAME = "tenant-onboarding-portal";
const TENANT_KEY = createContextKey("portal.tenant.id");
const OUTBOUND_KEY = createContextKey("portal.outbound");

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** The tenant the current work is for (a check, a scheduled job): outbound spans carry it as an attribute. */
export function withTenant<T>(tenantId: string, run: () => T): T {
  return context.with(context.active().setValue(TENANT_KEY, tenantId), run);
}

export function currentTenant(): string | undefined {
  const value = context.active().getValue(TENANT_KEY);
  return typeof value === "string" ? value : undefined;
}

/** Runs a call to Microsoft under its own span (lib/http/outbound.ts), marked so undici's instrumentation skips it. */
export function outboundSpan<T>(name: string, attributes: () => Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return context.with(context.active().setValue(OUTBOUND_KEY, true), () => inSpan(name, { kind: SpanKind.CLIENT, attributes }, work));
}

export function insideOutboundSpan(): boolean {
  return context.active().getValue(OUTBOUND_KEY) === true;
}

/** Sets an attribute on the active span, when one is recording (the request id, from lib/log.ts). */
export function tagActiveSpan(key: string, value: string): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttribute(key, value);
}

/** The active trace's id, for log lines (lib/log.ts joins it to the request id). */
export function activeTraceIds(): { traceId: string; spanId: string } | null {
  const span = trace.getActiveSpan();
  if (!span) return null;
  const { traceId, spanId, traceFlags } = span.spanContext();
  // A non-recording, unsampled span has the all-zero invalid id: nothing to join.
  if (!traceFlags && !span.isRecording()) return null;
  return { traceId, spanId };
}

/** Runs `work` inside an active span; an exception marks the span as an error (its message only) and is re-thrown. */
export async function inSpan<T>(name: string, options: { kind?: SpanKind; attributes?: () => Attributes }, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL }, async (span) => {
    if (span.isRecording()) {
      const tenant = currentTenant();
      if (tenant) span.setAttribute("tenant.id", tenant);
      if (options.attributes) span.setAttributes(options.attributes());
    }
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : "error" });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A finished piece of work whose start and end are known after the fact (a check's step). */
export function recordFinishedSpan(name: string, startTime: number, endTime: number, attributes: Attributes, failed = false): void {
  const span = tracer().startSpan(name, { startTime, attributes }, context.active());
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endTime);
}

export { SpanKind, SpanStatusCode };
