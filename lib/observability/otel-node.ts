import "server-only";

// The OpenTelemetry SDK for the Node.js runtime, started once by instrumentation.ts when OTEL_EXPORTER_OTLP_ENDPOINT
// is set (off otherwise: the API's no-op tracer, nothing exported). Spans go by OTLP/HTTP (JSON) to
// <endpoint>/v1/traces in batches. What is traced: one SERVER span per incoming request (pages, route handlers, server
// actions; traceIncomingRequests below), the portal's own work (lib/observability/tracing.ts: checks, steps, calls to
// Microsoft, queue jobs) and its other fetches (instrumentation-undici: webhook deliveries).
//
// OWN_PROVIDER: the SDK's tracer provider is not left registered as the global one. Next.js traces every request
// itself as soon as a global provider exists, and on Node 20 that cost 15–25% more CPU per page in the benchmark
// (`npm run bench -- observability`), sampled or not; with its own request span instead the portal stays within 5%.
// The context manager and the propagator stay global, so the portal's spans nest and a `traceparent` header from a
// load balancer is honoured. Only traces: no OpenTelemetry metrics or logs exporter (metrics are Prometheus', logs pino's).
import { Server, type IncomingMessage, type ServerResponse } from "node:http";
import type { ProxyTracerProvider } from "@opentelemetry/api";
import type { PortalConfig } from "@/lib/config";
import { redactUrl } from "@/lib/redact";
import { insideOutboundSpan, requestSpan, setPortalTracerProvider } from "@/lib/observability/tracing";

type Running = { shutdown(): Promise<void>; flush(): Promise<void>; pause(): void; resume(): void };
const holder = globalThis as unknown as { portalTracing?: Promise<Running> };

/** `incomingRequests: false` in a process that serves no pages (tests and the benchmark, whose own receivers are HTTP servers). */
export function startTracing(
  settings: NonNullable<PortalConfig["observability"]["traces"]>,
  options: { incomingRequests?: boolean } = {},
): Promise<Running> {
  holder.portalTracing ??= (async () => {
    const [
      { NodeSDK },
      { OTLPTraceExporter },
      { BatchSpanProcessor },
      { UndiciInstrumentation },
      { AsyncLocalStorageContextManager },
      api,
    ] = await Promise.all([
      import("@opentelemetry/sdk-node"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/instrumentation-undici"),
      import("@opentelemetry/context-async-hooks"),
      import("@opentelemetry/api"),
    ]);
    const contextManager = new AsyncLocalStorageContextManager();
    const processor = new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `${settings.endpoint}/v1/traces`, headers: settings.headers }),
      scheduledDelayMillis: 2_000,
    });
    const sdk = new NodeSDK({
      serviceName: settings.serviceName,
      contextManager,
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
    const provider = (api.trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
    // The portal's spans use this provider; it does not stay the global one (OWN_PROVIDER above).
    api.trace.disable();
    setPortalTracerProvider(provider);
    if (options.incomingRequests ?? true) traceIncomingRequests();
    return {
      shutdown: () => sdk.shutdown(),
      flush: () => processor.forceFlush(),
      // The benchmark's switch: the API back to its no-op state (as when tracing is not configured), and back on.
      pause: () => {
        setPortalTracerProvider(null);
        api.context.disable();
      },
      resume: () => {
        api.context.setGlobalContextManager(contextManager.enable());
        setPortalTracerProvider(provider);
      },
    };
  })();
  return holder.portalTracing;
}

/** Next's own request spans are off (OWN_PROVIDER): one SERVER span per request instead, for pages, route handlers and actions. */
let requestsTraced = false;
function traceIncomingRequests(): void {
  if (requestsTraced) return;
  requestsTraced = true;
  const original = Server.prototype.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  Server.prototype.emit = function emit(this: Server, event: string | symbol, ...args: unknown[]) {
    if (event !== "request") return original.apply(this, [event, ...args]);
    const [req, res] = args as [IncomingMessage, ServerResponse];
    return requestSpan(req, res, () => original.apply(this, [event, ...args]));
  } as typeof Server.prototype.emit;
}

/** Exports what is buffered (tests; the benchmark; shutdown). */
export async function flushTraces(): Promise<void> {
  await (await holder.portalTracing)?.flush();
}

/** The benchmark (scripts/bench/observability.ts): the same process with tracing off, then on again. */
export async function setTracingPaused(paused: boolean): Promise<void> {
  const running = await holder.portalTracing;
  if (paused) running?.pause();
  else running?.resume();
}

export async function stopTracing(): Promise<void> {
  const running = holder.portalTracing;
  holder.portalTracing = undefined;
  await (await running)?.shutdown();
}
