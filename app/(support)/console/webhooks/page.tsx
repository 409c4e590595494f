import type { Metadata } from "next";
import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { LocalTime } from "@/components/ui/local-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { listWebhookDeliveries, type WebhookDeliveryRow } from "@/lib/data/support/webhooks";

export const metadata: Metadata = { title: "Webhooks" };

const statusTones: Record<WebhookDeliveryRow["status"], BadgeTone> = {
  PENDING: "warning",
  DELIVERED: "success",
  FAILED: "danger",
};
const statusLabels: Record<WebhookDeliveryRow["status"], string> = {
  PENDING: "Retrying",
  DELIVERED: "Delivered",
  FAILED: "Failed",
};

export default async function WebhooksPage() {
  await requireStaff("/console/webhooks");
  const settings = config().webhooks;
  const deliveries = await listWebhookDeliveries();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Webhooks</h1>
        <p className="mt-2 text-slate-600">
          {settings ? (
            <>
              Lifecycle events are signed and sent to <code className="text-sm">{new URL(settings.url).origin}</code>;
              failed attempts are retried with growing delays. The newest {deliveries.length} deliveries, with every
              attempt.
            </>
          ) : (
            "Webhooks are off: WEBHOOK_URL is not configured, so lifecycle events are not sent."
          )}
        </p>
      </div>
      {deliveries.length === 0 ? (
        <EmptyState>No event sent yet.</EmptyState>
      ) : (
        <TableFrame caption="Webhook deliveries">
          <THead>
            <Tr>
              <Th>Created</Th>
              <Th>Event</Th>
              <Th>Tenant</Th>
              <Th>Status</Th>
              <Th>Attempts</Th>
            </Tr>
          </THead>
          <TBody>
            {deliveries.map((d) => (
              <Tr key={d.id} data-delivery-id={d.id}>
                <Td label="Created" className="sm:whitespace-nowrap">
                  <LocalTime date={d.createdAt} />
                </Td>
                <Td label="Event">
                  <code className="text-xs">{d.eventType}</code>
                </Td>
                <Td label="Tenant" className="font-mono text-xs">
                  {d.tenantId ? (
                    <Link href={`/console/tenants/${d.tenantId}`} className="break-all text-brand-700 underline">
                      {d.tenantId}
                    </Link>
                  ) : (
                    "—"
                  )}
                </Td>
                <Td label="Status">
                  <Badge tone={statusTones[d.status]} data-testid="delivery-status">
                    {statusLabels[d.status]}
                  </Badge>
                  {d.status === "PENDING" && d.nextAttemptAt ? (
                    <span className="mt-1 block text-xs text-slate-600">
                      next attempt <LocalTime date={d.nextAttemptAt} />
                    </span>
                  ) : null}
                </Td>
                <Td label="Attempts">
                  <ol className="space-y-0.5 text-xs text-slate-700">
                    {d.attempts.map((a) => (
                      <li key={a.attempt}>
                        #{a.attempt} <LocalTime date={a.at} /> · {a.statusCode ?? "no answer"}
                        {a.error && a.statusCode === null ? ` · ${a.error}` : ""} · {a.durationMs} ms
                      </li>
                    ))}
                  </ol>
                </Td>
              </Tr>
            ))}
          </TBody>
        </TableFrame>
      )}
    </div>
  );
}
