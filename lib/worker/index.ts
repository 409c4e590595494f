import "server-only";

// The queue's worker: the per-minute plan (cron, once across every process), the scheduled checks and the
// e-mail queue. It runs inside the portal process by default (RECHECK_WORKER=in-process) and as its own
// process with `npm run worker` (then set RECHECK_WORKER=off on the portal replicas).
import { config } from "@/lib/config";
import { logger } from "@/lib/log";
import { QUEUES, queue, stopQueue } from "@/lib/queue";
import { planRechecks, RecheckWorker } from "@/lib/recheck";
import { observeJob } from "@/lib/observability/jobs";

type Running = { recheck: RecheckWorker; stop: () => Promise<void> };
const holder = globalThis as unknown as { portalWorker?: Promise<Running>; portalWorkerRunning?: boolean };

/** For /api/health/ready: whether this process's worker has started (lib/health.ts). */
export function workerState(): "running" | "starting" | "stopped" {
  if (!holder.portalWorker) return "stopped";
  return holder.portalWorkerRunning ? "running" : "starting";
}

export function startWorker(): Promise<Running> {
  holder.portalWorker ??= (async () => {
    const boss = await queue({ worker: true });
    await boss.schedule(QUEUES.plan, "* * * * *");
    await boss.work(QUEUES.plan, { pollingIntervalSeconds: 5 }, async ([job]) => {
      await observeJob(QUEUES.plan, { id: job?.id }, async () => {
        await planRechecks();
        // A "granted" consent the portal could not prove in time is not granted (CONSENT_VERIFICATION_TIMEOUT_MINUTES).
        const { expireUnprovenConsents } = await import("@/lib/onboarding/consent");
        await expireUnprovenConsents();
      });
    });
    const { startCredentialReminders } = await import("@/lib/credentials");
    await startCredentialReminders(boss);
    const recheck = new RecheckWorker(boss);
    recheck.start();
    const { startMailWorker } = await import("@/lib/notifications");
    await startMailWorker(boss);
    // Webhook retries are due at their `nextAttemptAt` (backoff kept in the database); a run every 30 s sends
    // the due ones. Each delivery is locked while in flight, so several processes never send one twice.
    const { deliverDueWebhooks } = await import("@/lib/webhooks");
    const webhookRetries = setInterval(() => {
      void deliverDueWebhooks().catch((error: unknown) =>
        logger().error({ err: error instanceof Error ? error.message : String(error) }, "webhooks: retry run failed"),
      );
    }, 30_000);
    webhookRetries.unref();
    const c = config().monitoring;
    logger().info(
      c.recheckIntervalMinutes === 0
        ? "Worker: mail only (RECHECK_INTERVAL_MINUTES=0: no scheduled re-verification)"
        : `Worker: re-verifying every connected environment every ${c.recheckIntervalMinutes} min, ${c.concurrency} at once (${c.tenantConcurrency} per tenant)`,
    );
    holder.portalWorkerRunning = true;
    return {
      recheck,
      stop: async () => {
        clearInterval(webhookRetries);
        await recheck.stop();
        await stopQueue();
        holder.portalWorker = undefined;
        holder.portalWorkerRunning = false;
      },
    };
  })();
  holder.portalWorker.catch(() => {
    holder.portalWorker = undefined;
  });
  return holder.portalWorker;
}
