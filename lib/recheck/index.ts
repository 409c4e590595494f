import "server-only";

// Scheduled re-verification. Every connected environment (verified at least once) is re-checked once per
// RECHECK_INTERVAL_MINUTES, at its own place in the interval (a hash of its id; lib/data/monitoring.ts), so that
// 10,000 environments spread evenly. A cron job queues each minute's environments, each at its own second; the
// worker runs them with a global cap (RECHECK_CONCURRENCY per worker process) and a per-tenant cap
// (RECHECK_TENANT_CONCURRENCY) and pauses a tenant for Dataverse's Retry-After when a check was throttled. Each
// check proves the tenant's admin consent with a fresh token (lib/checks/run.ts), so removed consent is seen by
// the environment's next scheduled check, within one interval.
// Results join the check history with trigger SCHEDULED, and move the environment's health like any check.
import { logger } from "@/lib/log";
import type PgBoss from "pg-boss";
import { CheckInterrupted, launchCheck, type ScheduledAttempt } from "@/lib/checks/launch";
import { config } from "@/lib/config";
import { probeDatabase } from "@/lib/db/probe";
import { dueEnvironments, throttledFor } from "@/lib/data/monitoring";
import { systemScope } from "@/lib/data/scope";
import { QUEUES, queue } from "@/lib/queue";
import { observeJob } from "@/lib/observability/jobs";

export type RecheckJob = { tenantId: string; environmentId: string };

const ACTOR = "scheduled re-verification";

/** Queues the environments whose place in the interval is the minute of `now`. Returns how many were queued. */
export async function planRechecks(now = new Date(), options: { jitter?: boolean } = {}): Promise<number> {
  const { recheckIntervalMinutes } = config().monitoring;
  if (recheckIntervalMinutes === 0) return 0;
  const minute = Math.floor(now.getTime() / 60_000);
  const due = await dueEnvironments(recheckIntervalMinutes, minute % recheckIntervalMinutes);
  if (due.length === 0) return 0;
  const minuteStart = minute * 60_000;
  const boss = await queue();
  await boss.insert(
    due.map((e) => ({
      name: QUEUES.recheck,
      data: { tenantId: e.tenantId, environmentId: e.environmentId } satisfies RecheckJob,
      singletonKey: e.environmentId,
      // Its own second within the minute: the plan's minute does not all start at once.
      startAfter:
        options.jitter === false
          ? undefined
          : new Date(Math.max(minuteStart + (e.offsetSeconds % 60) * 1000, now.getTime())),
    })),
  );
  return due.length;
}

export type RecheckResult =
  | { ran: false; reason: "gone" | "running" }
  | { ran: true; checkId: string; outcome: string; retryAfterSeconds: number | null };

/** One run of a job, kept across its attempts (lib/checks/launch.ts ScheduledAttempt). */
export type RecheckAttempt = ScheduledAttempt;

/** One scheduled check of one environment: launched like every check (lib/checks/launch.ts). */
export async function recheckEnvironment(
  job: RecheckJob,
  now = Date.now(),
  attempt: RecheckAttempt = { since: new Date(now), tries: 0 },
): Promise<RecheckResult> {
  attempt.tries++;
  // An environment removed since it was planned is "gone" (its check's start finds it so).
  const launched = await launchCheck(systemScope(job.tenantId, ACTOR), job.environmentId, "SCHEDULED", attempt);
  if (!launched.ran) return launched;
  const { checkId, outcome } = launched;
  return {
    ran: true,
    checkId,
    outcome,
    retryAfterSeconds: outcome === "FAILED" ? await throttledFor(job.tenantId, checkId) : null,
  };
}

/** How long a job waits for its database to come back before it is given up to pg-boss's retry. */
const DATABASE_WAIT_MS = 5 * 60 * 1000;

/**
 * Runs `work`; when it fails because the portal's database is unreachable (a CheckInterrupted, or the database
 * does not answer a probe right after), waits until the database answers and runs it again. Other errors are
 * thrown as they are.
 */
async function whileDatabaseAway<T>(what: string, work: () => Promise<T>, stopped: () => boolean): Promise<T> {
  const deadline = Date.now() + DATABASE_WAIT_MS;
  // A write that fails while the database answers (not an outage) is tried again a few times only.
  let whileReachable = 0;
  for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
    try {
      return await work();
    } catch (error) {
      const interrupted = error instanceof CheckInterrupted;
      const reachable = (await probeDatabase()).reachable;
      if (reachable) whileReachable++;
      if (stopped() || Date.now() > deadline || (reachable && (!interrupted || whileReachable > 3))) throw error;
      logger().warn(
        { err: error instanceof Error ? error.message : String(error) },
        `re-verification: the database did not answer (${what}); trying again when it does`,
      );
      while (!stopped() && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, wait));
        if ((await probeDatabase()).reachable) break;
        wait = Math.min(wait * 2, 5_000);
      }
    }
  }
}

