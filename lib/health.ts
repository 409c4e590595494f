import "server-only";

import { config } from "@/lib/config";
import { probeDatabase, type DatabaseHealth } from "@/lib/db/probe";

export { probeDatabase, type DatabaseHealth };

export type Readiness = {
  ready: boolean;
  database: DatabaseHealth;
  /** Every migration this build ships is applied ("unknown" when the folder is not deployed with the build). */
  migrations: { current: boolean | "unknown"; pending: string[] } | null;
  /** The queue's worker, where this process runs it (RECHECK_WORKER=in-process); null where it runs apart. */
  queue: { running: boolean; detail: string } | null;
};

/**
 * /api/health/ready: whether this process can serve — its database answers, its migrations are current, and the
 * queue's worker runs where this process runs it. A worker that could not start (the database was away at start-up)
 * is started again here, so the replica becomes ready once the database is back.
 */
export async function readiness(): Promise<Readiness> {
  const database = await probeDatabase();
  const { migrationsCurrent } = await import("@/lib/data/operations");
  const migrations = database.reachable
    ? await migrationsCurrent().catch(() => ({ current: false, pending: [] }))
    : null;
  let queue: Readiness["queue"] = null;
  if (config().monitoring.worker === "in-process") {
    const { workerState, startWorker } = await import("@/lib/worker");
    const state = workerState();
    if (state === "stopped" && database.reachable) void startWorker().catch(() => undefined);
    queue = {
      running: state === "running",
      detail:
        state === "running"
          ? "the queue's worker runs in this process"
          : `the queue's worker is ${state === "stopped" ? "not running (starting it)" : "starting"}`,
    };
  }
  const ready = database.reachable && migrations?.current !== false && (queue?.running ?? true);
  return { ready, database, migrations, queue };
}
