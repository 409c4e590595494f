import "server-only";

// Once-only notices about the app's own credentials (CredentialNotice). System writes, unscoped like
// lib/data/mail.ts: they concern the vendor's app registration, no customer tenant.
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Claims a notice by its key: true for the one caller (of every replica and worker) whose row was written, false
 * when it was already claimed. INSERT … ON CONFLICT DO NOTHING on the primary key, so two racing callers cannot both win.
 */
export async function claimCredentialNotice(notice: {
  key: string;
  kind: string;
  credentialId: string;
  details?: Prisma.InputJsonValue;
}): Promise<boolean> {
  const { count } = await db().credentialNotice.createMany({ data: [notice], skipDuplicates: true });
  return count === 1;
}

/** The latest fallback recorded for each credential id (the console's "recent rejection"). */
export async function latestFallbacks(
  credentialIds: string[],
): Promise<Map<string, { at: Date; code: number | null }>> {
  if (credentialIds.length === 0) return new Map();
  const rows = await db().credentialNotice.findMany({
    where: { kind: "fallback", credentialId: { in: credentialIds } },
    orderBy: { createdAt: "desc" },
    select: { credentialId: true, createdAt: true, details: true },
  });
  const latest = new Map<string, { at: Date; code: number | null }>();
  for (const row of rows) {
    if (latest.has(row.credentialId)) continue;
    const code = (row.details as { code?: unknown } | null)?.code;
    latest.set(row.credentialId, { at: row.createdAt, code: typeof code === "number" ? code : null });
  }
  return latest;
}