type Job = PgBoss.Job<RecheckJob>;

/**
 * Works the recheck queue in this process: at most `concurrency` checks at once, at most `tenantConcurrency`
 * per tenant, none for a tenant paused by Retry-After. Jobs are fetched only when a slot is free, so those
 * waiting are few and another worker process can take the rest.
 */
export class RecheckWorker {
  private running = 0;
  private readonly perTenant = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly waiting: Job[] = [];
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private idle: Array<() => void> = [];
  /** The highest number of checks seen running at once, overall and per tenant (the benchmark reads them). */
  readonly peak = { overall: 0, perTenant: new Map<string, number>() };

  constructor(
    private readonly boss: PgBoss,
    private readonly limits = config().monitoring,
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    this.stopped = false;
    void this.poll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.polling;
    await this.whenIdle();
  }

  /** Resolves when nothing is running or waiting (tests, the benchmark). */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Polls until the queue has nothing ready and nothing runs (tests, the benchmark). */
  async drain(): Promise<void> {
    for (;;) {
      await this.poll();
      await this.whenIdle();
      const left = await this.boss.getQueueSize(QUEUES.recheck);
      if (left === 0 && this.running === 0 && this.waiting.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private poll(): Promise<void> {
    if (this.polling) return this.polling;
    const polling = this.fetchMore().finally(() => {
      if (this.polling === polling) this.polling = null;
    });
    this.polling = polling;
    return polling;
  }

  private async fetchMore(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    try {
      const room = this.limits.concurrency * 2 - this.running - this.waiting.length;
      if (!this.stopped && room > 0) {
        const jobs = await this.boss.fetch<RecheckJob>(QUEUES.recheck, { batchSize: room });
        this.waiting.push(...(jobs ?? []));
      }
    } catch (error) {
      logger().error(
        { err: error instanceof Error ? error.message : String(error) },
        "re-verification: could not fetch jobs",
      );
    }
    this.pump();
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.pollMs);
  }

  private pump(): void {
    const now = Date.now();
    for (let i = 0; i < this.waiting.length && this.running < this.limits.concurrency;) {
      const job = this.waiting[i]!;
      const tenant = job.data.tenantId;
      if (
        (this.perTenant.get(tenant) ?? 0) >= this.limits.tenantConcurrency ||
        (this.pausedUntil.get(tenant) ?? 0) > now
      ) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      void this.run(job);
    }
    if (this.running === 0 && this.waiting.length === 0) for (const resolve of this.idle.splice(0)) resolve();
    // A paused tenant's jobs are looked at again when its pause ends.
    const nextPause = Math.min(...this.waiting.map((j) => this.pausedUntil.get(j.data.tenantId) ?? Infinity));
    if (Number.isFinite(nextPause)) setTimeout(() => this.pump(), Math.max(nextPause - now, 10)).unref?.();
  }

  private async run(job: Job): Promise<void> {
    const tenant = job.data.tenantId;
    this.running++;
    this.perTenant.set(tenant, (this.perTenant.get(tenant) ?? 0) + 1);
    this.peak.overall = Math.max(this.peak.overall, this.running);
    this.peak.perTenant.set(tenant, Math.max(this.peak.perTenant.get(tenant) ?? 0, this.perTenant.get(tenant)!));
    try {
      // The job stays ours (active) while the database is away; pg-boss hands it to another worker only after
      // its expiry, by when this one has given up waiting.
      const stopped = () => this.stopped;
      const attempt: RecheckAttempt = { since: new Date(Date.now() - 5_000), tries: 0 };
      const result = await whileDatabaseAway(
        "the check",
        () =>
          observeJob(QUEUES.recheck, { id: job.id, tenantId: job.data.tenantId }, () =>
            recheckEnvironment(job.data, Date.now(), attempt),
          ),
        stopped,
      );
      if (result.ran && result.retryAfterSeconds !== null) {
        const seconds = result.retryAfterSeconds;
        // Throttled past what the check itself waits for: the tenant waits out Retry-After, the check is queued again.
        this.pausedUntil.set(tenant, Date.now() + seconds * 1000);
        await whileDatabaseAway(
          "queueing the retry",
          () => this.boss.send(QUEUES.recheck, job.data, { startAfter: seconds, singletonKey: job.data.environmentId }),
          stopped,
        );
      }
      await whileDatabaseAway("completing the job", () => this.boss.complete(QUEUES.recheck, job.id), stopped);
    } catch (error) {
      logger().error(
        { environmentId: job.data.environmentId, err: error instanceof Error ? error.message : String(error) },
        "re-verification failed",
      );
      await this.boss
        .fail(QUEUES.recheck, job.id, { message: error instanceof Error ? error.message : String(error) })
        .catch(() => undefined);
    } finally {
      this.running--;
      this.perTenant.set(tenant, this.perTenant.get(tenant)! - 1);
      this.pump();
      if (!this.stopped && this.waiting.length < this.limits.concurrency) void this.poll();
    }
  }
}
