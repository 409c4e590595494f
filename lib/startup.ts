import "server-only";

// Start-up check: a bad configuration stops the server here with one line naming the variable, instead
// of failing later on the first request that needs it.
import { config, ConfigError } from "@/lib/config";
import { installServerHooks } from "@/lib/http/server-hooks";
import { logger } from "@/lib/log";

// Below Next's request handler: methods Next cannot handle, and the status of a refused server action.
installServerHooks();

try {
  const c = config();
  logger().info({ mode: c.mode, database: c.database.display, tenancy: c.entra.tenancy }, `Tenant Onboarding Portal: ${c.mode} mode, database ${c.database.display}, ${c.entra.tenancy}-tenant`);
  logger().info({ webhooks: c.webhooks ? new URL(c.webhooks.url).origin : null }, c.webhooks ? `Lifecycle webhooks: on, to ${new URL(c.webhooks.url).origin}` : "Lifecycle webhooks: off (WEBHOOK_URL is not set)");
} catch (error) {
  if (error instanceof ConfigError) {
    // Plain text on stderr, one line: the operator reads this one, and the logger may not be configurable.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// Open the database now (PGlite takes seconds to start), so the first visitor does not wait for it.
// A failure here is not fatal: /api/health reports it and pages show the friendly error until it is back.
void import("@/lib/db/client")
  .then(({ db }) => db().$queryRaw`SELECT 1`)
  .catch((error: unknown) =>
    logger().error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, "Database not reachable at start-up; /api/health will report it."),
  );

// The queue's worker runs inside the portal unless it runs apart (`npm run worker`, RECHECK_WORKER=off).
if (config().monitoring.worker === "in-process") {
  void import("@/lib/monitoring/worker")
    .then(({ startWorker }) => startWorker())
    .catch((error: unknown) => logger().error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, "Worker not started"));
}
