// `npm run worker`: the job queue's worker as its own process (scheduled re-verification, alert e-mails), for
// deployments that run it apart from the portal replicas (set RECHECK_WORKER=off on those). Configured by the
// same variables as the portal. The embedded database is one process's: with it the worker runs in the portal.
import { config, ConfigError } from "../lib/config";
import { KeyVaultReferenceError, resolveKeyVaultReferences } from "../lib/vault/references";

async function main() {
  let c;
  try {
    // Key Vault references first (docs/protocol/identity.md R1), as the portal does at start.
    await resolveKeyVaultReferences();
    c = config();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof KeyVaultReferenceError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (c.database.kind !== "postgres") {
    console.error(
      `The worker needs PostgreSQL (DATABASE_URL=postgresql://…): the embedded database ${c.database.display} can be opened by one process only, where the portal runs the worker itself.`,
    );
    process.exit(1);
  }
  const { startWorker } = await import("../lib/worker");
  const worker = await startWorker();
  const stop = () => {
    void worker.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
