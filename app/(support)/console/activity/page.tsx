import type { Metadata } from "next";
import Link from "next/link";
import { AuditDetails } from "@/components/support/audit-details";
import { LocalTime } from "@/components/ui/local-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { requireStaff } from "@/lib/auth/session";
import { recentStaffActivity } from "@/lib/data/support/activity";

export const metadata: Metadata = { title: "Staff activity" };

export default async function StaffActivityPage() {
  await requireStaff("/console/activity");
  const events = await recentStaffActivity();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Staff activity</h1>
        <p className="mt-2 text-slate-600">
          Everything support staff did in the portal, newest first (the last {events.length}). The audit trail is
          append-only: nothing in the console edits or deletes it.
        </p>
      </div>
      {events.length === 0 ? (
        <EmptyState>No staff activity yet.</EmptyState>
      ) : (
        <TableFrame caption="Staff activity">
          <THead>
            <Tr>
              <Th>When</Th>
              <Th>Who</Th>
              <Th>Action</Th>
              <Th>Organisation</Th>
              <Th>Details</Th>
            </Tr>
          </THead>
          <TBody>
            {events.map((e) => (
              <Tr key={e.id}>
                <Td label="When" className="sm:whitespace-nowrap">
                  <LocalTime date={e.createdAt} />
                </Td>
                <Td label="Who">{e.actorName ?? "—"}</Td>
                <Td label="Action">
                  <code className="text-xs">{e.action}</code>
                </Td>
                <Td label="Organisation">
                  {e.tenantId ? (
                    <Link href={`/console/tenants/${e.tenantId}`} className="text-brand-700 underline">
                      {e.tenantName ?? e.tenantId}
                    </Link>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td label="Details">
                  <AuditDetails details={e.details} />
                </Td>
              </Tr>
            ))}
          </TBody>
        </TableFrame>
      )}
    </div>
  );
}
