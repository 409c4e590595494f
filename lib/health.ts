import "server-only";

import { config } from "@/lib/config";
import { db } from "@/lib/db/client";

export type DatabaseHealth = { kind: "postgres" | "pglite"; reachable: boolean; latencyMs: number | null; error?: string };

const PROBE_TIMEOUT_MS = 3_000;

/** Pings the database with a bounded wait, so a vanished server yields "unreachable", never a hang. */
export async function probeDatabase(): Promise<DatabaseHealth> {
  const kind = config().database.kind;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db().$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { kind, reachable: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // The message is generic on purpose: driver errors can carry host names and user names.
    const reason = error instanceof Error && error.message.startsWith("no answer") ? error.message : "connection failed";
    return { kind, reachable: false, latencyMs: null, error: reason };
  } finally {
    clearTimeout(timer);
  }
}

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
  const migrations = database.reachable ? await migrationsCurrent().catch(() => ({ current: false, pending: [] })) : null;
  let queue: Readiness["queue"] = null;
  if (config().monitoring.worker === "in-process") {
    const { workerState, startWorker } = await import("@/lib/monitoring/worker");
    const state = workerState();
    if (state === "stopped" && database.reachable) void startWorker().catch(() => undefined);
    queue = { running: state === "running", detail: state === "running" ? "the queue's worker runs in this process" : `the queue's worker is ${state === "stopped" ? "not running (starting it)" : "starting"}` };
  }
  const ready = database.reachable && migrations?.current !== false && (queue?.running ?? true);
  return { ready, database, migrations, queue };
}
