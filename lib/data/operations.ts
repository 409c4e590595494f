import "server-only";

// The system's own reads for operations (lib/observability, /api/health/ready): how deep the job queue is, how old
// its oldest waiting job, how many webhook deliveries are pending, whether the database's migrations are current.
// Unscoped by design (counts across every tenant, never a tenant's data); nothing here is reachable from a page.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db/client";

export type QueueGauges = {
  queues: Array<{ queue: string; state: "ready" | "deferred" | "active"; jobs: number }>;
  oldestReadyJobAgeSeconds: Array<{ queue: string; seconds: number }>;
};

/** pg-boss's jobs not finished, by queue and state (`ready` = due now, `deferred` = due later); empty before its schema exists. */
export async function queueGauges(): Promise<QueueGauges> {
  try {
    const rows = await db().$queryRaw<
      Array<{ queue: string; state: "ready" | "deferred" | "active"; jobs: number; oldest: number | null }>
    >`
      SELECT name AS queue,
             CASE WHEN state = 'active' THEN 'active' WHEN start_after > now() THEN 'deferred' ELSE 'ready' END AS state,
             count(*)::int AS jobs,
             extract(epoch FROM now() - min(start_after))::float8 AS oldest
      FROM pgboss.job WHERE state IN ('created', 'retry', 'active') GROUP BY 1, 2`;
    return {
      queues: rows.map((r) => ({ queue: r.queue, state: r.state, jobs: Number(r.jobs) })),
      oldestReadyJobAgeSeconds: rows
        .filter((r) => r.state === "ready")
        .map((r) => ({ queue: r.queue, seconds: Math.max(0, Number(r.oldest ?? 0)) })),
    };
  } catch {
    // The queue's schema does not exist yet (no process has started the queue): nothing waits.
    return { queues: [], oldestReadyJobAgeSeconds: [] };
  }
}

export async function webhookGauges(): Promise<{ pending: number; oldestPendingAgeSeconds: number }> {
  const [row] = await db().$queryRaw<Array<{ pending: number; oldest: number | null }>>`
    SELECT count(*)::int AS pending, extract(epoch FROM now() - min("createdAt"))::float8 AS oldest FROM "WebhookDelivery" WHERE status = 'PENDING'`;
  return { pending: Number(row?.pending ?? 0), oldestPendingAgeSeconds: Math.max(0, Number(row?.oldest ?? 0)) };
}

let migrationFolder: Promise<string[] | null> | undefined;

/** The migrations this build ships (prisma/migrations), or null when the folder is not deployed beside it. */
function shippedMigrations(): Promise<string[] | null> {
  migrationFolder ??= readdir(path.join(process.cwd(), "prisma/migrations"), { withFileTypes: true })
    .then((entries) => entries.filter((e) => e.isDirectory()).map((e) => e.name))
    .catch(() => null);
  return migrationFolder;
}

/**
 * Whether every migration this build ships is applied (finished, not rolled back) in `_prisma_migrations`.
 * `unknown` when the migrations folder is not deployed with the build (then only reachability is judged).
 */
export async function migrationsCurrent(): Promise<{ current: boolean | "unknown"; pending: string[] }> {
  const shipped = await shippedMigrations();
  if (!shipped) return { current: "unknown", pending: [] };
  let applied: Set<string>;
  try {
    const rows = await db().$queryRaw<Array<{ name: string }>>`
      SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = new Set(rows.map((r) => r.name));
  } catch {
    applied = new Set();
  }
  const pending = shipped.filter((name) => !applied.has(name)).sort();
  return { current: pending.length === 0, pending };
}
