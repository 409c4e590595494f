import "server-only";

// Start-up check: a bad configuration stops the server here with one line naming the variable, instead
// of failing later on the first request that needs it.
import { config, ConfigError } from "@/lib/config";

try {
  const c = config();
  console.log(`Tenant Onboarding Portal: ${c.mode} mode, database ${c.database.display}, ${c.entra.tenancy}-tenant`);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

// Open the database now (PGlite takes seconds to start), so the first visitor does not wait for it.
// A failure here is not fatal: /api/health reports it and pages show the friendly error until it is back.
void import("@/lib/db/client")
  .then(({ db }) => db().$queryRaw`SELECT 1`)
  .catch(() => console.error("Database not reachable at start-up; /api/health will report it."));

// The queue's worker runs inside the portal unless it runs apart (`npm run worker`, RECHECK_WORKER=off).
if (config().monitoring.worker === "in-process") {
  void import("@/lib/monitoring/worker")
    .then(({ startWorker }) => startWorker())
    .catch((error: unknown) => console.error("Worker not started:", error instanceof Error ? error.message : error));
}
