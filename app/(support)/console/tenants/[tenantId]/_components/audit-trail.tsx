import Link from "next/link";
import { AuditDetails } from "@/components/support/audit-details";
import { LocalTime } from "@/components/ui/local-time";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { AuditView, SupportAuditEvent } from "@/lib/data/support/tenants";

type Events = SupportAuditEvent[];

const viewLabels: Record<AuditView, string> = {
  people: "People’s actions",
  automatic: "Scheduled checks",
  all: "All events",
};

/** The trail's views as links (the address is the view: shareable, and it works without script). */
export function AuditViewLinks({
  tenantId,
  view,
  counts,
}: {
  tenantId: string;
  view: AuditView;
  counts: Record<AuditView, number>;
}) {
  return (
    <nav aria-label="Audit trail views" className="flex flex-wrap gap-2 text-sm">
      {(Object.keys(viewLabels) as AuditView[]).map((v) => (
        <Link
          key={v}
          href={`/console/tenants/${tenantId}${v === "people" ? "" : `?events=${v}`}#audit`}
          aria-current={v === view ? "page" : undefined}
          data-audit-view={v}
          className={
            v === view
              ? "rounded-full border border-brand-700 bg-brand-700 px-3 py-1 font-medium text-white"
              : "rounded-full border border-slate-300 bg-white px-3 py-1 text-slate-700 hover:border-slate-400 hover:text-slate-900"
          }
        >
          {viewLabels[v]} <span className="tabular-nums">({counts[v]})</span>
        </Link>
      ))}
    </nav>
  );
}

/** The tenant's audit trail, read-only; targets named (an environment by its name) rather than by id. */
export function AuditTrail({ events, environmentNames }: { events: Events; environmentNames: Map<string, string> }) {
  const target = (type: string | null, id: string | null) => {
    if (!type) return "—";
    if (type === "environment" && id && environmentNames.has(id)) return `environment ${environmentNames.get(id)}`;
    return type;
  };
  return (
    <TableFrame caption="Audit trail" framed={false}>
      <THead>
        <Tr>
          <Th>When</Th>
          <Th>Who</Th>
          <Th>Action</Th>
          <Th>Target</Th>
          <Th>Details</Th>
        </Tr>
      </THead>
      <TBody>
        {events.map((event) => (
          <Tr key={event.id}>
            <Td label="When" className="sm:whitespace-nowrap">
              <LocalTime date={event.createdAt} />
            </Td>
            <Td label="Who">
              {event.actorName ?? "—"} <span className="text-xs text-slate-600">({event.actorKind.toLowerCase()})</span>
            </Td>
            <Td label="Action">
              <code className="text-xs">{event.action}</code>
            </Td>
            <Td label="Target" className="text-xs text-slate-700">
              {target(event.targetType, event.targetId)}
            </Td>
            <Td label="Details">
              <AuditDetails details={event.details} />
            </Td>
          </Tr>
        ))}
      </TBody>
    </TableFrame>
  );
}
