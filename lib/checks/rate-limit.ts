import "server-only";

// How many checks a customer tenant may start: enough to fix-and-retry, not enough to hammer Microsoft (and
// spend the tenant's own Dataverse service-protection budget) from a reload loop.
import { countRecentChecks } from "@/lib/data/checks";
import type { TenantScope } from "@/lib/data/scope";

export const CUSTOMER_CHECK_RATE = { max: 12, windowMs: 10 * 60 * 1000 };

/** Null when the tenant may start another check now; otherwise the message to show. */
export async function customerCheckRateLimit(scope: TenantScope, now = Date.now()): Promise<string | null> {
  const recent = await countRecentChecks(scope, new Date(now - CUSTOMER_CHECK_RATE.windowMs));
  if (recent < CUSTOMER_CHECK_RATE.max) return null;
  return `You have run ${recent} checks in the last ${CUSTOMER_CHECK_RATE.windowMs / 60000} minutes. Please wait a few minutes before checking again.`;
}
