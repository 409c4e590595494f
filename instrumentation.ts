// Runs once when the server starts. The Node-only part lives in its own modules so the Edge bundle
// never sees process.exit or the OpenTelemetry SDK.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startTracingIfConfigured } = await import("./lib/startup");
    // OpenTelemetry before the first request, so Next's own spans (pages, route handlers, actions) are recorded.
    await startTracingIfConfigured();
  }
}
