import "server-only";

// How many checks a customer tenant may start: enough to fix-and-retry, not enough to hammer Microsoft (and
// spend the tenant's own Dataverse service-protection budget) from a reload loop.
import { takeRateLimit } from "@/lib/data/rate-limits";
import type { TenantScope } from "@/lib/data/scope";

export const CUSTOMER_CHECK_RATE = { max: 12, windowMs: 10 * 60 * 1000 };

/**
 * Null when the tenant may start another check now — and then that check's slot is already taken, atomically
 * with the count, so concurrent starts cannot exceed the limit; otherwise the message to show.
 */
export async function customerCheckRateLimit(scope: TenantScope, now = Date.now()): Promise<string | null> {
  const decision = await takeRateLimit(scope, "customer-check", CUSTOMER_CHECK_RATE, now);
  if (decision.allowed) return null;
  return `You have run ${decision.used} checks in the last ${CUSTOMER_CHECK_RATE.windowMs / 60000} minutes. Please wait a few minutes before checking again.`;
}
