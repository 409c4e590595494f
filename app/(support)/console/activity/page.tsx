import type { Metadata } from "next";
import Link from "next/link";
import { utc } from "@/components/support/format";
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
          Everything support staff did in the portal, newest first (the last {events.length}). The audit trail is append-only: nothing in the console
          edits or deletes it.
        </p>
      </div>
      {events.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-6 text-slate-600">No staff activity yet.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-left text-sm" aria-label="Staff activity">
            <thead className="bg-slate-50 text-xs uppercase text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">
                  When (UTC)
                </th>
                <th scope="col" className="px-3 py-2">
                  Who
                </th>
                <th scope="col" className="px-3 py-2">
                  Action
                </th>
                <th scope="col" className="px-3 py-2">
                  Tenant
                </th>
                <th scope="col" className="px-3 py-2">
                  Details
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((e) => (
                <tr key={e.id} className="align-top">
                  <td className="px-3 py-2 whitespace-nowrap">{utc(e.createdAt)}</td>
                  <td className="px-3 py-2">{e.actorName ?? "—"}</td>
                  <td className="px-3 py-2">
                    <code className="text-xs">{e.action}</code>
                    {e.targetType ? <span className="block font-mono text-xs text-slate-500">{`${e.targetType} ${e.targetId ?? ""}`}</span> : null}
                  </td>
                  <td className="px-3 py-2">
                    {e.tenantId ? (
                      <Link href={`/console/tenants/${e.tenantId}`} className="font-mono text-xs text-brand-700 underline">
                        {e.tenantId}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs break-all text-slate-600">{e.details ? JSON.stringify(e.details) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
