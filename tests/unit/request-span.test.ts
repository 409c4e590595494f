// The span of an incoming request (lib/observability/tracing.ts requestSpan): a bounded name for a page, a route
// handler or a server action, its status, and the request id proxy.ts put on the response; a parent from traceparent.
import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { inSpan, requestSpan, routeOf, setPortalTracerProvider } from "@/lib/observability/tracing";

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

function response(status: number, requestId?: string) {
  const res = Object.assign(new EventEmitter(), {
    statusCode: status,
    getHeader: (name: string) => (name === "x-request-id" ? requestId : undefined),
  });
  return res;
}

afterEach(() => {
  setPortalTracerProvider(null);
  exporter.reset();
  propagation.disable();
  context.disable();
});

describe("request spans", () => {
  it("names routes with ids replaced, so span names stay a bounded set", () => {
    expect(routeOf("/onboarding/environments/0193a2b4-5c6d-7e8f-9012-3456789abcde?x=1")).toBe(
      "/onboarding/environments/:id",
    );
    expect(routeOf("/console/api/checks/12345")).toBe("/console/api/checks/:id");
    expect(routeOf("/consent?invitation=abc")).toBe("/consent");
    expect(routeOf(undefined)).toBe("/");
  });

  it("records a page, an action and a route handler with their status and request id, under a traceparent's trace", () => {
    setPortalTracerProvider(provider);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const page = response(200, "req-page-0001");
    requestSpan(
      {
        method: "GET",
        url: "/onboarding",
        headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
      },
      page,
      () => undefined,
    );
    page.emit("finish");
    const action = response(303, "req-action-01");
    requestSpan(
      { method: "POST", url: "/onboarding/environments", headers: { "next-action": "7f3a" } },
      action,
      () => undefined,
    );
    action.emit("finish");
    action.emit("close");
    const failed = response(503);
    requestSpan({ method: "GET", url: "/api/health/ready", headers: {} }, failed, () => undefined);
    failed.emit("close");

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual([
      "GET /onboarding",
      "action /onboarding/environments",
      "GET /api/health/ready",
    ]);
    expect(spans[0]!.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(spans[0]!.attributes).toMatchObject({
      "http.response.status_code": 200,
      "portal.request_id": "req-page-0001",
      "http.request.method": "GET",
    });
    expect(spans[1]!.attributes).toMatchObject({ "portal.server_action": true, "http.response.status_code": 303 });
    expect(spans[2]!.status.code).toBe(2); // ERROR for a 5xx
  });

  it("hands the page a non-recording active span (Next.js keeps its own tracing off) that its work still nests under", async () => {
    setPortalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const page = response(200, "req-page-0002");
    const seen = await requestSpan({ method: "GET", url: "/onboarding", headers: {} }, page, async () => {
      const active = trace.getActiveSpan();
      await inSpan("portal.work", {}, async () => undefined);
      return { recording: active?.isRecording(), spanId: active?.spanContext().spanId };
    });
    page.emit("finish");

    const [work, request] = exporter.getFinishedSpans();
    expect(request!.name).toBe("GET /onboarding");
    // Next.js's tracer (isOpenTelemetryEnabled) asks the active span whether it records: it must not.
    expect(seen.recording).toBe(false);
    expect(seen.spanId).toBe(request!.spanContext().spanId);
    expect(work!.name).toBe("portal.work");
    expect(work!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(work!.spanContext().traceId).toBe(request!.spanContext().traceId);
  });
});
