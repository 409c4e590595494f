import "server-only";

// The OpenTelemetry SDK for the Node.js runtime, started once by instrumentation.ts when OTEL_EXPORTER_OTLP_ENDPOINT
// is set (off otherwise: the API's no-op tracer, nothing exported). Spans go by OTLP/HTTP (JSON) to
// <endpoint>/v1/traces in batches. Next.js adds its own spans for every page, route handler and server action once a
// tracer provider is registered; lib/observability/tracing.ts adds checks, steps, calls to Microsoft and queue jobs;
// instrumentation-undici adds the portal's other fetches (webhook deliveries). Only traces: no OpenTelemetry metrics
// or logs exporter (metrics are Prometheus', logs are pino's JSON lines).
import type { PortalConfig } from "@/lib/config";
import { redactUrl } from "@/lib/log";
import { insideOutboundSpan } from "@/lib/observability/tracing";

type Running = { shutdown(): Promise<void>; flush(): Promise<void> };
const holder = globalThis as unknown as { portalTracing?: Promise<Running> };

export function startTracing(settings: NonNullable<PortalConfig["observability"]["traces"]>): Promise<Running> {
  holder.portalTracing ??= (async () => {
    const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }, { UndiciInstrumentation }] = await Promise.all([
      import("@opentelemetry/sdk-node"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/instrumentation-undici"),
    ]);
    const processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces`, headers: settings.headers }), scheduledDelayMillis: 2_000 });
    const sdk = new NodeSDK({
      serviceName: settings.serviceName,
      autoDetectResources: false,
      spanProcessors: [processor],
      // Nothing but traces (the SDK would otherwise set up OTLP log and metric exporters from OTEL_* defaults).
      logRecordProcessors: [],
      metricReaders: [],
      instrumentations: [
        new UndiciInstrumentation({
          // Calls to Microsoft have their own span (lib/http/outbound.ts); the exporter's own requests are not traced.
          ignoreRequestHook: (request) => insideOutboundSpan() || request.origin === new URL(settings.endpoint).origin,
          // The URL without query secrets (undici's own attributes carry no headers).
          requestHook: (span, request) => {
            const url = redactUrl(`${request.origin}${request.path}`);
            span.setAttributes({ "url.full": url, "url.query": new URL(url).search.slice(1) });
          },
        }),
      ],
    });
    sdk.start();
    return { shutdown: () => sdk.shutdown(), flush: () => processor.forceFlush() };
  })();
  return holder.portalTracing;
}

/** instrumentation.ts: starts the SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set, and says so either way. */
export async function startTracingIfConfigured(): Promise<void> {
  const { config } = await import("@/lib/config");
  const { logger } = await import("@/lib/log");
  const traces = config().observability.traces;
  if (!traces) {
    logger().info("Traces: off (OTEL_EXPORTER_OTLP_ENDPOINT is not set)");
    return;
  }
  await startTracing(traces);
  logger().info({ traces: new URL(traces.endpoint).origin }, `Traces: on, OTLP/HTTP to ${new URL(traces.endpoint).origin}`);
}

/** Exports what is buffered (tests; the benchmark; shutdown). */
export async function flushTraces(): Promise<void> {
  await (await holder.portalTracing)?.flush();
}

export async function stopTracing(): Promise<void> {
  const running = holder.portalTracing;
  holder.portalTracing = undefined;
  await (await running)?.shutdown();
}
