import "server-only";

// The outgoing mail log (MailMessage): written when a message is queued, updated by the mail worker on each
// attempt. System writes, unscoped like lib/data/monitoring.ts; the console reads it in lib/data/support/.
import { db } from "@/lib/db/client";

export type OutgoingMail = {
  tenantId: string | null;
  kind: string;
  recipients: string[];
  subject: string;
  text: string;
};

export async function recordQueuedMail(mail: OutgoingMail): Promise<string> {
  const row = await db().mailMessage.create({ data: mail, select: { id: true } });
  return row.id;
}

export async function getMail(id: string) {
  return db().mailMessage.findUnique({
    where: { id },
    select: { id: true, recipients: true, subject: true, text: true, status: true },
  });
}

export async function recordMailAttempt(
  id: string,
  outcome: { sent: true } | { sent: false; error: string; final: boolean },
): Promise<void> {
  await db().mailMessage.update({
    where: { id },
    data: outcome.sent
      ? { status: "SENT", sentAt: new Date(), attempts: { increment: 1 }, lastError: null }
      : {
          status: outcome.final ? "FAILED" : "QUEUED",
          attempts: { increment: 1 },
          lastError: outcome.error.slice(0, 500),
        },
  });
}
