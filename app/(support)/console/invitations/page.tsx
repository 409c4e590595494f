import type { Metadata } from "next";
import Link from "next/link";
import { revokeInvitationAction } from "@/app/(support)/console/actions";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { LocalTime } from "@/components/ui/local-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { InvitationForm } from "./_components/invitation-form";
import { isStaffWith, requireStaff } from "@/lib/auth/session";
import { listInvitations, type InvitationStatus } from "@/lib/data/support/invitations";

export const metadata: Metadata = { title: "Invitations" };

const statusTones: Record<InvitationStatus, BadgeTone> = {
  open: "info",
  used: "success",
  expired: "neutral",
  revoked: "danger",
};
const statusLabels: Record<InvitationStatus, string> = {
  open: "Open",
  used: "Used",
  expired: "Expired",
  revoked: "Revoked",
};

export default async function InvitationsPage() {
  const session = await requireStaff("/console/invitations");
  const canRevoke = isStaffWith(session, "admin");
  const invitations = await listInvitations();
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Invitations</h1>
        <p className="mt-2 text-slate-600">
          An invitation link opens the consent page; the first organisation that signs in with it is recorded as invited
          and the link is used up.
        </p>
      </div>
      <Card title="New invitation" id="new-invitation">
        <InvitationForm />
      </Card>
      <Card title="Sent invitations" id="invitations">
        {invitations.length === 0 ? (
          <EmptyState framed={false}>No invitation yet.</EmptyState>
        ) : (
          <TableFrame caption="Invitations" framed={false}>
            <THead>
              <Tr>
                <Th>Created</Th>
                <Th>For</Th>
                <Th>By</Th>
                <Th>Expires</Th>
                <Th>Status</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </Tr>
            </THead>
            <TBody>
              {invitations.map((i) => (
                <Tr key={i.id} data-invitation-id={i.id}>
                  <Td label="Created">
                    <LocalTime date={i.createdAt} />
                  </Td>
                  <Td label="For">
                    {i.tenantHint ?? <span className="text-slate-600">any organisation</span>}
                    {i.note ? <span className="block text-xs text-slate-600">{i.note}</span> : null}
                    {i.customerReference ? (
                      <span className="block text-xs text-slate-600">customer reference {i.customerReference}</span>
                    ) : null}
                  </Td>
                  <Td label="By">{i.createdByName ?? "—"}</Td>
                  <Td label="Expires">
                    <LocalTime date={i.expiresAt} />
                  </Td>
                  <Td label="Status">
                    <Badge tone={statusTones[i.status]} data-testid="invitation-status">
                      {statusLabels[i.status]}
                    </Badge>
                    {i.status === "used" ? (
                      <span className="mt-1 block text-xs text-slate-600">
                        {i.usedAt ? (
                          <>
                            <LocalTime date={i.usedAt} /> by{" "}
                          </>
                        ) : (
                          "by "
                        )}
                        {i.usedBy ? (
                          <Link href={`/console/tenants/${i.usedBy.id}`} className="text-brand-700 underline">
                            {i.usedBy.displayName ?? i.usedBy.primaryDomain ?? i.usedBy.id}
                          </Link>
                        ) : (
                          <span>a tenant that has since disconnected</span>
                        )}
                      </span>
                    ) : null}
                  </Td>
                  <Td label="Actions" className="sm:text-right">
                    {canRevoke && i.status === "open" ? (
                      <form action={revokeInvitationAction}>
                        <input type="hidden" name="invitationId" value={i.id} />
                        <Button
                          type="submit"
                          variant="secondary"
                          size="sm"
                          aria-label={`Revoke the invitation for ${i.tenantHint ?? "any organisation"}${i.note ? ` (${i.note})` : ""}`}
                        >
                          Revoke
                        </Button>
                      </form>
                    ) : null}
                  </Td>
                </Tr>
              ))}
            </TBody>
          </TableFrame>
        )}
        {!canRevoke ? (
          <p className="mt-3 text-xs text-slate-600">Revoking an invitation needs the support admin role.</p>
        ) : null}
      </Card>
    </div>
  );
}
