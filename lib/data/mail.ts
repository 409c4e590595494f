import "server-only";

// The outgoing mail log (MailMessage): written when a message is queued, updated by the mail worker on each
// attempt. System writes, unscoped like lib/data/monitoring.ts; the console reads it in lib/data/support/.
import { db } from "@/lib/db/client";

export type OutgoingMail = { tenantId: string | null; kind: string; recipients: string[]; subject: string; text: string };

export async function recordQueuedMail(mail: OutgoingMail): Promise<string> {
  const row = await db().mailMessage.create({ data: mail, select: { id: true } });
  return row.id;
}

export async function getMail(id: string) {
  return db().mailMessage.findUnique({ where: { id }, select: { id: true, recipients: true, subject: true, text: true, status: true } });
}

export async function recordMailAttempt(id: string, outcome: { sent: true } | { sent: false; error: string; final: boolean }): Promise<void> {
  await db().mailMessage.update({
    where: { id },
    data: outcome.sent
      ? { status: "SENT", sentAt: new Date(), attempts: { increment: 1 }, lastError: null }
      : { status: outcome.final ? "FAILED" : "QUEUED", attempts: { increment: 1 }, lastError: outcome.error.slice(0, 500) },
  });
}

/**
 * The tenant's administrators who onboarded it (granted consent or registered an environment), by the address
 * they signed in with, unless the tenant opted out of e-mail alerts.
 */
export async function alertRecipients(tenantId: string): Promise<{ optedOut: boolean; addresses: string[] }> {
  const tenant = await db().tenant.findUnique({
    where: { id: tenantId },
    select: { emailAlertsOff: true, consentGrantedByObjectId: true, environments: { select: { registeredByObjectId: true } } },
  });
  if (!tenant) return { optedOut: false, addresses: [] };
  if (tenant.emailAlertsOff) return { optedOut: true, addresses: [] };
  const people = [tenant.consentGrantedByObjectId, ...tenant.environments.map((e) => e.registeredByObjectId)].filter((id): id is string => id !== null);
  if (people.length === 0) return { optedOut: false, addresses: [] };
  const sessions = await db().portalSession.findMany({
    where: { tenantId, userObjectId: { in: people }, isTenantAdmin: true, userPrincipalName: { not: null } },
    select: { userPrincipalName: true },
    distinct: ["userObjectId"],
  });
  return { optedOut: false, addresses: [...new Set(sessions.map((s) => s.userPrincipalName!.toLowerCase()))].filter((a) => a.includes("@")) };
}
