import type { Metadata } from "next";
import Link from "next/link";
import { revokeInvitationAction } from "@/app/(support)/console/actions";
import { utc } from "@/components/support/format";
import { InvitationForm } from "@/components/support/invitation-form";
import { isStaffWith, requireStaff } from "@/lib/auth/session";
import { listInvitations, type InvitationStatus } from "@/lib/data/support/invitations";

export const metadata: Metadata = { title: "Invitations" };

const statusStyles: Record<InvitationStatus, string> = {
  open: "bg-sky-100 text-sky-900",
  used: "bg-emerald-100 text-emerald-900",
  expired: "bg-slate-100 text-slate-600",
  revoked: "bg-red-100 text-red-900",
};
const statusLabels: Record<InvitationStatus, string> = { open: "Open", used: "Used", expired: "Expired", revoked: "Revoked" };

export default async function InvitationsPage() {
  const session = await requireStaff("/console/invitations");
  const canRevoke = isStaffWith(session, "admin");
  const invitations = await listInvitations();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Invitations</h1>
        <p className="mt-2 text-slate-600">
          An invitation link opens the consent page; the first organisation that signs in with it is recorded as invited and the link is used up.
        </p>
      </div>
      <section aria-labelledby="new-invitation-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="new-invitation-heading" className="mb-4 text-lg font-semibold">
          New invitation
        </h2>
        <InvitationForm />
      </section>
      <section aria-labelledby="invitations-heading" className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="invitations-heading" className="text-lg font-semibold">
          Sent invitations
        </h2>
        {invitations.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No invitation yet.</p>
        ) : (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full text-left text-sm" aria-label="Invitations">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Created (UTC)
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    For
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    By
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Expires (UTC)
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Status
                  </th>
                  <th scope="col" className="py-2">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {invitations.map((i) => (
                  <tr key={i.id} data-invitation-id={i.id} className="align-top">
                    <td className="py-2 pr-3 whitespace-nowrap">{utc(i.createdAt)}</td>
                    <td className="py-2 pr-3">
                      {i.tenantHint ?? <span className="text-slate-500">any organisation</span>}
                      {i.note ? <span className="block text-xs text-slate-500">{i.note}</span> : null}
                      {i.customerReference ? <span className="block text-xs text-slate-500">customer reference {i.customerReference}</span> : null}
                    </td>
                    <td className="py-2 pr-3">{i.createdByName ?? "—"}</td>
                    <td className="py-2 pr-3 whitespace-nowrap">{utc(i.expiresAt)}</td>
                    <td className="py-2 pr-3">
                      <span className={`rounded-full px-2.5 py-0.5 text-xs font-semibold ${statusStyles[i.status]}`} data-testid="invitation-status">
                        {statusLabels[i.status]}
                      </span>
                      {i.status === "used" ? (
                        <span className="mt-1 block text-xs text-slate-600">
                          {i.usedAt ? `${utc(i.usedAt)} by ` : "by "}
                          {i.usedBy ? (
                            <Link href={`/console/tenants/${i.usedBy.id}`} className="text-brand-700 underline">
                              {i.usedBy.displayName ?? i.usedBy.primaryDomain ?? i.usedBy.id}
                            </Link>
                          ) : (
                            <span>a tenant that has since disconnected</span>
                          )}
                        </span>
                      ) : null}
                    </td>
                    <td className="py-2 text-right">
                      {canRevoke && i.status === "open" ? (
                        <form action={revokeInvitationAction}>
                          <input type="hidden" name="invitationId" value={i.id} />
                          <button type="submit" className="text-sm font-medium text-red-700 underline" aria-label={`Revoke the invitation created ${utc(i.createdAt)}`}>
                            Revoke
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {!canRevoke ? <p className="mt-3 text-xs text-slate-500">Revoking an invitation needs the support admin role.</p> : null}
      </section>
    </div>
  );
}
