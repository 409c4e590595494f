import { AuditDetails } from "@/components/support/audit-details";
import { LocalTime } from "@/components/ui/local-time";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { supportAuditTrail } from "@/lib/data/support/tenants";

type Events = Awaited<ReturnType<typeof supportAuditTrail>>;

/** The tenant's audit trail, read-only; targets named (an environment by its name) rather than by id. */
export function AuditTrail({ events, environmentNames }: { events: Events; environmentNames: Map<string, string> }) {
  const target = (type: string | null, id: string | null) => {
    if (!type) return "—";
    if (type === "environment" && id && environmentNames.has(id)) return `environment ${environmentNames.get(id)}`;
    return type;
  };
  return (
    <Table label="Audit trail">
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
    </Table>
  );
}
