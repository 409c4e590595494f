import "server-only";

// The job queue: pg-boss inside the product's own PostgreSQL (its schema `pgboss`), no other server. On the
// embedded database it runs over the portal's one PGlite instance through pg-boss's bring-your-own-database
// option (`db.executeSql`): PGlite is one connection, and it already runs one statement at a time and holds
// statements back while one of Prisma's transactions is open (lib/db/adapter.ts), so sharing it is safe.
import { logger } from "@/lib/log";
import PgBoss from "pg-boss";
import { config } from "@/lib/config";
import { embeddedDatabase } from "@/lib/db/adapter";

export const QUEUES = {
  /** Once a minute (cron, run once across every replica): queue the environments whose place is this minute. */
  plan: "recheck-plan",
  /** One scheduled check of one environment. */
  recheck: "recheck",
  /** Once a day (cron, run once across every replica): e-mail staff 30, 7 and 1 days before a credential expires. */
  credentialReminders: "credential-reminders",
  /** One e-mail to send (retried with backoff while the SMTP server is down). */
  mail: "mail",
} as const;

type Holder = { portalQueue?: { boss: Promise<PgBoss>; worker: boolean } };
const holder = globalThis as unknown as Holder;

function embeddedExecutor(dataDir: string | null): PgBoss.Db {
  const pglite = embeddedDatabase(dataDir);
  return {
    async executeSql(text: string, values?: unknown[]) {
      // pg-boss sends its locked migrations and maintenance as one multi-statement script without parameters,
      // which only the simple query protocol (exec) accepts; everything else is one statement with parameters.
      if (values && values.length > 0) {
        const result = await pglite.query(text, values);
        return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
      }
      const results = await pglite.exec(text);
      const last = results.at(-1);
      return { rows: last?.rows ?? [], rowCount: last?.affectedRows ?? 0 };
    },
  };
}

/** A new queue client of its own (the process's shared one is `queue()`); tests use it to play a second replica. */
export async function openQueue(worker: boolean): Promise<PgBoss> {
  // Replicas starting together on a fresh database race to create pg-boss's schema and each queue's table, and
  // PostgreSQL settles the clash by aborting one of them with "deadlock detected" (SQLSTATE 40P01). Both steps are
  // idempotent, so the loser starts again after a short random pause (tests/integration/queue-start.postgres.test.ts).
  for (let attempt = 1; ; attempt++) {
    const boss = newQueueClient(worker);
    try {
      await startQueueClient(boss);
      return boss;
    } catch (error) {
      await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
      if (!isDeadlock(error) || attempt >= 8) throw error;
      logger().info({ attempt }, "job queue start met another process's start (deadlock); starting again");
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200 * attempt));
    }
  }
}

function isDeadlock(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    ((error as { code?: unknown }).code === "40P01" ||
      /deadlock detected/i.test(String((error as { message?: unknown }).message)))
  );
}

function newQueueClient(worker: boolean): PgBoss {
  const { database } = config();
  const connection: PgBoss.ConstructorOptions =
    database.kind === "postgres"
      ? { connectionString: database.url, max: 4 }
      : { db: embeddedExecutor(database.dataDir) };
  const boss = new PgBoss({
    ...connection,
    // Only a process that works the queue keeps time (cron) and maintenance; pg-boss makes each run once.
    schedule: worker,
    supervise: worker,
    migrate: true,
  });
  boss.on("error", (error) =>
    logger().error({ err: error instanceof Error ? error.message : String(error) }, "job queue error"),
  );
  return boss;
}

async function startQueueClient(boss: PgBoss): Promise<void> {
  await boss.start();
  await boss.createQueue(QUEUES.plan, { name: QUEUES.plan, policy: "singleton", retryLimit: 0, expireInSeconds: 300 });
  // "short": at most one queued job per environment (singletonKey), so a plan run twice queues nothing twice.
  await boss.createQueue(QUEUES.recheck, {
    name: QUEUES.recheck,
    policy: "short",
    retryLimit: 3,
    retryDelay: 60,
    retryBackoff: true,
    expireInSeconds: 600,
  });
  await boss.createQueue(QUEUES.credentialReminders, {
    name: QUEUES.credentialReminders,
    policy: "singleton",
    retryLimit: 3,
    retryDelay: 300,
    expireInSeconds: 300,
  });
  await boss.createQueue(QUEUES.mail, {
    name: QUEUES.mail,
    policy: "standard",
    retryLimit: 12,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 120,
  });
}

/** The process's queue, started on first use. `worker` when this process works the queue (keeps its clock). */
export function queue(options: { worker?: boolean } = {}): Promise<PgBoss> {
  const worker = options.worker ?? false;
  if (holder.portalQueue && (holder.portalQueue.worker || !worker)) return holder.portalQueue.boss;
  if (holder.portalQueue) {
    // A sender became a worker: reopen with the clock on.
    const previous = holder.portalQueue.boss;
    holder.portalQueue = {
      worker,
      boss: previous.then((b) => b.stop({ graceful: false, wait: true })).then(() => openQueue(worker)),
    };
  } else {
    holder.portalQueue = { worker, boss: openQueue(worker) };
  }
  holder.portalQueue.boss.catch(() => {
    holder.portalQueue = undefined;
  });
  return holder.portalQueue.boss;
}

export async function stopQueue(): Promise<void> {
  const current = holder.portalQueue;
  holder.portalQueue = undefined;
  if (current) await (await current.boss).stop({ graceful: true, wait: true, timeout: 10_000 });
}
