import "server-only";

// Start-up check: a bad configuration stops the server here with one line naming the variable, instead
// of failing later on the first request that needs it. Key Vault references are read first (they are part of the
// configuration), then the Key Vault certificate's version in use; either failing stops start-up the same way.
import { config, ConfigError, earlySettings } from "@/lib/config";
import { installServerHooks } from "@/lib/http/server-hooks";
import { logger } from "@/lib/log";
import { credentialLabel, credentialsReady } from "@/lib/entra/credentials";
import { KeyVaultReferenceError, resolveKeyVaultReferences } from "@/lib/vault/references";

function stop(message: string): never {
  // Plain text on stderr, one line: the operator reads this one, and the logger may not be configurable.
  console.error(message.replace(/\s*[\r\n]+\s*/g, " "));
  process.exit(1);
}

// Below Next's request handler: methods Next cannot handle, and the status of a refused server action.
installServerHooks();

try {
  earlySettings();
  const resolved = await resolveKeyVaultReferences();
  if (resolved > 0) logger().info({ references: resolved }, `Key Vault references resolved: ${resolved}`);
  const c = config();
  try {
    await credentialsReady(c.entra.credentials, c.keyVault.refreshMinutes);
  } catch (error) {
    stop(
      `Configuration error: ENTRA_CLIENT_CERTIFICATE_KEY_VAULT names a certificate that could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  logger().info(
    { mode: c.mode, database: c.database.display, tenancy: c.entra.tenancy },
    `Tenant Onboarding Portal: ${c.mode} mode, database ${c.database.display}, ${c.entra.tenancy}-tenant`,
  );
  const labels = c.entra.credentials.map(credentialLabel);
  logger().info({ credentials: labels }, `Credentials for Entra ID: ${labels.join(", ") || "none"}`);
  logger().info(
    { webhooks: c.webhooks ? new URL(c.webhooks.url).origin : null },
    c.webhooks
      ? `Lifecycle webhooks: on, to ${new URL(c.webhooks.url).origin}`
      : "Lifecycle webhooks: off (WEBHOOK_URL is not set)",
  );
} catch (error) {
  if (error instanceof ConfigError || error instanceof KeyVaultReferenceError) stop(error.message);
  throw error;
}

// Open the database now (PGlite takes seconds to start), so the first visitor does not wait for it.
// A failure here is not fatal: /api/health reports it and pages show the friendly error until it is back.
void import("@/lib/db/client")
  .then(({ db }) => db().$queryRaw`SELECT 1`)
  .catch((error: unknown) =>
    logger().error(
      { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
      "Database not reachable at start-up; /api/health will report it.",
    ),
  );

// The queue's worker runs inside the portal unless it runs apart (`npm run worker`, RECHECK_WORKER=off).
if (config().monitoring.worker === "in-process") {
  void import("@/lib/worker")
    .then(({ startWorker }) => startWorker())
    .catch((error: unknown) =>
      logger().error(
        { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
        "Worker not started",
      ),
    );
}

/** instrumentation.ts: starts the SDK when OTEL_EXPORTER_OTLP_ENDPOINT is set, and says so either way. */
export async function startTracingIfConfigured(): Promise<void> {
  const traces = config().observability.traces;
  if (!traces) {
    logger().info("Traces: off (OTEL_EXPORTER_OTLP_ENDPOINT is not set)");
    return;
  }
  const { startTracing } = await import("@/lib/observability/otel-node");
  await startTracing(traces);
  logger().info(
    { traces: new URL(traces.endpoint).origin },
    `Traces: on, OTLP/HTTP to ${new URL(traces.endpoint).origin}`,
  );
}
