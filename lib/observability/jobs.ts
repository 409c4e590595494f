import "server-only";

// The hook the queue's workers put around each job: a span (queue, job id, the tenant for a scheduled check) and
// portal_queue_jobs_processed_total / portal_queue_job_duration_seconds. A job that throws counts as failed (pg-boss
// retries it per its queue's policy, lib/queue/index.ts).
import { recordJob } from "@/lib/observability/metrics";
import { inSpan, SpanKind, withTenant } from "@/lib/observability/tracing";

export async function observeJob<T>(
  queue: string,
  job: { id?: string; tenantId?: string },
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const run = () =>
    inSpan(
      `queue job ${queue}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: () => ({
          "messaging.system": "pg-boss",
          "messaging.destination.name": queue,
          ...(job.id ? { "messaging.message.id": job.id } : {}),
        }),
      },
      work,
    );
  try {
    const result = await (job.tenantId ? withTenant(job.tenantId, run) : run());
    recordJob(queue, "completed", (performance.now() - started) / 1000);
    return result;
  } catch (error) {
    recordJob(queue, "failed", (performance.now() - started) / 1000);
    throw error;
  }
}
