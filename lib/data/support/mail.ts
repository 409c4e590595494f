import "server-only";

// The console's alert log: every e-mail the portal queued (alerts, invitations), newest first, with its delivery
// state. Staff-only and unscoped, like the rest of lib/data/support/.
import { db } from "@/lib/db/client";

export async function recentMail(take = 200) {
  return db().mailMessage.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, tenantId: true, kind: true, recipients: true, subject: true, status: true, attempts: true, lastError: true, createdAt: true, sentAt: true },
  });
}
