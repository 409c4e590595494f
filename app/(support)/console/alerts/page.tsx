import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/components/ui/local-time";
import { requireStaff } from "@/lib/auth/session";
import { recentMail } from "@/lib/data/support/mail";

export const metadata: Metadata = { title: "Alert log" };

const statusLabels = { QUEUED: "Queued (retrying)", SENT: "Sent", FAILED: "Not sent" } as const;

export default async function AlertLogPage() {
  await requireStaff("/console/alerts");
  const messages = await recentMail();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Alert log</h1>
        <p className="mt-2 text-slate-600">
          Every e-mail the portal sent or is trying to send, newest first: alerts when a connection breaks or recovers, and invitations. A message the
          mail server did not take is retried with backoff; its last error is shown.
        </p>
      </div>
      {messages.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-slate-600">No e-mail yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" aria-label="Alert log">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Queued (UTC)
                </th>
                <th scope="col" className="px-3 py-2">
                  Kind
                </th>
                <th scope="col" className="px-3 py-2">
                  To
                </th>
                <th scope="col" className="px-3 py-2">
                  Subject
                </th>
                <th scope="col" className="px-3 py-2">
                  Delivery
                </th>
                <th scope="col" className="px-3 py-2">
                  Tenant
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {messages.map((m) => (
                <tr key={m.id} className="align-top">
                  <td className="px-3 py-2 whitespace-nowrap"><LocalTime date={m.createdAt} /></td>
                  <td className="px-3 py-2">
                    <code className="text-xs">{m.kind}</code>
                  </td>
                  <td className="px-3 py-2">{m.recipients.join(", ")}</td>
                  <td className="px-3 py-2">{m.subject}</td>
                  <td className="px-3 py-2">
                    {statusLabels[m.status]}
                    {m.sentAt ? <span className="block text-xs text-slate-500"><LocalTime date={m.sentAt} /></span> : null}
                    {m.attempts > 1 || m.lastError ? (
                      <span className="block text-xs text-slate-500">
                        {m.attempts} attempt{m.attempts === 1 ? "" : "s"}
                        {m.lastError ? `; last error: ${m.lastError}` : ""}
                      </span>
                    ) : null}
                  </td>
                  <td className="px-3 py-2">
                    {m.tenantId ? (
                      <Link href={`/console/tenants/${m.tenantId}`} className="font-mono text-xs text-brand-700 underline">
                        {m.tenantId}
                      </Link>
                    ) : (
                      "—"
                    )}
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
