import "server-only";

// The console's alert log: every e-mail the portal queued (alerts, invitations), newest first, with its delivery
// state. Staff-only and unscoped, like the rest of lib/data/support/.
import { db } from "@/lib/db/client";
import { organisationNames } from "@/lib/data/support/organisation-names";

/** The newest messages, each with its organisation's name while the tenant is still known. */
export async function recentMail(take = 200) {
  const messages = await db().mailMessage.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: {
      id: true,
      tenantId: true,
      kind: true,
      recipients: true,
      subject: true,
      status: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      sentAt: true,
    },
  });
  const names = await organisationNames(messages.map((m) => m.tenantId));
  return messages.map((m) => ({ ...m, tenantName: m.tenantId ? (names.get(m.tenantId) ?? null) : null }));
}
