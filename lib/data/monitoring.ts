import "server-only";

// The system's own reads for the scheduled re-verification (lib/recheck/index.ts): unscoped by design, like
// lib/data/support/, because the planner looks across every tenant; nothing here is reachable from a request.
import { readVendorDetail } from "@/lib/checks/step-results";
import { db } from "@/lib/db/client";

export type DueEnvironment = { environmentId: string; tenantId: string; offsetSeconds: number };

/**
 * The connected environments (verified at least once) whose place in the interval falls in minute `slot`.
 * Each environment's place is a hash of its id, so 10,000 environments spread evenly over the interval, each
 * keeps its place from one interval to the next, and every replica computes the same plan.
 */
export async function dueEnvironments(intervalMinutes: number, slot: number): Promise<DueEnvironment[]> {
  const seconds = intervalMinutes * 60;
  const rows = await db().$queryRaw<Array<{ id: string; tenantId: string; offset: bigint | number }>>`
    SELECT id::text AS id, "tenantId"::text AS "tenantId", ((hashtext(id::text)::bigint + 2147483648) % ${seconds}) AS "offset"
    FROM "Environment"
    WHERE "lastVerifiedAt" IS NOT NULL AND ((hashtext(id::text)::bigint + 2147483648) % ${seconds}) / 60 = ${slot}`;
  return rows.map((r) => ({ environmentId: r.id, tenantId: r.tenantId, offsetSeconds: Number(r.offset) }));
}

/** The Retry-After Dataverse gave when the check was stopped by throttling, if it was. */
export async function throttledFor(tenantId: string, checkId: string): Promise<number | null> {
  const step = await db().checkStep.findFirst({
    where: { tenantId, checkId, diagnosis: "throttled" },
    select: { name: true, vendorDetail: true },
  });
  if (!step) return null;
  const detail = readVendorDetail(step.name, step.vendorDetail);
  const seconds = detail && "retryAfterSeconds" in detail ? detail.retryAfterSeconds : null;
  return seconds !== null && seconds >= 0 ? seconds : 60;
}
