import "server-only";

// OpenTelemetry spans around the portal's own work: each connection check and its steps, each call to Microsoft,
// each queue job. Only @opentelemetry/api here: without a registered SDK (OTEL_EXPORTER_OTLP_ENDPOINT unset) every
// span is a no-op and nothing below computes its attributes. The SDK is started by instrumentation.ts
// (lib/observability/otel-node.ts). Attributes name what happened (service, status, duration, tenant id, step,
// diagnosis), never a token, a secret, a code or a cookie; URLs pass through redactUrl() first.
import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type TracerProvider,
} from "@opentelemetry/api";

export const TRACER_NAME = "tenant-onboarding-portal";
const TENANT_KEY = createContextKey("portal.tenant.id");
const OUTBOUND_KEY = createContextKey("portal.outbound");

const holder = globalThis as unknown as { portalTracerProvider?: TracerProvider | null };

/** lib/observability/otel-node.ts: the provider the portal's spans go to (null: the API's no-op tracer). */
export function setPortalTracerProvider(provider: TracerProvider | null): void {
  holder.portalTracerProvider = provider;
}

export function tracer() {
  return (holder.portalTracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
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
export function outboundSpan<T>(
  name: string,
  attributes: () => Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  return context.with(context.active().setValue(OUTBOUND_KEY, true), () =>
    inSpan(name, { kind: SpanKind.CLIENT, attributes }, work),
  );
}

export function insideOutboundSpan(): boolean {
  return context.active().getValue(OUTBOUND_KEY) === true;
}

/** Sets an attribute on the active span, when one is recording (the request id, from lib/log.ts). */
export function tagActiveSpan(key: string, value: string): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttribute(key, value);
}

/** A request's path in a bounded form for span names: ids, GUIDs and long tokens become `:id`. */
export function routeOf(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0]!;
  return (
    path
      .split("/")
      .map((segment) =>
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ||
        /\d{3,}|^[A-Za-z0-9_-]{24,}$/.test(segment)
          ? ":id"
          : segment,
      )
      .join("/")
      .slice(0, 120) || "/"
  );
}

/**
 * The span of one incoming request (lib/observability/otel-node.ts): a page, a route handler or a server action
 * (a POST with Next's `next-action` header), with its status, the request id proxy.ts gave it, and its trace made
 * the active one so that the work it causes (checks, calls to Microsoft) are its children.
 */
export function requestSpan<T>(
  req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> },
  res: {
    statusCode: number;
    getHeader(name: string): unknown;
    once(event: "finish" | "close", listener: () => void): unknown;
  },
  handle: () => T,
): T {
  const method = req.method ?? "GET";
  const action = method === "POST" && req.headers["next-action"] !== undefined;
  const route = routeOf(req.url);
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const span = tracer().startSpan(
    `${action ? "action" : method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": method,
        "url.path": route,
        ...(action ? { "portal.server_action": true } : {}),
      },
    },
    parent,
  );
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    const status = res.statusCode;
    const requestId = res.getHeader("x-request-id");
    span.setAttribute("http.response.status_code", status);
    if (typeof requestId === "string") span.setAttribute("portal.request_id", requestId);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once("finish", end);
  res.once("close", end);
  // The handler runs under a non-recording view of the span (same trace and span id, so what it causes still nests
  // under it). Next.js turns its own tracing on whenever the active span is recording (its tracer's
  // isOpenTelemetryEnabled) and then does its span bookkeeping at every render step, with nowhere to export it
  // (OWN_PROVIDER in otel-node.ts): about 9% more CPU per page in `npm run bench -- observability`.
  return context.with(trace.setSpan(parent, trace.wrapSpanContext(span.spanContext())), handle);
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
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: () => Attributes },
  work: (span: Span) => Promise<T>,
): Promise<T> {
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
export function recordFinishedSpan(
  name: string,
  startTime: number,
  endTime: number,
  attributes: Attributes,
  failed = false,
): void {
  const span = tracer().startSpan(name, { startTime, attributes }, context.active());
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endTime);
}

export { SpanKind, SpanStatusCode };
