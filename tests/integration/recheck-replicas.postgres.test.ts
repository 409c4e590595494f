// Several processes against one PostgreSQL server behave as one portal for the queue: the same minute planned by
// two replicas queues each environment once, and two workers (each its own pg-boss client, as two processes
// would have) run each scheduled check exactly once between them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { DEMO_IDS } from "@tenant-onboarding/emulator";
import { runHarnessCheck, useCheckHarness } from "../support/check-harness";
import { setTestEnv } from "../support/config";

const h = useCheckHarness("postgres");
const clients: PgBoss[] = [];

beforeAll(async () => {
  setTestEnv({ RECHECK_INTERVAL_MINUTES: "1" });
  await runHarnessCheck(h, DEMO_IDS.tenants.fabrikam, "fabrikam");
  await runHarnessCheck(h, DEMO_IDS.tenants.adventureWorks, "adventureworks");
  await runHarnessCheck(h, DEMO_IDS.tenants.adventureWorks, "adventureworks-dev");
  // Only verified environments are re-checked; the demo's Adventure Works environments are not set up yet.
  const { db } = await import("@/lib/db/client");
  await db().environment.updateMany({ data: { lastVerifiedAt: new Date() } });
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.stop({ graceful: false, wait: true });
  const { stopQueue } = await import("@/lib/queue");
  await stopQueue();
});

describe("replicas on one PostgreSQL", () => {
  it("a minute planned twice queues each environment once; two workers run each check exactly once", async () => {
    const { openQueue } = await import("@/lib/queue");
    const { planRechecks, RecheckWorker } = await import("@/lib/recheck");
    const { db } = await import("@/lib/db/client");
    const now = new Date();
    // Two replicas planning the same minute (pg-boss's cron runs it once; the queue's singleton key holds even if not).
    expect(await planRechecks(now, { jitter: false })).toBe(3);
    await planRechecks(now, { jitter: false });
    const limits = { recheckIntervalMinutes: 1, concurrency: 2, tenantConcurrency: 1, worker: "in-process" as const };
    const workers = await Promise.all(
      [0, 1].map(async () => {
        const boss = await openQueue(true);
        clients.push(boss);
        return new RecheckWorker(boss, limits, 100);
      }),
    );
    await Promise.all(workers.map((w) => w.drain()));
    const scheduled = await db().connectionCheck.groupBy({
      by: ["environmentId"],
      where: { trigger: "SCHEDULED" },
      _count: { _all: true },
    });
    expect(scheduled).toHaveLength(3);
    expect(scheduled.every((s) => s._count._all === 1)).toBe(true);
    // The per-tenant cap held in each worker.
    for (const w of workers) for (const peak of w.peak.perTenant.values()) expect(peak).toBeLessThanOrEqual(1);
  });
});
