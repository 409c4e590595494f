import "server-only";

// Organisations by name for the console's logs (alert log, staff activity): their rows keep only a tenant id, and
// deliberately no foreign key (they outlive a disconnected tenant). A tenant no longer known has no name (null).
import { db } from "@/lib/db/client";

/** Each known tenant's name (its display name, else its primary domain), by tenant id. */
export async function organisationNames(tenantIds: Iterable<string | null>): Promise<Map<string, string | null>> {
  const ids = [...new Set([...tenantIds].filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const tenants = await db().tenant.findMany({
    where: { id: { in: ids } },
    select: { id: true, displayName: true, primaryDomain: true },
  });
  return new Map(tenants.map((t) => [t.id, t.displayName ?? t.primaryDomain ?? null]));
}
