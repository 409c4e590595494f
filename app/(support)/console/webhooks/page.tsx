import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import { requireStaff } from "@/lib/auth/session";
import { config } from "@/lib/config";
import { listWebhookDeliveries, type WebhookDeliveryRow } from "@/lib/data/support/webhooks";

export const metadata: Metadata = { title: "Webhooks" };

const statusStyles: Record<WebhookDeliveryRow["status"], string> = {
  PENDING: "bg-amber-100 text-amber-900",
  DELIVERED: "bg-emerald-100 text-emerald-900",
  FAILED: "bg-red-100 text-red-900",
};
const statusLabels: Record<WebhookDeliveryRow["status"], string> = { PENDING: "Retrying", DELIVERED: "Delivered", FAILED: "Failed" };

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
              Lifecycle events are signed and sent to <code className="text-sm">{new URL(settings.url).origin}</code>; failed attempts are retried with growing
              delays. The newest {deliveries.length} deliveries, with every attempt.
            </>
          ) : (
            "Webhooks are off: WEBHOOK_URL is not configured, so lifecycle events are not sent."
          )}
        </p>
      </div>
      {deliveries.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-slate-600">No event sent yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" aria-label="Webhook deliveries">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Created (UTC)
                </th>
                <th scope="col" className="px-3 py-2">
                  Event
                </th>
                <th scope="col" className="px-3 py-2">
                  Tenant
                </th>
                <th scope="col" className="px-3 py-2">
                  Status
                </th>
                <th scope="col" className="px-3 py-2">
                  Attempts
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {deliveries.map((d) => (
                <tr key={d.id} className="align-top" data-delivery-id={d.id}>
                  <td className="px-3 py-2 whitespace-nowrap"><LocalTime date={d.createdAt} /></td>
                  <td className="px-3 py-2">
                    <code className="text-xs">{d.eventType}</code>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {d.tenantId ? (
                      <Link href={`/console/tenants/${d.tenantId}`} className="text-brand-700 underline">
                        {d.tenantId}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-3 py-2">
                    <span className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${statusStyles[d.status]}`} data-testid="delivery-status">
                      {statusLabels[d.status]}
                    </span>
                    {d.status === "PENDING" && d.nextAttemptAt ? <span className="mt-1 block text-xs text-slate-600">next attempt <LocalTime date={d.nextAttemptAt} /></span> : null}
                  </td>
                  <td className="px-3 py-2">
                    <ol className="space-y-0.5 text-xs text-slate-700">
                      {d.attempts.map((a) => (
                        <li key={a.attempt}>
                          #{a.attempt} <LocalTime date={a.at} /> · {a.statusCode ?? "no answer"}
                          {a.error && a.statusCode === null ? ` · ${a.error}` : ""} · {a.durationMs} ms
                        </li>
                      ))}
                    </ol>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
