import "server-only";

// Per-tenant limits on operations that cost Microsoft calls (and the tenant's own service-protection budget).
// Counting and recording happen in one transaction under a per-tenant, per-bucket advisory lock, so N
// concurrent requests over N connections cannot all see "one below the limit" and all pass. The lock is
// transaction-scoped (released at COMMIT/ROLLBACK) and works alike on PGlite and PostgreSQL.
import { db } from "@/lib/db/client";
import type { TenantScope } from "@/lib/data/scope";

export type RateLimit = { max: number; windowMs: number };
export type RateLimitBucket = "customer-check" | "environment-probe" | "consent-verification";
export type RateLimitDecision = { allowed: true } | { allowed: false; used: number };

/** Takes one slot of the tenant's `bucket` when one is free within the window; otherwise takes nothing. */
export async function takeRateLimit(
  scope: TenantScope,
  bucket: RateLimitBucket,
  limit: RateLimit,
  now = Date.now(),
): Promise<RateLimitDecision> {
  const since = new Date(now - limit.windowMs);
  return db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`rate-limit:${scope.tenantId}:${bucket}`}, 0))`;
      const used = await tx.rateLimitHit.count({ where: { tenantId: scope.tenantId, bucket, at: { gte: since } } });
      if (used >= limit.max) return { allowed: false, used } as const;
      await tx.rateLimitHit.create({
        data: { tenantId: scope.tenantId, bucket, at: new Date(now) },
        select: { id: true },
      });
      // Rows that left the window count for nothing any more.
      await tx.rateLimitHit.deleteMany({ where: { tenantId: scope.tenantId, bucket, at: { lt: since } } });
      return { allowed: true } as const;
    },
    // Waiting for the lock is waiting for other short transactions of the same tenant.
    { maxWait: 10_000, timeout: 15_000 },
  );
}

export type ApiWindowDecision = { allowed: true; count: number } | { allowed: false };

/**
 * Takes one of `limit` requests of the calling application `appId` in the minute that starts at `windowStart`.
 * One statement, atomic on its row: the upsert's conflict arm counts up only while the count is below the
 * limit, so concurrent requests on every replica together get exactly `limit` (no row back: refused).
 * Not tenant data: the caller is the ISV's own back end, named by its token.
 */
export async function takeApiWindowSlot(appId: string, windowStart: Date, limit: number): Promise<ApiWindowDecision> {
  const rows = await db().$queryRaw<Array<{ count: number }>>`
    INSERT INTO "ApiRateWindow" ("appId", "windowStart", "count") VALUES (${appId}, ${windowStart}, 1)
    ON CONFLICT ("appId", "windowStart") DO UPDATE SET "count" = "ApiRateWindow"."count" + 1
      WHERE "ApiRateWindow"."count" < ${limit}
    RETURNING "count"`;
  const count = rows[0]?.count;
  if (count === undefined) return { allowed: false };
  // The application's first request of a minute: minutes before the previous one count for nothing any more
  // (kept one minute back for a replica whose clock lags). Once per application per minute, so rows never pile up.
  if (count === 1)
    await db()
      .$executeRaw`DELETE FROM "ApiRateWindow" WHERE "windowStart" < ${new Date(windowStart.getTime() - 60_000)}`;
  return { allowed: true, count };
}
