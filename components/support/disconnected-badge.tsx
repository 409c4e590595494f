// "Disconnected … by …" on the console's tenant list and tenant page: the tenant's administrator removed the
// connection (lib/data/tenants.ts disconnectTenant); the row stays so staff see who left and when.
import { Badge } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";

export function DisconnectedNote({ at, by }: { at: Date | null; by: string | null }) {
  if (!at) return null;
  return (
    <span className="block" data-testid="disconnected">
      <Badge tone="dark">Disconnected</Badge>
      <span className="mt-1 block text-xs text-slate-600">
        <LocalTime date={at} />
        {by ? ` by ${by}` : null}
      </span>
    </span>
  );
}
