import type { Metadata } from "next";
import Link from "next/link";
import { mailKindLabel } from "@/components/support/format";
import { LocalTime } from "@/components/ui/local-time";
import { EmptyState } from "@/components/ui/empty-state";
import { TableFrame } from "@/components/ui/table-frame";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { requireStaff } from "@/lib/auth/session";
import { recentMail } from "@/lib/data/support/mail";

export const metadata: Metadata = { title: "Alert log" };

const statusLabels = { QUEUED: "Queued (retrying)", SENT: "Sent", FAILED: "Not sent" } as const;

/** A subject as staff read it: the organisation by its name where the message names its tenant by id. */
function readableSubject(subject: string, tenantId: string | null, tenantName: string | null): string {
  return tenantId && tenantName ? subject.split(tenantId).join(tenantName) : subject;
}

export default async function AlertLogPage() {
  await requireStaff("/console/alerts");
  const messages = await recentMail();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold text-slate-900">Alert log</h1>
        <p className="mt-2 text-slate-600">
          Every e-mail the portal sent or is trying to send, newest first: alerts when a connection breaks or recovers,
          and invitations. A message the mail server did not take is retried with backoff; its last error is shown.
        </p>
      </div>
      {messages.length === 0 ? (
        <EmptyState>No e-mail yet.</EmptyState>
      ) : (
        <TableFrame caption="Alert log">
          <THead>
            <Tr>
              <Th>Queued</Th>
              <Th>About</Th>
              <Th>Organisation</Th>
              <Th>To</Th>
              <Th>Subject</Th>
              <Th>Delivery</Th>
            </Tr>
          </THead>
          <TBody>
            {messages.map((m) => (
              <Tr key={m.id}>
                <Td label="Queued" className="sm:whitespace-nowrap">
                  <LocalTime date={m.createdAt} />
                </Td>
                <Td label="About" data-mail-kind={m.kind}>
                  {mailKindLabel(m.kind)}
                </Td>
                <Td label="Organisation">
                  {m.tenantId ? (
                    <Link href={`/console/tenants/${m.tenantId}`} className="text-brand-700 underline">
                      {m.tenantName ?? "A tenant that has since gone"}
                    </Link>
                  ) : (
                    <span className="text-slate-600">—</span>
                  )}
                </Td>
                <Td label="To" className="break-all">
                  {m.recipients.join(", ")}
                </Td>
                <Td label="Subject">{readableSubject(m.subject, m.tenantId, m.tenantName)}</Td>
                <Td label="Delivery">
                  {statusLabels[m.status]}
                  {m.sentAt ? (
                    <span className="block text-xs text-slate-600">
                      <LocalTime date={m.sentAt} />
                    </span>
                  ) : null}
                  {m.attempts > 1 || m.lastError ? (
                    <span className="block text-xs text-slate-600">
                      {m.attempts} attempt{m.attempts === 1 ? "" : "s"}
                      {m.lastError ? `; last error: ${m.lastError}` : ""}
                    </span>
                  ) : null}
                </Td>
              </Tr>
            ))}
          </TBody>
        </TableFrame>
      )}
    </div>
  );
}
