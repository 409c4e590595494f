import "server-only";

// Support staff's own trail: who did what in the console. Read-only; audit rows are written by lib/audit.ts
// alongside each change and are never edited or deleted from the portal.
import { audit } from "@/lib/audit";
import type { StaffActor } from "@/lib/data/support/invitations";
import type { TenantFilters } from "@/lib/data/support/tenant-filters";
import { db } from "@/lib/db/client";
import { organisationNames } from "@/lib/data/support/organisation-names";
import type { StaffSession } from "@/lib/auth/session";

export function staffActor(session: StaffSession): StaffActor {
  return { kind: "STAFF", tenantId: session.entraTenantId, objectId: session.userObjectId, name: session.userName };
}

/** An export takes customer data out of the portal, so it is recorded like a change. */
export async function recordTenantExport(actor: StaffActor, filters: TenantFilters, rows: number): Promise<void> {
  const { page: _page, size: _size, ...applied } = filters;
  await audit({ actor, tenantId: null, action: "support.tenants_exported", details: { filters: applied, rows } });
}

/** The newest staff events, each with the organisation's name when its tenant is still known (audit rows
 *  have no foreign key: they outlive a disconnected tenant, which then shows by its id). */
export async function recentStaffActivity(take = 200) {
  const events = await db().auditEvent.findMany({
    where: { actorKind: "STAFF" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      createdAt: true,
      actorName: true,
      tenantId: true,
      action: true,
      targetType: true,
      targetId: true,
      details: true,
    },
  });
  const names = await organisationNames(events.map((e) => e.tenantId));
  return events.map((e) => ({ ...e, tenantName: e.tenantId ? (names.get(e.tenantId) ?? null) : null }));
}
